/* What a careless or hostile host and handler may do, answered with a clear
 * status instead of a crash or a wrong result: nested calls from handlers,
 * huge element counts and NULL arguments through the C host API, arena sizes
 * that would wrap, a nesting limit set past what the stack allows. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nested.calcgen.h"

/* ---- tests ------------------------------------------------------------- */

static uint8_t buf[1 << 16];

static void nested_calls_leave_the_outer_call_intact(void **state) {
  (void)state;
  for (int depth = 0; depth < 4; depth++) {
    Nest__Text t = NEST__TEXT__INIT;
    t.text = "the outer request's text";
    t.depth = depth;
    size_t len = nest__text__pack(&t, buf);
    cg_bytes resp;
    cg_status st = nest_nested_dispatch(NEST_NESTED_OP_DESCRIBE, buf, len, &resp);
    assert_int_equal(st, CG_OK);
    assert_string_equal(cg_last_error(), ""); /* the recovered nested failure is not this call's */
    Nest__Text *r = nest__text__unpack(NULL, resp.len, resp.data);
    assert_non_null(r);
    assert_string_equal(r->text, "the outer request's text");
    nest__text__free_unpacked(r, NULL);
  }
}

static void nesting_has_a_limit(void **state) {
  (void)state;
  Nest__Text t = NEST__TEXT__INIT, out;
  t.text = "down";
  cg_arena *a = cg_arena_create(NULL);
  t.depth = CG_MAX_NESTED_CALLS - 1; /* the outermost call and 7 nested ones */
  assert_int_equal(nest_nested_call_recurse(&t, &out, a), CG_OK);
  assert_string_equal(out.text, "bottom");
  t.depth = CG_MAX_NESTED_CALLS;
  assert_int_equal(nest_nested_call_recurse(&t, &out, a), CG_ERR_LIMIT);
  assert_non_null(strstr(cg_last_error(), "calls nested 9 deep"));
  /* and the thread is usable afterwards */
  t.depth = 2;
  assert_int_equal(nest_nested_call_recurse(&t, &out, a), CG_OK);
  cg_arena_destroy(a);
}

static void host_api_bounds_and_nulls(void **state) {
  (void)state;
  int64_t a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, out[4];
  /* element counts whose byte sizes would wrap */
  assert_int_equal(nest_nested_invoke_add_all(a, b, ((size_t)1 << 60) + 1, out), CG_ERR_LIMIT);
  assert_non_null(strstr(cg_last_error(), "AddAll: 1152921504606846977 elements exceed the batch limit"));
  assert_int_equal(nest_nested_invoke_add_all(a, b, SIZE_MAX, out), CG_ERR_LIMIT);
  assert_int_equal(nest_nested_layout_add_all(buf, SIZE_MAX / 4), 0);
  assert_int_equal(nest_nested_layout_add_all(NULL, 4), 0);
  /* NULL pointers */
  assert_int_equal(nest_nested_invoke_add_all(a, b, 4, NULL), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(nest_nested_invoke_add_all(NULL, b, 4, out), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(nest_nested_invoke_add_all(NULL, NULL, 0, NULL), CG_OK); /* nothing to read or write */
  assert_int_equal(nest_nested_invoke_add(1, 2, NULL), CG_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(cg_last_error(), "nest_nested_invoke_add: result is NULL"));
  Nest__Text t = NEST__TEXT__INIT, r;
  assert_int_equal(nest_nested_call_describe(NULL, &r, NULL), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(nest_nested_call_describe(&t, NULL, NULL), CG_ERR_INVALID_ARGUMENT);
  const int64_t *values;
  size_t n;
  cg_bytes empty = {NULL, 0};
  assert_int_equal(nest_nested_view_add_all(empty, NULL, &n), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(nest_nested_view_add_all(empty, &values, NULL), CG_ERR_INVALID_ARGUMENT);
  /* a request struct that claims more elements than any batch may hold */
  Nest__Pairs huge = NEST__PAIRS__INIT;
  Nest__Sums sums;
  huge.n_a = huge.n_b = ((size_t)1 << 60) + 1;
  huge.a = huge.b = a;
  cg_arena *arena = cg_arena_create(NULL);
  assert_int_equal(nest_nested_call_add_all(&huge, &sums, arena), CG_ERR_LIMIT);
  assert_non_null(strstr(cg_last_error(), "AddAll: nest.Pairs.a has 1152921504606846977 elements"));
  cg_arena_destroy(arena);
  /* the host's request is checked against max_request, its response against max_response */
  cg_limits l = cg_get_limits();
  l.max_response = 1000;
  cg_set_limits(&l);
  static int64_t many[200];
  static int64_t res[200];
  assert_int_equal(nest_nested_invoke_add_all(many, many, 200, res), CG_ERR_LIMIT);
  assert_non_null(strstr(cg_last_error(), "response of 1608 bytes exceeds the limit of 1000 bytes"));
  cg_set_limits(NULL);
  /* still correct after all that */
  assert_int_equal(nest_nested_invoke_add_all(a, b, 4, out), CG_OK);
  assert_int_equal(out[3], 12);
}

static void dispatch_argument_errors_say_what_they_are(void **state) {
  (void)state;
  cg_limits l = cg_get_limits();
  l.max_request = 100;
  cg_set_limits(&l);
  /* NULL resp with an oversized request: the NULL is the error reported */
  assert_int_equal(nest_nested_dispatch(NEST_NESTED_OP_ADD, buf, 1000, NULL), CG_ERR_INVALID_ARGUMENT);
  assert_string_equal(cg_last_error(), "nest_nested_dispatch: resp is NULL");
  cg_bytes resp;
  assert_int_equal(nest_nested_dispatch(NEST_NESTED_OP_ADD, buf, 1000, &resp), CG_ERR_LIMIT);
  assert_string_equal(cg_last_error(), "nest_nested_dispatch: request of 1000 bytes exceeds the limit of 100 bytes");
  /* a host that lies about the length of a NULL request gets no CG_OK */
  l.max_request = SIZE_MAX;
  cg_set_limits(&l);
  assert_int_equal(nest_nested_dispatch(NEST_NESTED_OP_ADD, NULL, SIZE_MAX, &resp), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(nest_nested_dispatch(NEST_NESTED_OP_ADD, NULL, 0, &resp), CG_OK);
  cg_set_limits(NULL);
}

static void arena_sizes_that_would_wrap(void **state) {
  (void)state;
  cg_arena_config cfg = {.initial = 1024, .retain = 4096, .cap = SIZE_MAX};
  cg_arena *a = cg_arena_create(&cfg);
  assert_non_null(a);
  for (size_t k = 0; k < 32; k++) {
    assert_null(cg_arena_alloc(a, SIZE_MAX - k));
    assert_int_equal(cg_arena_failure(a), CG_ERR_LIMIT);
  }
  cg_arena_reset(a);
  assert_non_null(cg_arena_alloc(a, 100)); /* still usable */
  cg_arena_destroy(a);
}

static void depth_limit_has_a_ceiling(void **state) {
  (void)state;
  cg_limits l = cg_get_limits();
  l.max_depth = UINT_MAX;
  cg_set_limits(&l);
  assert_int_equal(cg_get_limits().max_depth, CG_MAX_DEPTH_CEILING);
  cg_set_limits(NULL);
  assert_int_equal(cg_get_limits().max_depth, CG_DEFAULT_MAX_DEPTH);
}

static void a_response_passed_back_as_the_next_request(void **state) {
  (void)state;
  /* MakePairs answers a Pairs that AddAll reads in place; the host hands the
   * response bytes straight to the next call, whose smaller response must not
   * free or overwrite them (sizes on both sides of the kept-buffer limit). */
  static const int32_t sizes[] = {1000, 40000, 80000, 150000};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    Nest__Text t = NEST__TEXT__INIT;
    t.text = "";
    t.depth = sizes[k];
    size_t len = nest__text__pack(&t, buf);
    cg_bytes pairs, sums;
    assert_int_equal(nest_nested_dispatch(NEST_NESTED_OP_MAKE_PAIRS, buf, len, &pairs), CG_OK);
    assert_int_equal(nest_nested_dispatch(NEST_NESTED_OP_ADD_ALL, pairs.data, pairs.len, &sums), CG_OK);
    const int64_t *v;
    size_t n;
    assert_int_equal(nest_nested_view_add_all(sums, &v, &n), CG_OK);
    assert_int_equal(n, (size_t)sizes[k]);
    for (size_t i = 0; i < n; i += 997) assert_int_equal(v[i], 1001 * (int64_t)i);
    assert_int_equal(v[n - 1], 1001 * (int64_t)(n - 1));
  }
}

static void errors_of_recovered_nested_calls(void **state) {
  (void)state;
  static const struct { const char *text; cg_status st; const char *detail; } cases[] = {
      {"ok", CG_OK, ""},
      {"own", CG_ERR_INVALID_ARGUMENT, "Recover: the text is not acceptable"},
      {"bare", CG_ERR_INVALID_ARGUMENT, "Recover: handler failed with CG_ERR_INVALID_ARGUMENT"},
      {"pass", CG_ERR_DIVIDE_BY_ZERO, "Div: division by zero"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    Nest__Text t = NEST__TEXT__INIT;
    t.text = (char *)cases[k].text;
    size_t len = nest__text__pack(&t, buf);
    cg_bytes resp;
    assert_int_equal(nest_nested_dispatch(NEST_NESTED_OP_RECOVER, buf, len, &resp), cases[k].st);
    assert_string_equal(cg_last_error(), cases[k].detail);
  }
}

static void batch_limit_has_a_ceiling(void **state) {
  (void)state;
  cg_limits l = cg_get_limits();
  l.max_batch = SIZE_MAX; /* "no limit" */
  cg_set_limits(&l);
  assert_int_equal(cg_get_limits().max_batch, CG_MAX_BATCH_CEILING);
  int64_t a[1] = {1}, out[1];
  assert_int_equal(nest_nested_invoke_add_all(a, a, SIZE_MAX / 8, out), CG_ERR_LIMIT);
  assert_int_equal(nest_nested_layout_add_all(buf, SIZE_MAX / 8), 0);
  cg_set_limits(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(nested_calls_leave_the_outer_call_intact),
      cmocka_unit_test(nesting_has_a_limit),
      cmocka_unit_test(host_api_bounds_and_nulls),
      cmocka_unit_test(dispatch_argument_errors_say_what_they_are),
      cmocka_unit_test(arena_sizes_that_would_wrap),
      cmocka_unit_test(depth_limit_has_a_ceiling),
      cmocka_unit_test(a_response_passed_back_as_the_next_request),
      cmocka_unit_test(errors_of_recovered_nested_calls),
      cmocka_unit_test(batch_limit_has_a_ceiling),
  };
  return cmocka_run_group_tests_name("hostile use", tests, NULL, NULL);
}
