/* The calculator's typed entry points on fresh data, the same source built
 * natively and for wasm32-wasi (run under Node): what a call and a batch of
 * 1000 cost in the module itself, beside the native library. The JavaScript
 * bindings' own cost is bench_js.mjs's; bench/wasm/run.sh prints both.
 *
 *   bench_invoke [--quick]   one line per case: "name ns_per_unit unit"
 * Operands: 65,536 distinct pairs (full-range int64 or doubles) and 64
 * distinct batches of 1000, cycled, so the branch predictor cannot learn them.
 * kernel_* rows: the active kernel set alone (cg_kernel) over the same batches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculator.calcgen.h"
#include "fresh_data.h"
#include "timing.h"

enum { PAIRS = 1 << 16, BATCH = 1000, BATCHES = 64 };

static int64_t A[PAIRS], B[PAIRS], OUT[BATCH];
static double FA[PAIRS], FB[PAIRS], FOUT[BATCH];
static int64_t sink;
static double fsink;
static size_t at;

static void add_one(void *ctx) {
  (void)ctx;
  int64_t r;
  size_t i = at++ & (PAIRS - 1);
  if (calc_calculator_invoke_add(A[i], B[i], &r) != CG_OK) abort();
  sink += r;
}

static void divide_float_one(void *ctx) {
  (void)ctx;
  double r;
  size_t i = at++ & (PAIRS - 1);
  if (calc_calculator_invoke_divide_float(FA[i], FB[i], &r) != CG_OK) abort();
  fsink += r;
}

static void batch_add(void *ctx) {
  (void)ctx;
  size_t i = (at++ % BATCHES) * BATCH;
  if (calc_calculator_invoke_batch_add(A + i, B + i, BATCH, OUT) != CG_OK) abort();
  sink += OUT[at % BATCH];
}

static void batch_multiply_float(void *ctx) {
  (void)ctx;
  size_t i = (at++ % BATCHES) * BATCH;
  if (calc_calculator_invoke_batch_multiply_float(FA + i, FB + i, BATCH, FOUT) != CG_OK) abort();
  fsink += FOUT[at % BATCH];
}

/* The active kernel set alone over one batch: what SIMD buys without the
 * codec around it. */
static cg_kernel_fn kernel;
static const void *KA, *KB;
static void *KO;
static size_t kwidth;

static void kernel_1000(void *ctx) {
  (void)ctx;
  size_t i = (at++ % BATCHES) * BATCH * kwidth;
  size_t fail;
  if (kernel((const char *)KA + i, (const char *)KB + i, KO, BATCH, &fail) != CG_OK) abort();
}

static double kernel_ns(cg_kernel_op op, cg_elem_type type, const void *a, const void *b, void *o, size_t width,
                        long reps, int trials) {
  kernel = cg_kernel(op, type, CG_WRAP);
  KA = a, KB = b, KO = o, kwidth = width;
  return best_ns(kernel_1000, NULL, reps, trials) / BATCH;
}

static int32_t IA[PAIRS], IB[PAIRS], IOUT[BATCH];

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  uint64_t seed = 20261129;
  for (size_t i = 0; i < PAIRS; i++) {
    A[i] = (int64_t)fresh_next(&seed);
    B[i] = (int64_t)fresh_next(&seed);
    FA[i] = (double)(int64_t)fresh_next(&seed) / 1e6;
    FB[i] = (double)((fresh_next(&seed) >> 11) | 1) / 1e3;
  }
  long reps = quick ? 20000 : 400000;
  int trials = quick ? 3 : 7;
  printf("kernels %s\n", cg_isa_active());
  printf("add %.2f ns/call\n", best_ns(add_one, NULL, reps, trials));
  printf("divide_float %.2f ns/call\n", best_ns(divide_float_one, NULL, reps, trials));
  printf("batch_add_1000 %.3f ns/element\n", best_ns(batch_add, NULL, reps / 100, trials) / BATCH);
  printf("batch_multiply_float_1000 %.3f ns/element\n", best_ns(batch_multiply_float, NULL, reps / 100, trials) / BATCH);
  for (size_t i = 0; i < PAIRS; i++) {
    IA[i] = (int32_t)fresh_next(&seed);
    IB[i] = (int32_t)(fresh_next(&seed) | 1);
  }
  printf("kernel_add_i64_1000 %.3f ns/element\n", kernel_ns(CG_KERNEL_ADD, CG_TYPE_I64, A, B, OUT, 8, reps / 10, trials));
  printf("kernel_mul_f64_1000 %.3f ns/element\n", kernel_ns(CG_KERNEL_MUL, CG_TYPE_F64, FA, FB, FOUT, 8, reps / 10, trials));
  printf("kernel_div_i32_1000 %.3f ns/element\n", kernel_ns(CG_KERNEL_DIV, CG_TYPE_I32, IA, IB, IOUT, 4, reps / 10, trials));
  return sink == 42 && fsink == 0.5; /* keeps the results live */
}
