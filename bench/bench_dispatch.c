/* Round trips through the calculator, beside the naive protobuf-c peer, in
 * one run: single Add, and a batch of 1000 adds (per op). Operands uniform in
 * [0, 2^32). Heap calls per call are counted by interposing malloc.
 *
 *   bench_dispatch [--quick] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_count.h"
#include "calculator.calcgen.h"
#include "naive.pb-c.h"
#include "timing.h"

#define BATCH 1000

static int64_t opa[BATCH], opb[BATCH];
static int64_t sink;

/* ---- (a) naive: protobuf-c, malloc per call, batch as repeated BinaryOp ---- */

static uint8_t *naive_native(const uint8_t *req, size_t len, size_t *out_len, int batch) {
  if (!batch) {
    Naive__BinaryOp *m = naive__binary_op__unpack(NULL, len, req);
    Naive__Value v = NAIVE__VALUE__INIT;
    v.value = m->a + m->b;
    naive__binary_op__free_unpacked(m, NULL);
    *out_len = naive__value__get_packed_size(&v);
    uint8_t *out = malloc(*out_len);
    naive__value__pack(&v, out);
    return out;
  }
  Naive__BatchOperation *m = naive__batch_operation__unpack(NULL, len, req);
  Naive__BatchResult r = NAIVE__BATCH_RESULT__INIT;
  r.n_values = m->n_ops;
  r.values = malloc(m->n_ops * sizeof *r.values);
  for (size_t i = 0; i < m->n_ops; i++) r.values[i] = m->ops[i]->a + m->ops[i]->b;
  naive__batch_operation__free_unpacked(m, NULL);
  *out_len = naive__batch_result__get_packed_size(&r);
  uint8_t *out = malloc(*out_len);
  naive__batch_result__pack(&r, out);
  free(r.values);
  return out;
}

static void naive_single(void *ctx) {
  (void)ctx;
  static size_t k;
  Naive__BinaryOp m = NAIVE__BINARY_OP__INIT;
  m.a = opa[k % BATCH];
  m.b = opb[k++ % BATCH];
  size_t len = naive__binary_op__get_packed_size(&m);
  uint8_t *req = malloc(len);
  naive__binary_op__pack(&m, req);
  size_t out_len;
  uint8_t *out = naive_native(req, len, &out_len, 0);
  Naive__Value *v = naive__value__unpack(NULL, out_len, out);
  sink += v->value;
  naive__value__free_unpacked(v, NULL);
  free(out);
  free(req);
}

static void naive_batch(void *ctx) {
  (void)ctx;
  Naive__BinaryOp *ops = malloc(BATCH * sizeof *ops);
  Naive__BinaryOp **ptrs = malloc(BATCH * sizeof *ptrs);
  for (size_t i = 0; i < BATCH; i++) {
    naive__binary_op__init(&ops[i]);
    ops[i].a = opa[i];
    ops[i].b = opb[i];
    ptrs[i] = &ops[i];
  }
  Naive__BatchOperation m = NAIVE__BATCH_OPERATION__INIT;
  m.n_ops = BATCH;
  m.ops = ptrs;
  size_t len = naive__batch_operation__get_packed_size(&m);
  uint8_t *req = malloc(len);
  naive__batch_operation__pack(&m, req);
  size_t out_len;
  uint8_t *out = naive_native(req, len, &out_len, 1);
  Naive__BatchResult *r = naive__batch_result__unpack(NULL, out_len, out);
  sink += r->values[BATCH - 1];
  naive__batch_result__free_unpacked(r, NULL);
  free(out);
  free(req);
  free(ptrs);
  free(ops);
}

/* ---- (b) calcgen: the C host path: protobuf-c encode into a reused buffer,
 * dispatch, protobuf-c decode of the response into a reused host arena ---- */

static uint8_t reqbuf[BATCH * 24];
static cg_arena *host_arena;
static ProtobufCAllocator host_alloc;

static void *host_alloc_fn(void *d, size_t n) { return cg_arena_alloc(d, n); }
static void host_free_fn(void *d, void *p) { (void)d, (void)p; }

static void calcgen_single(void *ctx) {
  (void)ctx;
  static size_t k;
  Calc__BinaryOp m = CALC__BINARY_OP__INIT;
  m.a = opa[k % BATCH];
  m.b = opb[k++ % BATCH];
  size_t len = calc__binary_op__pack(&m, reqbuf);
  cg_bytes resp;
  if (calc_calculator_dispatch(CALC_CALCULATOR_OP_ADD, reqbuf, len, &resp) != CG_OK) abort();
  cg_arena_reset(host_arena);
  Calc__Value *v = calc__value__unpack(&host_alloc, resp.len, resp.data);
  sink += v->value;
}

static void calcgen_batch(void *ctx) {
  (void)ctx;
  Calc__BatchOperation m = CALC__BATCH_OPERATION__INIT;
  m.n_a = m.n_b = BATCH;
  m.a = opa;
  m.b = opb;
  size_t len = calc__batch_operation__pack(&m, reqbuf);
  cg_bytes resp;
  if (calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, reqbuf, len, &resp) != CG_OK) abort();
  cg_arena_reset(host_arena);
  Calc__BatchResult *r = calc__batch_result__unpack(&host_alloc, resp.len, resp.data);
  sink += r->values[BATCH - 1];
}

static double heap_per_call(void (*body)(void *), long calls) {
  body(NULL); /* warm-up */
  long before = heap_calls_now();
  for (long i = 0; i < calls; i++) body(NULL);
  return (double)(heap_calls_now() - before) / (double)calls;
}

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  uint64_t x = 0x2545F4914F6CDD1Dull;
  for (int i = 0; i < BATCH; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    opa[i] = (int64_t)(x & 0xffffffffu);
    opb[i] = (int64_t)(x >> 32);
  }
  host_arena = cg_arena_create(NULL);
  host_alloc = (ProtobufCAllocator){host_alloc_fn, host_free_fn, host_arena};
  for (int i = 0; i < 1000; i++) calcgen_single(NULL), calcgen_batch(NULL);

  long sreps = quick ? 20000 : 200000, breps = quick ? 200 : 2000;
  int trials = quick ? 3 : 7;
  double ns_naive_single = best_ns(naive_single, NULL, sreps, trials);
  double ns_cg_single = best_ns(calcgen_single, NULL, sreps, trials);
  double ns_naive_batch = best_ns(naive_batch, NULL, breps, trials) / BATCH;
  double ns_cg_batch = best_ns(calcgen_batch, NULL, breps, trials) / BATCH;

  printf("calcgen dispatch benchmark (kernels: %s, operands in [0, 2^32))\n", cg_isa_active());
  printf("%-44s %12s %14s %10s\n", "path", "ns/op", "heap calls/call", "speed-up");
  printf("%-44s %12.1f %14.2f %9.2fx\n", "single Add: naive protobuf-c, malloc per call",
         ns_naive_single, heap_per_call(naive_single, 1000), 1.0);
  printf("%-44s %12.1f %14.2f %9.2fx\n", "single Add: calcgen C host round trip", ns_cg_single,
         heap_per_call(calcgen_single, 1000), ns_naive_single / ns_cg_single);
  printf("%-44s %12.2f %14.2f %9.2fx\n", "batch 1000 adds: naive, repeated BinaryOp",
         ns_naive_batch, heap_per_call(naive_batch, 100), 1.0);
  printf("%-44s %12.2f %14.2f %9.2fx\n", "batch 1000 adds: calcgen, packed int64", ns_cg_batch,
         heap_per_call(calcgen_batch, 100), ns_naive_batch / ns_cg_batch);
  cg_arena_destroy(host_arena);
  return sink == 42 ? 2 : 0; /* keeps the results alive */
}
