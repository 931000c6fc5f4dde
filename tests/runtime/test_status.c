/* Status names, the per-thread error, limits and the thread's memory. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "calcgen/calcgen.h"
#include "calcgen/support/wire.h"

static void names_follow_the_contract(void **state) {
  (void)state;
  static const char *const want[] = {"CG_OK", "CG_ERR_UNKNOWN_OP", "CG_ERR_DECODE",
                                     "CG_ERR_INVALID_ARGUMENT", "CG_ERR_DIVIDE_BY_ZERO",
                                     "CG_ERR_OVERFLOW", "CG_ERR_LIMIT", "CG_ERR_NO_MEMORY",
                                     "CG_ERR_HANDLER", "CG_ERR_CANCELLED", "CG_ERR_CLOSED"};
  for (int i = 0; i < 11; i++) assert_string_equal(cg_status_name(i), want[i]);
  assert_int_equal(CG_STATUS_COUNT, 11);
  assert_string_equal(cg_status_name(-1), "CG_UNKNOWN_STATUS");
  assert_string_equal(cg_status_name(99), "CG_UNKNOWN_STATUS");
  assert_string_equal(cg_status_text(CG_ERR_DIVIDE_BY_ZERO), "division by zero");
}

static void first_error_wins_until_cleared(void **state) {
  (void)state;
  cg_clear_error();
  assert_string_equal(cg_last_error(), "");
  assert_int_equal(cg_fail(CG_ERR_DECODE, "first %d", 1), CG_ERR_DECODE);
  assert_int_equal(cg_fail(CG_ERR_LIMIT, "second"), CG_ERR_LIMIT);
  assert_string_equal(cg_last_error(), "first 1");
  assert_int_equal(cg_last_error_index(), -1);
  cg_fail_at(CG_ERR_OVERFLOW, 7, "not recorded: the first error wins");
  assert_int_equal(cg_last_error_index(), -1);
  cg_clear_error();
  assert_int_equal(cg_fail_at(CG_ERR_OVERFLOW, 7, "at %d", 7), CG_ERR_OVERFLOW);
  assert_int_equal(cg_last_error_index(), 7);
  assert_string_equal(cg_last_error(), "at 7");
  cg_clear_error();
  assert_int_equal(cg_last_error_index(), -1);
  cg_fail_at(CG_ERR_OVERFLOW, -5, "a negative index means none");
  assert_int_equal(cg_last_error_index(), -1);
  cg_clear_error();
  assert_string_equal(cg_last_error(), "");
  char long_text[1000];
  memset(long_text, 'x', sizeof long_text - 1);
  long_text[sizeof long_text - 1] = '\0';
  cg_fail(CG_ERR_DECODE, "%s", long_text); /* truncated, never overflows */
  assert_true(strlen(cg_last_error()) < 300);
  cg_clear_error();
  /* Truncation never splits a UTF-8 character: at every offset of a run of
   * 2-, 3- and 4-byte characters the text ends on a whole one. */
  static const char *const chars[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
  for (int c = 0; c < 3; c++) {
    for (int shift = 0; shift < 4; shift++) {
      char text[700] = "";
      memset(text, 'x', (size_t)shift);
      while (strlen(text) + 4 < sizeof text) strcat(text, chars[c]);
      cg_fail(CG_ERR_DECODE, "%s", text);
      const char *got = cg_last_error();
      size_t len = strlen(got), clen = strlen(chars[c]);
      assert_true(len > 200 && len < 256);
      assert_int_equal((len - (size_t)shift) % clen, 0);
      cg_clear_error();
    }
  }
}

static void *other_thread(void *arg) {
  (void)arg;
  cg_clear_error();
  cg_fail(CG_ERR_OVERFLOW, "from the other thread");
  return NULL;
}

static void errors_are_per_thread(void **state) {
  (void)state;
#ifdef __wasi__
  skip(); /* a wasm32-wasi module has one thread */
#endif
  cg_clear_error();
  cg_fail(CG_ERR_DECODE, "main");
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
  pthread_join(t, NULL);
  assert_string_equal(cg_last_error(), "main");
  cg_clear_error();
}

static void request_limit_and_response_buffer(void **state) {
  (void)state;
  cg_limits saved = cg_get_limits();
  cg_limits l = saved;
  l.max_request = 100;
  l.max_response = 1000;
  cg_set_limits(&l);
  assert_int_equal(cg_max_request(), 100); /* what hosts that copy requests in check first */
  cg_arena *a;
  cg_bytes resp;
  const uint8_t *req = NULL;
  assert_int_equal(cg_call_leave(cg_call_enter(&req, 101, &resp, "test")), CG_ERR_LIMIT);
  assert_non_null(strstr(cg_last_error(), "test: request of 101 bytes exceeds the limit of 100 bytes"));
  static const uint8_t hundred[100];
  req = hundred;
  assert_int_equal(cg_call_leave(cg_call_enter(&req, 100, &resp, "test")), CG_OK);
  assert_string_equal(cg_last_error(), "");
  assert_int_equal(cg_call_arena(&a), CG_OK);
  uint8_t *buf;
  assert_int_equal(cg_response_buffer(1001, &buf), CG_ERR_LIMIT);
  assert_int_equal(cg_response_buffer(1000, &buf), CG_OK);
  memset(buf, 1, 1000);
  cg_set_limits(&saved);
  /* A large response's buffer is given back once responses are small again. */
  assert_int_equal(cg_call_arena(&a), CG_OK);
  assert_int_equal(cg_response_buffer(8 << 20, &buf), CG_OK);
  assert_true(cg_thread_footprint() >= (8u << 20));
  assert_int_equal(cg_response_buffer(16, &buf), CG_OK);
  assert_true(cg_thread_footprint() < (2u << 20));
  cg_thread_release();
  assert_int_equal(cg_thread_footprint(), 0);
  cg_set_limits(NULL);
  assert_int_equal(cg_get_limits().max_request, CG_DEFAULT_MAX_REQUEST);
}

static void expect_bytes(uint32_t field, cg_encoding enc, uint64_t bits, const char *hex) {
  uint8_t buf[CG_SCALAR_FIELD_MAX];
  size_t len = (size_t)(cg_put_scalar_field(buf, field, enc, bits) - buf);
  char got[64] = "";
  for (size_t i = 0; i < len; i++) snprintf(got + 2 * i, 3, "%02x", buf[i]);
  assert_string_equal(got, hex);
}

static void scalar_response_wire_bytes(void **state) {
  (void)state;
  expect_bytes(1, CG_ENC_VARINT64, 0, "");                     /* default: omitted */
  expect_bytes(1, CG_ENC_VARINT64, 150, "089601");
  expect_bytes(1, CG_ENC_VARINT64, (uint64_t)(int64_t)-1, "08ffffffffffffffffff01");
  expect_bytes(2, CG_ENC_SINT32, (uint32_t)-1, "1001");
  expect_bytes(2, CG_ENC_SINT64, (uint64_t)INT64_MIN, "10ffffffffffffffffff01");
  expect_bytes(3, CG_ENC_FIXED32, cg_f32_bits(-0.0f), "1d00000080"); /* -0.0 is kept */
  expect_bytes(3, CG_ENC_FIXED64, cg_f64_bits(1.0), "19000000000000f03f");
  expect_bytes(16, CG_ENC_VARINT64, 1, "800101");
}

static void version_is_set(void **state) {
  (void)state;
  assert_string_equal(cg_version(), CALCGEN_VERSION);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(names_follow_the_contract),
      cmocka_unit_test(first_error_wins_until_cleared),
      cmocka_unit_test(errors_are_per_thread),
      cmocka_unit_test(request_limit_and_response_buffer),
      cmocka_unit_test(scalar_response_wire_bytes),
      cmocka_unit_test(version_is_set),
  };
  return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
