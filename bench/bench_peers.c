/* calcgen beside its peers, server side, in one process, on data the branch
 * predictor cannot learn: every peer serves the same request bytes behind
 * the C ABI of bench/peers/peers.h (calcgen's exported dispatch, Rust +
 * prost, nanopb, protobuf-c naive and with an arena), interleaved trial by
 * trial, every response checked against the expected sums first.
 *
 * Data, regenerated from --seed each run: per value range, 65,536 distinct
 * single requests and 64 distinct batches of 1000, cycled (far beyond what
 * a branch predictor holds). Ranges: small [0, 128), [0, 2^32), full-range
 * int64 (half negative: 10-byte varints), mixed signs (-2^31, 2^31), and
 * varint lengths mixed 1..10 bytes. --memorised adds the old figure: one
 * request and one batch repeated.
 *
 *   bench_peers [--quick] [--seed N] [--memorised] [--list-peers] [--only PEER --calls CASE RANGE N]
 *
 * --calls runs N calls of one case of one peer (--only) and nothing else,
 * between callgrind's instrumentation toggles: bench/peers/icount.sh gives
 * instructions per call from it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_count.h"
#include "fresh_data.h"
#include "calculator.pb-c.h"
#include "peers/peers.h"
#include "timing.h"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#else
#define HAVE_CALLGRIND 0
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

#define SINGLES 65536
#define BATCHES 64
#define BATCH_N 1000

static const peer *const peers[] = {
    &peer_calcgen,
#ifdef HAVE_PEER_PROST
    &peer_prost, &peer_prost_alloc,
#endif
#ifdef HAVE_PEER_NANOPB
    &peer_nanopb,
#endif
    &peer_protobuf_c_arena, &peer_protobuf_c_naive,
};
#define N_PEERS (sizeof peers / sizeof peers[0])

static const char *const case_name[N_CASES] = {"single Add", "single AddFixed", "batch 1000 Add",
                                               "batch 1000 AddFixed"};

enum { R_SMALL, R_U32, R_INT64, R_MIXED_SIGN, R_MIXED_LEN, N_RANGES };
static const char *const range_name[N_RANGES] = {"small [0,128)", "[0,2^32)", "int64 full range",
                                                 "mixed signs", "mixed 1-10 bytes"};

static uint64_t rng;

static int64_t draw(int range) {
  uint64_t x = fresh_next(&rng);
  switch (range) {
    case R_SMALL: return (int64_t)(x & 127);
    case R_U32: return (int64_t)(x & 0xffffffffu);
    case R_INT64: return (int64_t)x;
    case R_MIXED_SIGN: return (int64_t)(x & 0xffffffffu) - ((int64_t)1 << 31);
    default: return fresh_mixed_length(&rng); /* a varint of 1..10 bytes */
  }
}

/* One case's requests: bytes back to back, offsets, the expected results. */
typedef struct requests {
  uint8_t *bytes;
  size_t *off, *len;
  int64_t *want; /* count * per results */
  size_t count, per;
} requests;

static void add_bytes(requests *r, size_t i, const ProtobufCMessage *m, size_t *used, size_t *cap) {
  size_t n = protobuf_c_message_get_packed_size(m);
  if (*used + n > *cap) {
    *cap = (*used + n) * 2;
    r->bytes = realloc(r->bytes, *cap);
  }
  r->off[i] = *used;
  r->len[i] = protobuf_c_message_pack(m, r->bytes + *used);
  *used += n;
}

static requests make(int c, int range, size_t count) {
  requests r = {0};
  int batch = c == CASE_BATCH_ADD || c == CASE_BATCH_ADD_FIXED;
  r.count = count;
  r.per = batch ? BATCH_N : 1;
  r.off = malloc(count * sizeof *r.off);
  r.len = malloc(count * sizeof *r.len);
  r.want = malloc(count * r.per * sizeof *r.want);
  size_t used = 0, cap = count * 32;
  r.bytes = malloc(cap);
  int64_t *a = malloc(r.per * 8), *b = malloc(r.per * 8);
  for (size_t i = 0; i < count; i++) {
    for (size_t k = 0; k < r.per; k++) {
      a[k] = draw(range);
      b[k] = draw(range);
      r.want[i * r.per + k] = (int64_t)((uint64_t)a[k] + (uint64_t)b[k]);
    }
    if (c == CASE_ADD) {
      Calc__BinaryOp m = CALC__BINARY_OP__INIT;
      m.a = a[0], m.b = b[0];
      add_bytes(&r, i, &m.base, &used, &cap);
    } else if (c == CASE_ADD_FIXED) {
      Calc__FixedOp m = CALC__FIXED_OP__INIT;
      m.a = a[0], m.b = b[0];
      add_bytes(&r, i, &m.base, &used, &cap);
    } else if (c == CASE_BATCH_ADD) {
      Calc__BatchOperation m = CALC__BATCH_OPERATION__INIT;
      m.n_a = m.n_b = r.per, m.a = a, m.b = b;
      add_bytes(&r, i, &m.base, &used, &cap);
    } else {
      Calc__FixedBatch m = CALC__FIXED_BATCH__INIT;
      m.n_a = m.n_b = r.per, m.a = a, m.b = b;
      add_bytes(&r, i, &m.base, &used, &cap);
    }
  }
  free(a);
  free(b);
  return r;
}

static void drop(requests *r) {
  free(r->bytes);
  free(r->off);
  free(r->len);
  free(r->want);
}

/* Whether every response of `p` to `r` decodes to the expected results. */
static int check(const peer *p, int c, const requests *r) {
  for (size_t i = 0; i < r->count; i++) {
    size_t n;
    const uint8_t *out = p->op[c](r->bytes + r->off[i], r->len[i], &n);
    if (!out) return 0;
    const int64_t *got;
    size_t count;
    ProtobufCMessage *m;
    if (c == CASE_ADD) {
      Calc__Value *v = calc__value__unpack(NULL, n, out);
      if (!v) return 0;
      got = &v->value, count = 1, m = &v->base;
    } else if (c == CASE_ADD_FIXED) {
      Calc__FixedValue *v = calc__fixed_value__unpack(NULL, n, out);
      if (!v) return 0;
      got = &v->value, count = 1, m = &v->base;
    } else if (c == CASE_BATCH_ADD) {
      Calc__BatchResult *v = calc__batch_result__unpack(NULL, n, out);
      if (!v) return 0;
      got = v->values, count = v->n_values, m = &v->base;
    } else {
      Calc__FixedBatchResult *v = calc__fixed_batch_result__unpack(NULL, n, out);
      if (!v) return 0;
      got = v->values, count = v->n_values, m = &v->base;
    }
    int ok = count == r->per && memcmp(got, r->want + i * r->per, r->per * 8) == 0;
    protobuf_c_message_free_unpacked(m, NULL);
    if (!ok) return 0;
  }
  return 1;
}

typedef struct timed {
  const peer *p;
  int c;
  const requests *r;
  size_t at;
} timed;

static volatile size_t sink;

/* One pass over every request of the set. */
static void pass(void *ctx) {
  timed *t = ctx;
  peer_call f = t->p->op[t->c];
  const requests *r = t->r;
  size_t n, acc = 0;
  for (size_t i = 0; i < r->count; i++) {
    const uint8_t *out = f(r->bytes + r->off[i], r->len[i], &n);
    acc += n + (out != NULL);
  }
  sink = acc;
}

typedef struct cell {
  double ns;         /* per call (single) or per element (batch) */
  double heap;       /* heap calls per call */
  int state;         /* 0 absent, 1 measured, -1 wrong results */
} cell;

/* Times every peer on `r`, peers interleaved within each trial. */
static void measure(int c, const requests *r, cell *out, int quick) {
  timed t[N_PEERS];
  long reps[N_PEERS];
  for (size_t p = 0; p < N_PEERS; p++) {
    out[p] = (cell){0, 0, 0};
    t[p] = (timed){peers[p], c, r, 0};
    if (!peers[p]->op[c]) continue;
    if (!check(peers[p], c, r)) {
      out[p].state = -1;
      continue;
    }
    long before = heap_calls_now();
    pass(&t[p]);
    out[p].heap = (double)(heap_calls_now() - before) / (double)r->count;
    double t0 = now_ns();
    pass(&t[p]);
    double one = now_ns() - t0;
    reps[p] = (long)((quick ? 2e6 : 2e7) / one) + 1;
    out[p].ns = 1e300;
    out[p].state = 1;
  }
  int trials = quick ? 3 : 7;
  for (int k = 0; k < trials; k++) {
    for (size_t q = 0; q < N_PEERS; q++) {
      size_t p = (q + (size_t)k) % N_PEERS; /* a different order each trial */
      if (out[p].state != 1) continue;
      double ns = best_ns(pass, &t[p], reps[p], 1) / (double)(r->count * r->per);
      if (ns < out[p].ns) out[p].ns = ns;
    }
  }
}

static void print_row(const char *label, const cell *cells) {
  size_t base = 0; /* calcgen */
  printf("%-22s", label);
  for (size_t p = 0; p < N_PEERS; p++) {
    if (cells[p].state == 0) {
      printf(" %20s", "-");
    } else if (cells[p].state < 0) {
      printf(" %20s", "WRONG RESULTS");
    } else if (p == base) {
      printf(" %9.3f      %4.1fh", cells[p].ns, cells[p].heap);
    } else {
      char buf[32];
      snprintf(buf, sizeof buf, "%.3f (%.2fx) %.1fh", cells[p].ns, cells[p].ns / cells[base].ns, cells[p].heap);
      printf(" %20s", buf);
    }
  }
  printf("\n");
}

int main(int argc, char **argv) {
  int quick = 0, memorised = 0, calls_case = -1, calls_range = 0;
  long calls_n = 0;
  const char *only = NULL;
  uint64_t seed = 0x5eed;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--list-peers")) {
      for (size_t p = 0; p < N_PEERS; p++) printf("%s\n", peers[p]->name);
      return 0;
    }
    if (!strcmp(argv[i], "--quick")) quick = 1;
    else if (!strcmp(argv[i], "--memorised")) memorised = 1;
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else if (!strcmp(argv[i], "--calls") && i + 3 < argc) {
      calls_case = atoi(argv[++i]), calls_range = atoi(argv[++i]), calls_n = atol(argv[++i]);
    } else {
      fprintf(stderr, "usage: %s [--quick] [--seed N] [--memorised] [--only PEER] [--calls CASE RANGE N]\n",
              argv[0]);
      return 2;
    }
  }
  rng = seed;
  if (calls_case >= 0) { /* one peer, one case, for callgrind */
    if (!HAVE_CALLGRIND) {
      fprintf(stderr, "--calls: built without valgrind/callgrind.h, nothing would be counted\n");
      return 2;
    }
    const peer *p = NULL;
    for (size_t k = 0; k < N_PEERS; k++)
      if (only && !strcmp(peers[k]->name, only)) p = peers[k];
    if (!p || calls_case >= N_CASES || calls_range < 0 || calls_range >= N_RANGES || !p->op[calls_case]) {
      fprintf(stderr, "--calls needs --only PEER (one of the peers) offering CASE 0..%d, RANGE 0..%d\n",
              N_CASES - 1, N_RANGES - 1);
      return 2;
    }
    int batch = calls_case >= CASE_BATCH_ADD;
    requests r = make(calls_case, calls_range, batch ? BATCHES : SINGLES);
    if (!check(p, calls_case, &r)) return 1;
    size_t n;
    CALLGRIND_START_INSTRUMENTATION;
    for (long k = 0; k < calls_n; k++) {
      size_t i = (size_t)k % r.count;
      p->op[calls_case](r.bytes + r.off[i], r.len[i], &n);
    }
    CALLGRIND_STOP_INSTRUMENTATION;
    drop(&r);
    return 0;
  }
  printf("bench_peers: server side, request bytes in, response bytes out; seed %#" PRIx64 "\n", seed);
  printf("per value range: %d distinct single requests, %d distinct batches of %d, cycled\n", SINGLES, BATCHES,
         BATCH_N);
  printf("ns per call (single) or per element (batch), best of %d interleaved trials; (x): the peer's time "
         "over calcgen's; h: heap calls per call\n\n",
         quick ? 3 : 7);
  int failed = 0;
  for (int c = 0; c < N_CASES; c++) {
    printf("%s\n%-22s", case_name[c], "range");
    for (size_t p = 0; p < N_PEERS; p++) printf(" %20s", peers[p]->name);
    printf("\n");
    for (int g = 0; g < N_RANGES + memorised; g++) {
      int range = g < N_RANGES ? g : R_U32;
      int batch = c >= CASE_BATCH_ADD;
      size_t count = g < N_RANGES ? (batch ? BATCHES : SINGLES) : 1; /* memorised: one, repeated */
      requests r = make(c, range, count);
      cell cells[N_PEERS];
      measure(c, &r, cells, quick);
      for (size_t p = 0; p < N_PEERS; p++) failed |= cells[p].state < 0;
      print_row(g < N_RANGES ? range_name[g] : "memorised [0,2^32)", cells);
      drop(&r);
    }
    printf("\n");
  }
  for (size_t p = 0; p < N_PEERS; p++) printf("%-12s %s\n", peers[p]->name, peers[p]->what);
  if (failed) printf("\nsome peer returned wrong results (WRONG RESULTS above)\n");
  return failed;
}
