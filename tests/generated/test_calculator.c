/* The generated calculator (schemas/calculator.proto), through its dispatch
 * entry point: every op, every error path, and calls from 4 threads. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calculator.calcgen.h"
#include "xorshift.h"

static uint8_t reqbuf[1 << 20];

static cg_status send(uint32_t op, const ProtobufCMessage *m, cg_bytes *resp) {
  size_t len = protobuf_c_message_pack(m, reqbuf);
  return calc_calculator_dispatch(op, reqbuf, len, resp);
}

static cg_status binary(uint32_t op, int64_t a, int64_t b, int64_t *out) {
  Calc__BinaryOp req = CALC__BINARY_OP__INIT;
  req.a = a;
  req.b = b;
  cg_bytes resp;
  cg_status st = send(op, &req.base, &resp);
  if (st != CG_OK) {
    assert_null(resp.data);
    assert_int_equal(resp.len, 0);
    return st;
  }
  Calc__Value *v = calc__value__unpack(NULL, resp.len, resp.data);
  assert_non_null(v);
  *out = v->value;
  calc__value__free_unpacked(v, NULL);
  return st;
}

static int64_t ok_binary(uint32_t op, int64_t a, int64_t b) {
  int64_t r = 0;
  assert_int_equal(binary(op, a, b, &r), CG_OK);
  return r;
}

static void fails(cg_status got, cg_status want, const char *detail) {
  assert_int_equal(got, want);
  assert_non_null(strstr(cg_last_error(), detail));
}

static void single_ops(void **state) {
  (void)state;
  assert_int_equal(ok_binary(CALC_CALCULATOR_OP_ADD, 7, 5), 12);
  assert_int_equal(ok_binary(CALC_CALCULATOR_OP_SUBTRACT, 7, 5), 2);
  assert_int_equal(ok_binary(CALC_CALCULATOR_OP_MULTIPLY, -7, 5), -35);
  assert_int_equal(ok_binary(CALC_CALCULATOR_OP_DIVIDE, -7, 2), -3); /* toward zero */
  assert_int_equal(ok_binary(CALC_CALCULATOR_OP_MODULO, -7, 2), -1);
  assert_int_equal(ok_binary(CALC_CALCULATOR_OP_ADD_CHECKED, 1, 2), 3);
  assert_int_equal(ok_binary(CALC_CALCULATOR_OP_MULTIPLY_CHECKED, -3, 4), -12);
  assert_string_equal(cg_last_error(), "");
}

static void wrap_and_checked(void **state) {
  (void)state;
  int64_t r;
  assert_int_equal(ok_binary(CALC_CALCULATOR_OP_ADD, INT64_MAX, 1), INT64_MIN);
  assert_int_equal(ok_binary(CALC_CALCULATOR_OP_SUBTRACT, INT64_MIN, 1), INT64_MAX);
  assert_int_equal(ok_binary(CALC_CALCULATOR_OP_MULTIPLY, INT64_MAX, 2), -2);
  fails(binary(CALC_CALCULATOR_OP_ADD_CHECKED, INT64_MAX, 1, &r), CG_ERR_OVERFLOW, "AddChecked");
  fails(binary(CALC_CALCULATOR_OP_MULTIPLY_CHECKED, INT64_MIN, -1, &r), CG_ERR_OVERFLOW,
        "MultiplyChecked: arithmetic overflow");
  /* MIN / -1 wraps under WRAP */
  assert_int_equal(ok_binary(CALC_CALCULATOR_OP_DIVIDE, INT64_MIN, -1), INT64_MIN);
  assert_int_equal(ok_binary(CALC_CALCULATOR_OP_MODULO, INT64_MIN, -1), 0);
}

static void division_by_zero(void **state) {
  (void)state;
  int64_t r;
  fails(binary(CALC_CALCULATOR_OP_DIVIDE, 1, 0, &r), CG_ERR_DIVIDE_BY_ZERO, "Divide: division by zero");
  fails(binary(CALC_CALCULATOR_OP_MODULO, 1, 0, &r), CG_ERR_DIVIDE_BY_ZERO, "Modulo");
  /* the empty request is a=0, b=0 */
  cg_bytes resp;
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_DIVIDE, NULL, 0, &resp), CG_ERR_DIVIDE_BY_ZERO,
        "division by zero");
}

static double float_div(double a, double b) {
  Calc__FloatOp req = CALC__FLOAT_OP__INIT;
  req.a = a;
  req.b = b;
  cg_bytes resp;
  assert_int_equal(send(CALC_CALCULATOR_OP_DIVIDE_FLOAT, &req.base, &resp), CG_OK);
  Calc__FloatValue *v = calc__float_value__unpack(NULL, resp.len, resp.data);
  double r = v->value;
  calc__float_value__free_unpacked(v, NULL);
  return r;
}

static void float_op(void **state) {
  (void)state;
  assert_true(float_div(1.0, 4.0) == 0.25);
  assert_true(isinf(float_div(1.0, 0.0)) && float_div(1.0, 0.0) > 0);
  assert_true(isinf(float_div(-1.0, 0.0)) && float_div(-1.0, 0.0) < 0);
  assert_true(isnan(float_div(0.0, 0.0)));
  assert_true(isnan(float_div(NAN, 1.0)));
}

static int64_t fixed_add(int64_t a, int64_t b) {
  Calc__FixedOp req = CALC__FIXED_OP__INIT;
  req.a = a;
  req.b = b;
  cg_bytes resp;
  assert_int_equal(send(CALC_CALCULATOR_OP_ADD_FIXED, &req.base, &resp), CG_OK);
  Calc__FixedValue *v = calc__fixed_value__unpack(NULL, resp.len, resp.data);
  assert_non_null(v);
  int64_t r = v->value;
  calc__fixed_value__free_unpacked(v, NULL);
  return r;
}

/* AddFixed: the single op over sfixed64 operands. protobuf-c writes the
 * request and reads the response; the typed host call must agree with the
 * varint Add on every operand, and bad bytes fail like any request's. */
static void fixed_width_single_op(void **state) {
  (void)state;
  assert_int_equal(fixed_add(7, 5), 12);
  assert_int_equal(fixed_add(-7, 5), -2);
  assert_int_equal(fixed_add(INT64_MAX, 1), INT64_MIN); /* WRAP */
  assert_int_equal(fixed_add(0, 0), 0);                 /* the empty response */
  cg_bytes resp;
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_ADD_FIXED, NULL, 0, &resp), CG_OK);
  assert_int_equal(resp.len, 0);

  uint64_t seed = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < 2000; i++) {
    int64_t a = (int64_t)xorshift64(&seed), b = (int64_t)xorshift64(&seed);
    if (i % 3 == 0) a >>= 40, b >>= 33; /* small and negative too */
    int64_t want = 0, got = 1;
    assert_int_equal(calc_calculator_invoke_add(a, b, &want), CG_OK);
    assert_int_equal(calc_calculator_invoke_add_fixed(a, b, &got), CG_OK);
    assert_true(got == want);
    assert_true(fixed_add(a, b) == want);
  }

  static const uint8_t truncated[] = {0x09, 1, 2, 3, 4, 5, 6, 7};              /* 7 of 8 bytes */
  static const uint8_t wrong_wire[] = {0x08, 0x05};                            /* a as a varint */
  static const uint8_t later_wins[] = {0x11, 1, 0, 0, 0, 0, 0, 0, 0, 0x09, 2, 0, 0, 0, 0, 0, 0, 0,
                                       0x11, 3, 0, 0, 0, 0, 0, 0, 0};         /* b, a, b again */
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_ADD_FIXED, truncated, sizeof truncated, &resp),
        CG_ERR_DECODE, "AddFixed: request is not a valid calc.FixedOp (8 bytes)");
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_ADD_FIXED, wrong_wire, sizeof wrong_wire, &resp),
        CG_ERR_DECODE, "AddFixed");
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_ADD_FIXED, later_wins, sizeof later_wins, &resp),
                   CG_OK);
  Calc__FixedValue *v = calc__fixed_value__unpack(NULL, resp.len, resp.data);
  assert_non_null(v);
  assert_int_equal(v->value, 5);
  calc__fixed_value__free_unpacked(v, NULL);
}

static cg_status batch(uint32_t op, const int64_t *a, size_t na, const int64_t *b, size_t nb,
                       Calc__BatchResult **out) {
  Calc__BatchOperation req = CALC__BATCH_OPERATION__INIT;
  req.n_a = na;
  req.a = (int64_t *)a;
  req.n_b = nb;
  req.b = (int64_t *)b;
  cg_bytes resp;
  cg_status st = send(op, &req.base, &resp);
  *out = st == CG_OK ? calc__batch_result__unpack(NULL, resp.len, resp.data) : NULL;
  if (st == CG_OK) assert_non_null(*out);
  return st;
}

static void batch_ops(void **state) {
  (void)state;
  enum { N = 5000 }; /* more than one kernel chunk */
  static int64_t a[N], b[N];
  for (size_t i = 0; i < N; i++) {
    a[i] = (int64_t)(i * 2654435761u) - 1000000;
    b[i] = (int64_t)(i % 97) + 1;
  }
  static const uint32_t ops[] = {CALC_CALCULATOR_OP_BATCH_ADD, CALC_CALCULATOR_OP_BATCH_SUBTRACT,
                                 CALC_CALCULATOR_OP_BATCH_MULTIPLY, CALC_CALCULATOR_OP_BATCH_DIVIDE,
                                 CALC_CALCULATOR_OP_BATCH_ADD_CHECKED};
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    Calc__BatchResult *r;
    assert_int_equal(batch(ops[k], a, N, b, N, &r), CG_OK);
    assert_int_equal(r->n_values, N);
    for (size_t i = 0; i < N; i++) {
      int64_t want = k == 0 ? a[i] + b[i] : k == 1 ? a[i] - b[i] : k == 2 ? a[i] * b[i]
                   : k == 3 ? a[i] / b[i] : a[i] + b[i];
      assert_int_equal(r->values[i], want);
    }
    calc__batch_result__free_unpacked(r, NULL);
  }
}

static void batch_errors(void **state) {
  (void)state;
  int64_t a[300], b[300];
  for (int i = 0; i < 300; i++) {
    a[i] = i;
    b[i] = 1;
  }
  Calc__BatchResult *r;
  fails(batch(CALC_CALCULATOR_OP_BATCH_ADD, a, 3, b, 2, &r), CG_ERR_INVALID_ARGUMENT,
        "BatchAdd: operand lengths differ (a has 3 elements, b has 2)");
  assert_int_equal(cg_last_error_index(), -1); /* no one element is at fault */
  b[257] = 0;
  fails(batch(CALC_CALCULATOR_OP_BATCH_DIVIDE, a, 300, b, 300, &r), CG_ERR_DIVIDE_BY_ZERO,
        "BatchDivide: division by zero at index 257");
  assert_int_equal(cg_last_error_index(), 257);
  a[42] = INT64_MAX;
  fails(batch(CALC_CALCULATOR_OP_BATCH_ADD_CHECKED, a, 300, b, 300, &r), CG_ERR_OVERFLOW,
        "BatchAddChecked: arithmetic overflow at index 42");
  assert_int_equal(cg_last_error_index(), 42);
  /* the typed entry point names the same element */
  int64_t out[300];
  assert_int_equal(calc_calculator_invoke_batch_add_checked(a, b, 300, out), CG_ERR_OVERFLOW);
  assert_int_equal(cg_last_error_index(), 42);
  /* an empty batch is valid and gives an empty result */
  assert_int_equal(batch(CALC_CALCULATOR_OP_BATCH_ADD, a, 0, b, 0, &r), CG_OK);
  assert_int_equal(r->n_values, 0);
  calc__batch_result__free_unpacked(r, NULL);
  cg_bytes resp;
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, NULL, 0, &resp), CG_OK);
  assert_int_equal(resp.len, 0);
  assert_int_equal(cg_last_error_index(), -1); /* a success forgets it */
}

static void float_batch(void **state) {
  (void)state;
  double a[33], b[33];
  for (int i = 0; i < 33; i++) {
    a[i] = i * 0.5;
    b[i] = i == 7 ? INFINITY : 3.0;
  }
  Calc__FloatBatch req = CALC__FLOAT_BATCH__INIT;
  req.n_a = req.n_b = 33;
  req.a = a;
  req.b = b;
  cg_bytes resp;
  assert_int_equal(send(CALC_CALCULATOR_OP_BATCH_MULTIPLY_FLOAT, &req.base, &resp), CG_OK);
  Calc__FloatBatchResult *r = calc__float_batch_result__unpack(NULL, resp.len, resp.data);
  assert_int_equal(r->n_values, 33);
  for (int i = 0; i < 33; i++)
    if (i == 0) assert_true(r->values[i] == 0.0);
    else assert_true(r->values[i] == a[i] * b[i]);
  calc__float_batch_result__free_unpacked(r, NULL);
}

static void user_handlers(void **state) {
  (void)state;
  Calc__FactorialRequest f = CALC__FACTORIAL_REQUEST__INIT;
  f.n = 20;
  cg_bytes resp;
  assert_int_equal(send(CALC_CALCULATOR_OP_FACTORIAL, &f.base, &resp), CG_OK);
  Calc__Value *v = calc__value__unpack(NULL, resp.len, resp.data);
  assert_int_equal(v->value, 2432902008176640000);
  calc__value__free_unpacked(v, NULL);
  f.n = 21;
  fails(send(CALC_CALCULATOR_OP_FACTORIAL, &f.base, &resp), CG_ERR_OVERFLOW, "21! does not fit");

  Calc__FormatRequest fr = CALC__FORMAT_REQUEST__INIT;
  fr.value = -255;
  fr.radix = 16;
  assert_int_equal(send(CALC_CALCULATOR_OP_FORMAT_NUMBER, &fr.base, &resp), CG_OK);
  Calc__CalculatorResponse *t = calc__calculator_response__unpack(NULL, resp.len, resp.data);
  assert_string_equal(t->text, "-ff");
  calc__calculator_response__free_unpacked(t, NULL);
  fr.radix = 1;
  fails(send(CALC_CALCULATOR_OP_FORMAT_NUMBER, &fr.base, &resp), CG_ERR_INVALID_ARGUMENT,
        "radix 1 is outside 2..36");
}

static void bad_input(void **state) {
  (void)state;
  cg_bytes resp = {(const uint8_t *)"x", 1};
  fails(calc_calculator_dispatch(999, NULL, 0, &resp), CG_ERR_UNKNOWN_OP, "no op with id 999");
  assert_null(resp.data);
  fails(calc_calculator_dispatch(0, NULL, 0, &resp), CG_ERR_UNKNOWN_OP, "id 0");
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_ADD, NULL, 5, &resp), CG_ERR_INVALID_ARGUMENT,
        "req is NULL");
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_ADD, NULL, 0, NULL), CG_ERR_INVALID_ARGUMENT,
        "resp is NULL");
  static const uint8_t truncated[] = {0x08, 0xff, 0xff};
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_ADD, truncated, sizeof truncated, &resp),
        CG_ERR_DECODE, "Add: request is not a valid calc.BinaryOp");
  static const uint8_t wrong_wire_type[] = {0x0a, 0x01, 0x00}; /* field 1 as bytes */
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_ADD, wrong_wire_type, sizeof wrong_wire_type,
                                 &resp), CG_ERR_DECODE, "calc.BinaryOp");
  static const uint8_t length_past_end[] = {0x0a, 0x10, 0x01}; /* packed a, 16 bytes claimed */
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, length_past_end,
                                 sizeof length_past_end, &resp), CG_ERR_DECODE, "BatchOperation");
  /* unknown fields are skipped */
  static const uint8_t unknown_field[] = {0x08, 0x02, 0x10, 0x03, 0xa0, 0x06, 0x01};
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_ADD, unknown_field,
                                            sizeof unknown_field, &resp), CG_OK);
  /* random bytes: a status every time, never a crash */
  uint64_t x = 12345;
  uint8_t junk[64];
  for (int round = 0; round < 20000; round++) {
    size_t len = (size_t)(round % 64);
    for (size_t i = 0; i < len; i++) {
      junk[i] = (uint8_t)xorshift64(&x);
    }
    uint32_t op = (uint32_t)(x % 24);
    cg_status st = calc_calculator_dispatch(op, junk, len, &resp);
    assert_true(st >= CG_OK && st < CG_STATUS_COUNT);
    assert_true(st == CG_OK || resp.data == NULL);
  }
}

static void names_and_hash(void **state) {
  (void)state;
  assert_string_equal(calc_calculator_op_name(CALC_CALCULATOR_OP_ADD), "Add");
  assert_string_equal(calc_calculator_op_name(21), "FormatNumber");
  assert_string_equal(calc_calculator_op_name(CALC_CALCULATOR_OP_ADD_FIXED), "AddFixed");
  assert_null(calc_calculator_op_name(17));
  assert_true(calc_calculator_schema_hash() == CALC_CALCULATOR_SCHEMA_HASH);
  int count = 0;
#define COUNT(id, ...) count++;
  CALC_CALCULATOR_OPS(COUNT)
#undef COUNT
  assert_int_equal(count, CALC_CALCULATOR_OPS_COUNT);
}

/* ---- host side: P_call_*, P_invoke_*, P_layout_* / P_view_* ---- */

static void host_calls(void **state) {
  (void)state;
  int64_t r = 0;
  assert_int_equal(calc_calculator_invoke_add(7, 5, &r), CG_OK);
  assert_int_equal(r, 12);
  assert_int_equal(calc_calculator_invoke_add(INT64_MIN, -1, &r), CG_OK);
  assert_int_equal(r, INT64_MAX);
  fails(calc_calculator_invoke_divide(1, 0, &r), CG_ERR_DIVIDE_BY_ZERO, "Divide: division by zero");
  double d = 0;
  assert_int_equal(calc_calculator_invoke_divide_float(-0.0, 1.0, &d), CG_OK);
  assert_true(d == 0.0 && signbit(d)); /* -0.0 survives both directions */

  cg_arena *arena = cg_arena_create(NULL);
  Calc__FormatRequest fr = CALC__FORMAT_REQUEST__INIT;
  fr.value = 35;
  fr.radix = 36;
  Calc__CalculatorResponse text;
  assert_int_equal(calc_calculator_call_format_number(&fr, &text, arena), CG_OK);
  assert_string_equal(text.text, "z");
  Calc__FactorialRequest fq = CALC__FACTORIAL_REQUEST__INIT;
  fq.n = 5;
  Calc__Value v;
  assert_int_equal(calc_calculator_call_factorial(&fq, &v, arena), CG_OK);
  assert_int_equal(v.value, 120);

  enum { N = 3000 };
  static int64_t a[N], b[N], out[N];
  for (int i = 0; i < N; i++) {
    a[i] = (int64_t)i * 1000003 - 77;
    b[i] = i % 5 + 1;
  }
  Calc__BatchOperation bo = CALC__BATCH_OPERATION__INIT;
  bo.n_a = bo.n_b = N;
  bo.a = a;
  bo.b = b;
  Calc__BatchResult br;
  assert_int_equal(calc_calculator_call_batch_multiply(&bo, &br, arena), CG_OK);
  assert_int_equal(br.n_values, N);
  for (int i = 0; i < N; i++) assert_int_equal(br.values[i], a[i] * b[i]);
  assert_int_equal(calc_calculator_invoke_batch_subtract(a, b, N, out), CG_OK);
  for (int i = 0; i < N; i++) assert_int_equal(out[i], a[i] - b[i]);
  assert_int_equal(calc_calculator_invoke_batch_add_fixed(a, b, N, out), CG_OK);
  for (int i = 0; i < N; i++) assert_int_equal(out[i], a[i] + b[i]);
  assert_int_equal(calc_calculator_invoke_batch_add_fixed(a, b, 0, out), CG_OK);
  cg_arena_destroy(arena);
}

static void zero_copy_layout_and_view(void **state) {
  (void)state;
  enum { N = 1000 };
  static _Alignas(16) uint8_t buf[CG_BATCH_REQUEST_SIZE(N, 8) + 8];
  for (size_t shift = 0; shift < 2; shift++) { /* aligned, then 1 byte off */
    uint8_t *base = buf + shift;
    size_t len = calc_calculator_layout_batch_add_fixed(base, N);
    assert_int_equal(len, CG_BATCH_REQUEST_SIZE(N, 8));
    for (int64_t i = 0; i < N; i++) { /* as a Dart Int64List view would write them */
      memcpy(base + 8 + 8 * i, &i, 8);
      int64_t twice = 2 * i;
      memcpy(base + 16 + 8 * N + 8 * i, &twice, 8);
    }
    cg_bytes resp;
    assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD_FIXED, base, len, &resp), CG_OK);
    const int64_t *values;
    size_t n;
    assert_int_equal(calc_calculator_view_batch_add_fixed(resp, &values, &n), CG_OK);
    assert_int_equal(n, N);
    assert_int_equal((uintptr_t)values % 8, 0); /* the response payload is aligned */
    for (int64_t i = 0; i < N; i++) assert_int_equal(values[i], 3 * i);
    /* protobuf-c reads the overlong headers too */
    Calc__FixedBatchResult *r = calc__fixed_batch_result__unpack(NULL, resp.len, resp.data);
    assert_non_null(r);
    assert_int_equal(r->n_values, N);
    assert_int_equal(r->values[N - 1], 3 * (N - 1));
    calc__fixed_batch_result__free_unpacked(r, NULL);
  }
}

/* Operands in several pieces and unpacked elements take the gather path. */
static void batch_operands_in_pieces(void **state) {
  (void)state;
  uint8_t req[256], *p = req;
  int64_t a[4] = {1, 2, 3, 4}, b[4] = {10, 20, 30, 40};
  /* a: packed {1,2}, then unpacked 3, then packed {4}; b: unpacked x4 */
  *p++ = 0x0a; *p++ = 16; memcpy(p, a, 16); p += 16;
  *p++ = 0x09; memcpy(p, &a[2], 8); p += 8;
  for (int i = 0; i < 4; i++) { *p++ = 0x11; memcpy(p, &b[i], 8); p += 8; }
  *p++ = 0x0a; *p++ = 8; memcpy(p, &a[3], 8); p += 8;
  *p++ = 0x18; *p++ = 0x05; /* an unknown varint field, skipped */
  cg_bytes resp;
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD_FIXED, req, (size_t)(p - req), &resp), CG_OK);
  Calc__FixedBatchResult *r = calc__fixed_batch_result__unpack(NULL, resp.len, resp.data);
  assert_int_equal(r->n_values, 4);
  for (int i = 0; i < 4; i++) assert_int_equal(r->values[i], a[i] + b[i]);
  calc__fixed_batch_result__free_unpacked(r, NULL);
  /* wrong wire type for an operand, and a packed length that is not a multiple of 8 */
  static const uint8_t bad_wire[] = {0x08, 0x01};
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD_FIXED, bad_wire, sizeof bad_wire, &resp),
        CG_ERR_DECODE, "BatchAddFixed: request is not a valid calc.FixedBatch");
  static const uint8_t bad_len[] = {0x0a, 0x03, 1, 2, 3};
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD_FIXED, bad_len, sizeof bad_len, &resp),
        CG_ERR_DECODE, "calc.FixedBatch");
  /* varint operands: a packed run with an unterminated varint */
  static const uint8_t bad_varint[] = {0x0a, 0x02, 0x01, 0x80, 0x12, 0x02, 0x01, 0x01};
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, bad_varint, sizeof bad_varint, &resp),
        CG_ERR_DECODE, "calc.BatchOperation");
}

/* ---- 4 threads, mixed calls, every result checked ---- */

static void *worker(void *arg) {
  uintptr_t seed = (uintptr_t)arg;
  uint8_t buf[4096];
  int64_t a[64], b[64];
  for (int i = 0; i < 20000; i++) {
    int64_t x = (int64_t)(seed * 1000003 + (uintptr_t)i), y = (int64_t)(i % 13) - 6;
    cg_bytes resp;
    if (i % 3 == 0) {
      size_t n = (size_t)(i % 64);
      for (size_t k = 0; k < n; k++) {
        a[k] = x + (int64_t)k;
        b[k] = y;
      }
      Calc__BatchOperation req = CALC__BATCH_OPERATION__INIT;
      req.n_a = req.n_b = n;
      req.a = a;
      req.b = b;
      size_t len = protobuf_c_message_pack(&req.base, buf);
      cg_status st = calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_DIVIDE, buf, len, &resp);
      if (y == 0 && n > 0) {
        if (st != CG_ERR_DIVIDE_BY_ZERO || !strstr(cg_last_error(), "at index 0")) return (void *)1;
        continue;
      }
      if (st != CG_OK) return (void *)2;
      Calc__BatchResult *r = calc__batch_result__unpack(NULL, resp.len, resp.data);
      if (!r || r->n_values != n) return (void *)3;
      for (size_t k = 0; k < n; k++)
        if (r->values[k] != a[k] / b[k]) return (void *)4;
      calc__batch_result__free_unpacked(r, NULL);
    } else {
      Calc__BinaryOp req = CALC__BINARY_OP__INIT;
      req.a = x;
      req.b = y;
      size_t len = protobuf_c_message_pack(&req.base, buf);
      cg_status st = calc_calculator_dispatch(CALC_CALCULATOR_OP_MODULO, buf, len, &resp);
      if (y == 0) {
        if (st != CG_ERR_DIVIDE_BY_ZERO) return (void *)5;
        continue;
      }
      if (st != CG_OK) return (void *)6;
      Calc__Value *v = calc__value__unpack(NULL, resp.len, resp.data);
      if (!v || v->value != x % y) return (void *)7;
      calc__value__free_unpacked(v, NULL);
    }
  }
  return NULL;
}

static void four_threads(void **state) {
  (void)state;
#ifdef __wasi__
  skip(); /* a wasm32-wasi module has one thread */
#endif
  pthread_t t[4];
  for (uintptr_t i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i), 0);
  for (int i = 0; i < 4; i++) {
    void *ret;
    pthread_join(t[i], &ret);
    assert_null(ret);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(single_ops),     cmocka_unit_test(wrap_and_checked),
      cmocka_unit_test(division_by_zero), cmocka_unit_test(float_op),
      cmocka_unit_test(batch_ops),      cmocka_unit_test(batch_errors),
      cmocka_unit_test(float_batch),    cmocka_unit_test(user_handlers),
      cmocka_unit_test(bad_input),      cmocka_unit_test(names_and_hash),
      cmocka_unit_test(fixed_width_single_op),
      cmocka_unit_test(host_calls),     cmocka_unit_test(zero_copy_layout_and_view),
      cmocka_unit_test(batch_operands_in_pieces),
      cmocka_unit_test(four_threads),
  };
  return cmocka_run_group_tests_name("calculator", tests, NULL, NULL);
}
