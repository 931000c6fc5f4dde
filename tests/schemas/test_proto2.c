/* Kernel ops on proto2 messages (tests/schemas/unusual/proto2.proto):
 * presence and defaults survive the round trip. An operand written as zero
 * is zero, an absent one takes its default, and a zero result is written,
 * so that a proto2 reader does not take the result field's default (7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "proto2.calcgen.h"

static int64_t add_bytes(const uint8_t *req, size_t len) {
  cg_bytes resp;
  assert_int_equal(legacy_legacy_dispatch(LEGACY_LEGACY_OP_ADD, req, len, &resp), CG_OK);
  Legacy__Value *v = legacy__value__unpack(NULL, resp.len, resp.data);
  assert_non_null(v);
  assert_true(v->has_value);
  int64_t r = v->value;
  legacy__value__free_unpacked(v, NULL);
  return r;
}

static void defaults_and_zeros(void **state) {
  (void)state;
  assert_int_equal(add_bytes(NULL, 0), 3);                                   /* a absent: its default 3 */
  assert_int_equal(add_bytes((const uint8_t[]){8, 0, 16, 5}, 4), 5);          /* a = 0 written: zero */
  assert_int_equal(add_bytes((const uint8_t[]){8, 0, 16, 0}, 4), 0);          /* a zero result is present */
  assert_int_equal(add_bytes((const uint8_t[]){8, 2, 16, 0}, 4), 2);          /* b = 0 written: zero */
}

static void host_call_reads_a_zero_result_as_zero(void **state) {
  (void)state;
  cg_arena *arena = cg_arena_create(NULL);
  assert_non_null(arena);
  Legacy__Pair req = LEGACY__PAIR__INIT;
  req.has_a = 1, req.a = 0, req.has_b = 1, req.b = 0;
  Legacy__Value resp = LEGACY__VALUE__INIT;
  assert_int_equal(legacy_legacy_call_add(&req, &resp, arena), CG_OK);
  assert_true(resp.has_value);
  assert_int_equal(resp.value, 0); /* not the field's default, 7 */
  cg_arena_destroy(arena);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(defaults_and_zeros),
                                     cmocka_unit_test(host_call_reads_a_zero_result_as_zero)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
