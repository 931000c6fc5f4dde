/* Heap allocations per dispatch after warm-up, counted by interposing
 * malloc & co. for the whole process (protobuf-c and libc included).
 * Contract: zero per call, single and batch, success and error. Not built
 * under sanitizers, which interpose malloc themselves. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alloc_count.h" /* bench/: interposes malloc & co. */
#include "calculator.calcgen.h"

static uint8_t buf[1 << 16];
static int64_t a[1000], b[1000];
static int failures;

/* Packs once (outside the count), then dispatches `calls` times. */
static void measure(const char *what, uint32_t op, const ProtobufCMessage *m, cg_status want) {
  size_t len = m ? protobuf_c_message_pack(m, buf) : 0;
  cg_bytes resp;
  for (int i = 0; i < 10; i++) calc_calculator_dispatch(op, buf, len, &resp); /* warm-up */
  enum { CALLS = 1000 };
  long before = heap_calls_now();
  for (int i = 0; i < CALLS; i++) {
    cg_status st = calc_calculator_dispatch(op, buf, len, &resp);
    if (st != want) {
      printf("FAIL %s: status %s, want %s\n", what, cg_status_name(st), cg_status_name(want));
      failures++;
      return;
    }
  }
  long n = heap_calls_now() - before;
  printf("%-34s %8.3f heap calls per call\n", what, (double)n / CALLS);
  if (n != 0) failures++;
}

int main(void) {
  for (int i = 0; i < 1000; i++) {
    a[i] = (int64_t)i * 977 - 4000;
    b[i] = i % 11 + 1;
  }
  Calc__BinaryOp bin = CALC__BINARY_OP__INIT;
  bin.a = 123456789;
  bin.b = 987;
  Calc__BinaryOp zero = CALC__BINARY_OP__INIT;
  zero.a = 1;
  Calc__BatchOperation batch = CALC__BATCH_OPERATION__INIT;
  batch.n_a = batch.n_b = 1000;
  batch.a = a;
  batch.b = b;
  Calc__FormatRequest fmt = CALC__FORMAT_REQUEST__INIT;
  fmt.value = -1234567;
  fmt.radix = 7;
  Calc__FactorialRequest fact = CALC__FACTORIAL_REQUEST__INIT;
  fact.n = 30;

  measure("Add (single)", CALC_CALCULATOR_OP_ADD, &bin.base, CG_OK);
  measure("Divide by zero (error)", CALC_CALCULATOR_OP_DIVIDE, &zero.base, CG_ERR_DIVIDE_BY_ZERO);
  measure("BatchAdd x1000", CALC_CALCULATOR_OP_BATCH_ADD, &batch.base, CG_OK);
  measure("BatchDivide x1000", CALC_CALCULATOR_OP_BATCH_DIVIDE, &batch.base, CG_OK);
  measure("FormatNumber (user handler)", CALC_CALCULATOR_OP_FORMAT_NUMBER, &fmt.base, CG_OK);
  measure("Factorial 30 (handler error)", CALC_CALCULATOR_OP_FACTORIAL, &fact.base, CG_ERR_OVERFLOW);
  measure("unknown op", 999, NULL, CG_ERR_UNKNOWN_OP);
  printf("%d passed, %d failed\n", 7 - failures, failures);
  return failures ? 1 : 0;
}
