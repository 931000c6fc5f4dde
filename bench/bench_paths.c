/* Every way through the calculator, in one run, on the same data:
 *
 *  (a) naive     protobuf-c, malloc per call, a batch as repeated BinaryOp
 *                (array of structs): how the origin project did it
 *  (b) pbc+arena protobuf-c into an arena, reused buffers, packed int64
 *  (c) calcgen   the generated path (P_invoke_*), varint-packed arrays
 *  (d) zero-copy calcgen over sfixed64: a batch from operands already laid out
 *                in the host's request buffer to results readable in the
 *                response view; a single op as calc.FixedOp (AddFixed)
 *  (e) kernel    the raw kernel over plain arrays (the limit)
 *
 * Single Add and batches of 1, 10, 100, 1000, 10000 adds; operands uniform in
 * [0, 2^32) and, beside them, in [0, 2^14). The branch predictor cannot
 * learn them: single ops cycle through 65,536 distinct operand pairs, each
 * batch size through 64 distinct batches (and (d) through 64 distinct
 * request buffers). Reports ns/op, ops/s, heap allocations per call and the
 * ratio to (a). bench_peers has full-range, mixed-sign and mixed-length
 * operands and the other peers.
 *
 *   bench_paths [--quick] [--json FILE] [--svg FILE] */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_count.h"
#include "calculator.calcgen.h"
#include "calcgen/support/elementwise.h"
#include "calcgen/support/wire.h"
#include "naive.pb-c.h"
#include "svg_plot.h"
#include "timing.h"

#define MAXN 10000
#define SINGLES 65536 /* distinct single requests, cycled */
#define BATCHES 64    /* distinct batches per size, cycled */
#define POOL (BATCHES * MAXN > SINGLES ? BATCHES * MAXN : SINGLES)
enum { PATH_A, PATH_B, PATH_C, PATH_D, PATH_E, N_PATHS };
static const char *const path_name[N_PATHS] = {"naive", "pbc+arena", "calcgen", "zero-copy", "kernel"};
static const char *const path_desc[N_PATHS] = {
    "(a) protobuf-c, malloc per call, repeated BinaryOp",
    "(b) protobuf-c + arena + reused buffers, packed int64",
    "(c) calcgen generated codecs, varint-packed",
    "(d) calcgen over sfixed64: batch in place, single op AddFixed",
    "(e) raw kernel over plain arrays"};
static const size_t sizes[] = {1, 10, 100, 1000, 10000};
#define N_SIZES (sizeof sizes / sizeof sizes[0])

static int64_t A[POOL], B[POOL], OUT[MAXN];
static volatile int64_t sink;
static cg_arena *host_arena;
static ProtobufCAllocator arena_alloc;
static uint8_t reqbuf[MAXN * 24 + 64], respbuf[MAXN * 24 + 64];
static uint8_t *zbuf[BATCHES]; /* (d)'s request buffers, laid out once per size */
static size_t zlen;

static void *arena_alloc_fn(void *d, size_t n) { return cg_arena_alloc(d, n); }
static void arena_free_fn(void *d, void *p) { (void)d, (void)p; }

typedef struct job {
  size_t n; /* 0: single op */
  size_t k; /* rotating index: of the single request, or of the batch */
} job;

/* The next single request's operands, and the next batch's. */
#define NEXT_SINGLE(j) ((j)->k++ % SINGLES)
#define NEXT_BATCH(j) (((j)->k++ % BATCHES) * (j)->n)

/* ---- (a) ---- */
/* One single op over protobuf-c with malloc per call. Expanded for Add's
 * BinaryOp (the peer) and for FixedOp, (d)'s single-op wire, which the note
 * under the table compares: the same code, only the wire differs. */
#define NAIVE_SINGLE(fn, Req, req, REQ_INIT, Resp, resp, RESP_INIT) \
  static void fn(job *j) {                                        \
    size_t i = NEXT_SINGLE(j);                                     \
    Req m = REQ_INIT;                                             \
    m.a = A[i];                                                   \
    m.b = B[i];                                                   \
    size_t len = req##__get_packed_size(&m);                      \
    uint8_t *in_bytes = malloc(len);                              \
    req##__pack(&m, in_bytes);                                    \
    /* native side */                                             \
    Req *in = req##__unpack(NULL, len, in_bytes);                 \
    Resp v = RESP_INIT;                                           \
    v.value = in->a + in->b;                                      \
    req##__free_unpacked(in, NULL);                               \
    size_t out_len = resp##__get_packed_size(&v);                 \
    uint8_t *out = malloc(out_len);                               \
    resp##__pack(&v, out);                                        \
    /* host again */                                              \
    Resp *r = resp##__unpack(NULL, out_len, out);                 \
    sink = r->value;                                              \
    resp##__free_unpacked(r, NULL);                               \
    free(out);                                                    \
    free(in_bytes);                                               \
  }
NAIVE_SINGLE(naive_single, Naive__BinaryOp, naive__binary_op, NAIVE__BINARY_OP__INIT, Naive__Value, naive__value,
             NAIVE__VALUE__INIT)
NAIVE_SINGLE(naive_fixed_single, Naive__FixedOp, naive__fixed_op, NAIVE__FIXED_OP__INIT, Naive__FixedValue,
             naive__fixed_value, NAIVE__FIXED_VALUE__INIT)

static void naive_batch(job *j) {
  size_t n = j->n, at = NEXT_BATCH(j);
  Naive__BinaryOp *ops = malloc(n * sizeof *ops);
  Naive__BinaryOp **ptrs = malloc(n * sizeof *ptrs);
  for (size_t i = 0; i < n; i++) {
    naive__binary_op__init(&ops[i]);
    ops[i].a = A[at + i];
    ops[i].b = B[at + i];
    ptrs[i] = &ops[i];
  }
  Naive__BatchOperation m = NAIVE__BATCH_OPERATION__INIT;
  m.n_ops = n;
  m.ops = ptrs;
  size_t len = naive__batch_operation__get_packed_size(&m);
  uint8_t *req = malloc(len);
  naive__batch_operation__pack(&m, req);
  Naive__BatchOperation *in = naive__batch_operation__unpack(NULL, len, req);
  Naive__BatchResult res = NAIVE__BATCH_RESULT__INIT;
  res.n_values = in->n_ops;
  res.values = malloc(in->n_ops * sizeof *res.values);
  for (size_t i = 0; i < in->n_ops; i++) res.values[i] = in->ops[i]->a + in->ops[i]->b;
  naive__batch_operation__free_unpacked(in, NULL);
  size_t out_len = naive__batch_result__get_packed_size(&res);
  uint8_t *out = malloc(out_len);
  naive__batch_result__pack(&res, out);
  free(res.values);
  Naive__BatchResult *r = naive__batch_result__unpack(NULL, out_len, out);
  sink = r->values[n - 1];
  naive__batch_result__free_unpacked(r, NULL);
  free(out);
  free(req);
  free(ptrs);
  free(ops);
}

/* ---- (b) ---- */
static void pbc_single(job *j) {
  size_t i = NEXT_SINGLE(j);
  cg_arena_reset(host_arena);
  Calc__BinaryOp m = CALC__BINARY_OP__INIT;
  m.a = A[i];
  m.b = B[i];
  size_t len = calc__binary_op__pack(&m, reqbuf);
  Calc__BinaryOp *in = calc__binary_op__unpack(&arena_alloc, len, reqbuf);
  Calc__Value v = CALC__VALUE__INIT;
  v.value = in->a + in->b;
  size_t out_len = calc__value__pack(&v, respbuf);
  Calc__Value *r = calc__value__unpack(&arena_alloc, out_len, respbuf);
  sink = r->value;
}

static void pbc_batch(job *j) {
  size_t n = j->n, at = NEXT_BATCH(j);
  cg_arena_reset(host_arena);
  Calc__BatchOperation m = CALC__BATCH_OPERATION__INIT;
  m.n_a = m.n_b = n;
  m.a = A + at;
  m.b = B + at;
  size_t len = calc__batch_operation__pack(&m, reqbuf);
  Calc__BatchOperation *in = calc__batch_operation__unpack(&arena_alloc, len, reqbuf);
  Calc__BatchResult res = CALC__BATCH_RESULT__INIT;
  res.n_values = in->n_a;
  res.values = cg_arena_alloc(host_arena, n * sizeof *res.values);
  for (size_t i = 0; i < n; i++) res.values[i] = in->a[i] + in->b[i];
  size_t out_len = calc__batch_result__pack(&res, respbuf);
  Calc__BatchResult *r = calc__batch_result__unpack(&arena_alloc, out_len, respbuf);
  sink = r->values[n - 1];
}

/* ---- (c), (d), (e) ---- */
static void calcgen_single(job *j) {
  size_t i = NEXT_SINGLE(j);
  int64_t r;
  if (calc_calculator_invoke_add(A[i], B[i], &r) != CG_OK) abort();
  sink = r;
}

/* The single op over fixed-width operands: the same call with FixedOp's
 * sfixed64 wire instead of BinaryOp's varints. */
static void fixed_single(job *j) {
  size_t i = NEXT_SINGLE(j);
  int64_t r;
  if (calc_calculator_invoke_add_fixed(A[i], B[i], &r) != CG_OK) abort();
  sink = r;
}

/* The same two single ops the way an FFI host (Dart, Python) makes them:
 * it writes the request bytes itself, calls the exported dispatch entry
 * point (nothing inlined across the library boundary) and reads the
 * response bytes. For the notes under the table. */
static uint8_t ffi_req[64];
static void ffi_varint_single(job *j) {
  size_t i = NEXT_SINGLE(j);
  uint8_t *p = cg_put_scalar_field(ffi_req, 1, CG_ENC_VARINT64, (uint64_t)A[i]);
  p = cg_put_scalar_field(p, 2, CG_ENC_VARINT64, (uint64_t)B[i]);
  cg_bytes r;
  if (calc_calculator_dispatch(CALC_CALCULATOR_OP_ADD, ffi_req, (size_t)(p - ffi_req), &r) != CG_OK) abort();
  uint64_t v = 0;
  const uint8_t *q = r.data, *end = r.data + r.len;
  if (q < end && (*q != 0x08 || cg_read_varint(q + 1, end, &v) != end)) abort();
  sink = (int64_t)v;
}

static void ffi_fixed_single(job *j) {
  size_t i = NEXT_SINGLE(j);
  uint8_t *p = cg_put_scalar_field(ffi_req, 1, CG_ENC_FIXED64, (uint64_t)A[i]);
  p = cg_put_scalar_field(p, 2, CG_ENC_FIXED64, (uint64_t)B[i]);
  cg_bytes r;
  if (calc_calculator_dispatch(CALC_CALCULATOR_OP_ADD_FIXED, ffi_req, (size_t)(p - ffi_req), &r) != CG_OK) abort();
  int64_t v = 0;
  if (r.len == 9 && r.data[0] == 0x09) memcpy(&v, r.data + 1, 8);
  else if (r.len) abort();
  sink = v;
}

static void calcgen_batch(job *j) {
  size_t at = NEXT_BATCH(j);
  if (calc_calculator_invoke_batch_add(A + at, B + at, j->n, OUT) != CG_OK) abort();
  sink = OUT[j->n - 1];
}

static void zero_copy_batch(job *j) {
  cg_bytes resp;
  if (calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD_FIXED, zbuf[j->k++ % BATCHES], zlen, &resp) != CG_OK)
    abort();
  const int64_t *values;
  size_t n;
  if (calc_calculator_view_batch_add_fixed(resp, &values, &n) != CG_OK || n != j->n) abort();
  sink = values[n - 1];
}

static void kernel_single(job *j) {
  size_t i = NEXT_SINGLE(j);
  int64_t r;
  cg_elem_add_i64_wrap(A[i], B[i], &r);
  sink = r;
}

static void kernel_batch(job *j) {
  static cg_kernel_fn fn;
  if (!fn) fn = cg_kernel(CG_KERNEL_ADD, CG_TYPE_I64, CG_WRAP);
  size_t bad, at = NEXT_BATCH(j);
  fn(A + at, B + at, OUT, j->n, &bad);
  sink = OUT[j->n - 1];
}

typedef void (*body_fn)(job *);
static const body_fn single_body[N_PATHS] = {naive_single, pbc_single, calcgen_single, fixed_single, kernel_single};
static const body_fn batch_body[N_PATHS] = {naive_batch, pbc_batch, calcgen_batch, zero_copy_batch, kernel_batch};

static body_fn current;
static void run_current(void *p) { current(p); }

typedef struct result {
  double ns_per_op, heap_per_call;
  int present;
} result;

static result measure_body(body_fn body, size_t n, int quick) {
  result r = {0, 0, 0};
  if (!body) return r;
  job j = {n, 0};
  current = body;
  for (int w = 0; w < 50; w++) body(&j); /* warm-up: buffers, arenas, caches */
  long before = heap_calls_now();
  for (int w = 0; w < 100; w++) body(&j);
  r.heap_per_call = (double)(heap_calls_now() - before) / 100.0;
  double t0 = now_ns();
  body(&j);
  double one = now_ns() - t0;
  double target = quick ? 4e6 : 3e7;
  long reps = (long)(target / (one > 20 ? one : 20)) + 1;
  double per_call = best_ns(run_current, &j, reps, quick ? 3 : 7);
  r.ns_per_op = per_call / (double)(n ? n : 1);
  r.present = 1;
  return r;
}

static result measure(int path, size_t n, int quick) {
  if (path == PATH_D && n) { /* the host lays out each request once, as a pooled buffer */
    for (size_t k = 0; k < BATCHES; k++) {
      if (!zbuf[k] && !(zbuf[k] = aligned_alloc(64, (CG_BATCH_REQUEST_SIZE(MAXN, 8) + 127) / 64 * 64))) abort();
      zlen = calc_calculator_layout_batch_add_fixed(zbuf[k], n);
      memcpy(zbuf[k] + CG_ALIGNED_HEADER, A + k * n, n * 8);
      memcpy(zbuf[k] + 2 * CG_ALIGNED_HEADER + n * 8, B + k * n, n * 8);
    }
  }
  return measure_body(n ? batch_body[path] : single_body[path], n, quick);
}

/* ---- output ---- */

typedef struct dataset {
  const char *name;
  uint64_t range;
  result single[N_PATHS];
  result naive_fixed;            /* (a) over FixedOp, beside (d)'s single op */
  result ffi_varint, ffi_fixed; /* Add and AddFixed through the exported dispatch */
  result batch[N_SIZES][N_PATHS];
} dataset;

static void fill(uint64_t range) {
  uint64_t x = 0x2545F4914F6CDD1Dull;
  for (int i = 0; i < POOL; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    A[i] = (int64_t)(x % range);
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    B[i] = (int64_t)(x % range);
  }
}

static void print_table(const dataset *d) {
  printf("\noperands in [0, %s)\n", d->name);
  printf("%-9s %-10s %12s %14s %12s %10s\n", "batch", "path", "ns/op", "ops/s", "heap/call", "vs naive");
  for (int s = -1; s < (int)N_SIZES; s++) {
    const result *row = s < 0 ? d->single : d->batch[s];
    char label[16];
    if (s < 0) snprintf(label, sizeof label, "single");
    else snprintf(label, sizeof label, "%zu", sizes[s]);
    for (int p = 0; p < N_PATHS; p++) {
      if (!row[p].present) continue;
      printf("%-9s %-10s %12.3f %14.0f %12.2f %9.1fx\n", label, path_name[p], row[p].ns_per_op,
             1e9 / row[p].ns_per_op, row[p].heap_per_call, row[PATH_A].ns_per_op / row[p].ns_per_op);
    }
  }
  double naive = d->single[PATH_A].ns_per_op;
  printf("single zero-copy is AddFixed (sfixed64 operands). The naive peer over that same wire:\n"
         "  %.3f ns (%.1fx of AddFixed).\n", d->naive_fixed.ns_per_op,
         d->naive_fixed.ns_per_op / d->single[PATH_D].ns_per_op);
  printf("single ops as an FFI host makes them (own encoding, exported dispatch, no inlining):\n"
         "  Add %.3f ns (%.1fx), AddFixed %.3f ns (%.1fx)\n", d->ffi_varint.ns_per_op,
         naive / d->ffi_varint.ns_per_op, d->ffi_fixed.ns_per_op, naive / d->ffi_fixed.ns_per_op);
}

static void write_json(const char *path, const dataset *ds, int nds) {
  FILE *f = fopen(path, "w");
  if (!f) { perror(path); return; }
  fprintf(f, "{\n  \"kernels\": \"%s\",\n  \"varint_codec\": \"%s\",\n  \"paths\": {", cg_isa_active(),
          cg_varint_active());
  for (int p = 0; p < N_PATHS; p++) fprintf(f, "%s\"%s\": \"%s\"", p ? ", " : "", path_name[p], path_desc[p]);
  fprintf(f, "},\n  \"datasets\": [\n");
  for (int d = 0; d < nds; d++) {
    fprintf(f, "    {\"range\": \"[0, %s)\", \"naive_over_fixed_single_ns\": %.4f,\n"
               "     \"ffi_single_ns\": {\"Add\": %.4f, \"AddFixed\": %.4f}, \"results\": [\n",
            ds[d].name, ds[d].naive_fixed.ns_per_op, ds[d].ffi_varint.ns_per_op, ds[d].ffi_fixed.ns_per_op);
    int first = 1;
    for (int s = -1; s < (int)N_SIZES; s++) {
      const result *row = s < 0 ? ds[d].single : ds[d].batch[s];
      for (int p = 0; p < N_PATHS; p++) {
        if (!row[p].present) continue;
        char batch[24];
        if (s < 0) snprintf(batch, sizeof batch, "\"single\"");
        else snprintf(batch, sizeof batch, "%zu", sizes[s]);
        fprintf(f, "%s      {\"batch\": %s, \"path\": \"%s\", \"ns_per_op\": %.4f, \"ops_per_s\": %.0f, "
                   "\"heap_allocs_per_call\": %.2f, \"speedup_vs_naive\": %.2f}",
                first ? "" : ",\n", batch, path_name[p], row[p].ns_per_op, 1e9 / row[p].ns_per_op, row[p].heap_per_call,
                row[PATH_A].ns_per_op / row[p].ns_per_op);
        first = 0;
      }
    }
    fprintf(f, "\n    ]}%s\n", d + 1 < nds ? "," : "");
  }
  fprintf(f, "  ]\n}\n");
  fclose(f);
}

/* ns/op against batch size, log-log, one panel per operand range. */
static void write_svg(const char *path, const dataset *ds, int nds) {
  FILE *f = fopen(path, "w");
  if (!f) { perror(path); return; }
  static const char *const color[N_PATHS] = {"#d62728", "#ff7f0e", "#1f77b4", "#2ca02c", "#7f7f7f"};
  svg_begin(f, 720, 380.0 * nds);
  for (int d = 0; d < nds; d++) {
    svg_panel p = {f, 380.0 * d, 720, 380, 70, 170, 40, 50, -2, 3}; /* 0.01 .. 1000 ns/op */
#define X(n) (p.left + svg_plot_width(&p) * (log10((double)(n)) / 4.0))
    fprintf(f, "<text x='%.0f' y='%.0f' font-size='14'>calcgen paths, ns per add vs batch size, operands in [0, %s), kernels %s</text>\n",
            p.left, p.oy + 22, ds[d].name, cg_isa_active());
    svg_frame(&p, "batch size", "ns/op");
    for (size_t s = 0; s < N_SIZES; s++) {
      char label[24];
      snprintf(label, sizeof label, "%zu", sizes[s]);
      svg_column(&p, X(sizes[s]), label);
    }
    for (int k = 0; k < N_PATHS; k++) {
      fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='2' points='", color[k]);
      for (size_t s = 0; s < N_SIZES; s++) {
        double v = ds[d].batch[s][k].ns_per_op;
        fprintf(f, "%.1f,%.1f ", X(sizes[s]), svg_y(&p, v < 0.01 ? 0.01 : v));
      }
      fprintf(f, "'/>\n");
      svg_legend(&p, k, color[k], path_name[k]);
    }
#undef X
  }
  fprintf(f, "</svg>\n");
  fclose(f);
}

/* Brings the core to its steady clock and every path's code and allocator
 * state in, so the first path measured is not the one that pays for it. */
static void warm_up(void) {
  fill(1ull << 32);
  job j = {0, 0};
  double until = now_ns() + 3e8;
  while (now_ns() < until)
    for (int k = 0; k < 1000; k++) naive_single(&j), calcgen_single(&j), pbc_single(&j), fixed_single(&j);
}

int main(int argc, char **argv) {
  int quick = 0;
  const char *json = NULL, *svg = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--quick")) quick = 1;
    else if (!strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
    else if (!strcmp(argv[i], "--svg") && i + 1 < argc) svg = argv[++i];
    else {
      fprintf(stderr, "usage: %s [--quick] [--json FILE] [--svg FILE]\n", argv[0]);
      return 2;
    }
  }
  host_arena = cg_arena_create(NULL);
  arena_alloc = (ProtobufCAllocator){arena_alloc_fn, arena_free_fn, host_arena};
  static dataset ds[2];
  ds[0].name = "2^32";
  ds[0].range = 1ull << 32;
  ds[1].name = "2^14";
  ds[1].range = 1ull << 14;
  printf("calcgen paths benchmark: kernels %s, varint codec %s%s\n", cg_isa_active(),
         cg_varint_active(), quick ? ", --quick" : "");
  warm_up();
  for (int p = 0; p < N_PATHS; p++) printf("  %-10s %s\n", path_name[p], path_desc[p]);
  for (int d = 0; d < 2; d++) {
    fill(ds[d].range);
    for (int p = 0; p < N_PATHS; p++) ds[d].single[p] = measure(p, 0, quick);
    ds[d].naive_fixed = measure_body(naive_fixed_single, 0, quick);
    ds[d].ffi_varint = measure_body(ffi_varint_single, 0, quick);
    ds[d].ffi_fixed = measure_body(ffi_fixed_single, 0, quick);
    for (size_t s = 0; s < N_SIZES; s++)
      for (int p = 0; p < N_PATHS; p++) ds[d].batch[s][p] = measure(p, sizes[s], quick);
    print_table(&ds[d]);
  }
  if (json) write_json(json, ds, 2);
  if (svg) write_svg(svg, ds, 2);
  cg_arena_destroy(host_arena);
  return 0;
}
