/* Limits, memory after huge requests, and allocation-failure injection,
 * through the generated calculator's dispatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calculator.calcgen.h"
#include "test_alloc.h"

static uint8_t *req;
static size_t req_cap;

/* A BatchOperation with n varint elements per operand, or a FixedBatch. */
static size_t batch_request(size_t n, int fixed) {
  size_t need = fixed ? CG_BATCH_REQUEST_SIZE(n, 8) : 32 + 20 * n;
  if (need > req_cap) {
    free(req);
    req = malloc(need);
    req_cap = need;
  }
  if (fixed) {
    size_t len = calc_calculator_layout_batch_add_fixed(req, n);
    for (size_t i = 0; i < n; i++) {
      int64_t v = (int64_t)i;
      memcpy(req + 8 + 8 * i, &v, 8);
      memcpy(req + 16 + 8 * n + 8 * i, &v, 8);
    }
    return len;
  }
  int64_t *a = malloc((n ? n : 1) * sizeof *a);
  for (size_t i = 0; i < n; i++) a[i] = (int64_t)(i * 77);
  Calc__BatchOperation m = CALC__BATCH_OPERATION__INIT;
  m.n_a = m.n_b = n;
  m.a = m.b = a;
  size_t len = calc__batch_operation__pack(&m, req);
  free(a);
  return len;
}

static void fails(cg_status got, cg_status want, const char *detail) {
  assert_int_equal(got, want);
  if (!strstr(cg_last_error(), detail)) fail_msg("detail %s lacks %s", cg_last_error(), detail);
}

static void each_limit_answers_with_its_message(void **state) {
  (void)state;
  cg_bytes resp;
  cg_limits l = cg_get_limits();
  l.max_request = 1000;
  cg_set_limits(&l);
  size_t len = batch_request(200, 1);
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD_FIXED, req, len, &resp), CG_ERR_LIMIT,
        "request of 3216 bytes exceeds the limit of 1000 bytes");
  l.max_request = 0;
  l.max_batch = 100;
  cg_set_limits(&l);
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD_FIXED, req, len, &resp), CG_ERR_LIMIT,
        "BatchAddFixed: 200 elements exceed the batch limit of 100");
  len = batch_request(200, 0);
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, req, len, &resp), CG_ERR_LIMIT,
        "BatchAdd: 200 elements exceed the batch limit of 100");
  l.max_batch = 0;
  l.max_response = 1000;
  cg_set_limits(&l);
  len = batch_request(200, 1);
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD_FIXED, req, len, &resp), CG_ERR_LIMIT,
        "response of 1608 bytes exceeds the limit of 1000 bytes");
  /* varint results are measured, not bounded at ten bytes each: 200 results
   * below 2^14 (2,010 bytes at worst) take about 400 and fit in 1000 */
  len = batch_request(200, 0);
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, req, len, &resp), CG_OK);
  assert_true(resp.len < 1000);
  l.max_response = 300;
  cg_set_limits(&l);
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, req, len, &resp), CG_ERR_LIMIT,
        "BatchAdd: the response of 200 results takes 502 bytes, over the limit of 300 bytes");
  l.max_response = 1000;
  /* the arena cap: a new configuration applies to a thread's next arena */
  l.max_response = 0;
  l.arena = (cg_arena_config){4096, 8192, 64 << 10};
  cg_set_limits(&l);
  cg_thread_release();
  len = batch_request(20000, 0);
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, req, len, &resp), CG_ERR_LIMIT,
        "pass the arena cap of 65536 bytes");
  len = batch_request(100, 0); /* and the next call is fine */
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, req, len, &resp), CG_OK);
  cg_set_limits(NULL);
  cg_thread_release();
}

static void memory_returns_after_a_huge_request(void **state) {
  (void)state;
  cg_bytes resp;
  cg_thread_release();
  size_t len = batch_request(1000, 0);
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, req, len, &resp), CG_OK);
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, req, len, &resp), CG_OK);
  size_t steady = cg_thread_footprint();
  size_t huge_len = batch_request(2000000, 0);
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, req, huge_len, &resp), CG_OK);
  size_t peak = cg_thread_footprint();
  len = batch_request(1000, 0);
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, req, len, &resp), CG_OK);
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, req, len, &resp), CG_OK);
  size_t after = cg_thread_footprint();
  printf("thread footprint: steady %zu bytes, during a 2,000,000-element batch %zu, after %zu\n", steady,
         peak, after);
  assert_true(peak > 10 * steady);
  assert_true(after <= steady + 4096);
  /* after a rejected request too */
  cg_limits l = cg_get_limits();
  l.max_batch = 1000;
  cg_set_limits(&l);
  huge_len = batch_request(2000000, 0);
  fails(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, req, huge_len, &resp), CG_ERR_LIMIT,
        "exceed the batch limit of 1000");
  cg_set_limits(NULL);
  len = batch_request(1000, 0);
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, req, len, &resp), CG_OK);
  assert_true(cg_thread_footprint() <= steady + 4096);
  cg_thread_release();
}

/* ---- fault injection: every allocation the runtime makes, failed in turn ---- */

typedef struct scenario {
  const char *name;
  uint32_t op;
  size_t n;   /* batch elements; 0 for a single op */
  int fixed;
} scenario;

static size_t injected;

static size_t scenario_request(const scenario *s) {
  if (s->n) return batch_request(s->n, s->fixed);
  if (s->op == CALC_CALCULATOR_OP_FORMAT_NUMBER) {
    Calc__FormatRequest m = CALC__FORMAT_REQUEST__INIT;
    m.value = -123456789;
    m.radix = 3;
    return calc__format_request__pack(&m, req);
  }
  Calc__BinaryOp m = CALC__BINARY_OP__INIT;
  m.a = 40;
  m.b = 2;
  return calc__binary_op__pack(&m, req);
}

static void every_allocation_can_fail(void **state) {
  (void)state;
  static const scenario scenarios[] = {
      {"Add", CALC_CALCULATOR_OP_ADD, 0, 0},
      {"FormatNumber", CALC_CALCULATOR_OP_FORMAT_NUMBER, 0, 0},
      {"BatchAdd x5000", CALC_CALCULATOR_OP_BATCH_ADD, 5000, 0},
      {"BatchAddFixed x5000", CALC_CALCULATOR_OP_BATCH_ADD_FIXED, 5000, 1},
      {"host: invoke_batch_add x5000", 0, 5000, 0},
  };
  static int64_t a[5000], out[5000];
  for (int i = 0; i < 5000; i++) a[i] = i;
  batch_request(5000, 0);
  for (size_t k = 0; k < sizeof scenarios / sizeof scenarios[0]; k++) {
    const scenario *s = &scenarios[k];
    for (long fail_at = 0;; fail_at++) {
      cg_thread_release(); /* every call starts from nothing: all its allocations happen */
      test_alloc_install();
      size_t len = scenario_request(s);
      cg_bytes resp;
      test_alloc_fail_after(fail_at);
      cg_status st = s->op ? calc_calculator_dispatch(s->op, req, len, &resp)
                           : calc_calculator_invoke_batch_add(a, a, 5000, out);
      test_alloc_fail_after(-1);
      if (st == CG_OK) { /* past the last allocation: done with this scenario */
        cg_thread_release();
        assert_int_equal(test_alloc_stats_now().live_blocks, 0);
        test_alloc_uninstall();
        break;
      }
      injected++;
      if (st != CG_ERR_NO_MEMORY) fail_msg("%s, allocation %ld failed: %s (%s)", s->name, fail_at, cg_status_name(st), cg_last_error());
      assert_true(strlen(cg_last_error()) > 0);
      /* the next call succeeds and is right */
      if (s->op) {
        assert_int_equal(calc_calculator_dispatch(s->op, req, len, &resp), CG_OK);
      } else {
        assert_int_equal(calc_calculator_invoke_batch_add(a, a, 5000, out), CG_OK);
        assert_int_equal(out[4999], 2 * 4999);
      }
      cg_thread_release();
      test_alloc_stats stats = test_alloc_stats_now();
      if (stats.live_blocks != 0) fail_msg("%s, allocation %ld failed: %zu blocks leaked", s->name, fail_at, stats.live_blocks);
      test_alloc_uninstall();
    }
  }
  printf("fault injection: %zu failed allocations, each CG_ERR_NO_MEMORY, no leak, next call fine\n", injected);
  assert_true(injected >= 8);
}

/* Ops over scalars take no arena and no response buffer: they answer even
 * on a fresh thread with every runtime allocation failing. */
static void scalar_ops_need_no_memory(void **state) {
  (void)state;
  cg_thread_release();
  test_alloc_install();
  test_alloc_fail_after(0);
  Calc__BinaryOp m = CALC__BINARY_OP__INIT;
  m.a = 40;
  m.b = 2;
  size_t len = calc__binary_op__pack(&m, req);
  cg_bytes resp;
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_ADD, req, len, &resp), CG_OK);
  assert_int_equal(resp.len, 2);
  assert_true(resp.data[0] == 0x08 && resp.data[1] == 42);
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_DIVIDE, req, len, &resp), CG_OK);
  assert_true(resp.len == 2 && resp.data[0] == 0x08 && resp.data[1] == 20);
  int64_t r = 0;
  assert_int_equal(calc_calculator_invoke_multiply(6, 7, &r), CG_OK);
  assert_int_equal(r, 42);
  assert_int_equal(cg_thread_footprint(), 0); /* nothing was created */
  test_alloc_fail_after(-1);
  test_alloc_uninstall();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(each_limit_answers_with_its_message),
      cmocka_unit_test(memory_returns_after_a_huge_request),
      cmocka_unit_test(every_allocation_can_fail),
      cmocka_unit_test(scalar_ops_need_no_memory),
  };
  int rc = cmocka_run_group_tests_name("limits", tests, NULL, NULL);
  free(req);
  return rc;
}
