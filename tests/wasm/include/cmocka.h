/* The part of cmocka the C suites use, for their wasm32-wasi builds.
 *
 * cmocka needs setjmp/longjmp, which wasm32-wasi with clang 14 does not have.
 * This header runs the same test arrays with the same assertions: a failed
 * assertion prints where and why and ends the program with status 1 (no
 * longjmp back to the next test), skip() returns from the test and counts it
 * as skipped. Native builds use the real cmocka. */
#ifndef CALCGEN_TESTS_WASM_CMOCKA_H
#define CALCGEN_TESTS_WASM_CMOCKA_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
  const char *name;
  CMUnitTestFunction test_func;
  CMFixtureFunction setup_func;
  CMFixtureFunction teardown_func;
  void *initial_state;
};

#define cmocka_unit_test(f) {#f, f, NULL, NULL, NULL}
#define cmocka_unit_test_setup_teardown(f, setup, teardown) {#f, f, setup, teardown, NULL}

static const char *cmw_current = "";
static int cmw_skipped;

static void cmw_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4), noreturn));
#include <stdarg.h>
static void cmw_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "[  FAILED  ] %s\n%s:%d: ", cmw_current, file, line);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

#define assert_true(c)                                                         \
  do {                                                                         \
    if (!(c)) cmw_fail(__FILE__, __LINE__, "%s is false", #c);                 \
  } while (0)
#define assert_false(c)                                                        \
  do {                                                                         \
    if (c) cmw_fail(__FILE__, __LINE__, "%s is true", #c);                     \
  } while (0)
#define assert_int_equal(a, b)                                                 \
  do {                                                                         \
    uintmax_t a_ = (uintmax_t)(a), b_ = (uintmax_t)(b);                        \
    if (a_ != b_) cmw_fail(__FILE__, __LINE__, "%#" PRIxMAX " != %#" PRIxMAX, a_, b_); \
  } while (0)
#define assert_int_not_equal(a, b)                                             \
  do {                                                                         \
    uintmax_t a_ = (uintmax_t)(a), b_ = (uintmax_t)(b);                        \
    if (a_ == b_) cmw_fail(__FILE__, __LINE__, "%#" PRIxMAX " == %#" PRIxMAX, a_, b_); \
  } while (0)
#define assert_non_null(p)                                                     \
  do {                                                                         \
    if ((p) == NULL) cmw_fail(__FILE__, __LINE__, "%s is NULL", #p);           \
  } while (0)
#define assert_null(p)                                                         \
  do {                                                                         \
    if ((p) != NULL) cmw_fail(__FILE__, __LINE__, "%s is not NULL", #p);       \
  } while (0)
#define assert_string_equal(a, b)                                              \
  do {                                                                         \
    const char *a_ = (a), *b_ = (b);                                           \
    if (strcmp(a_, b_) != 0) cmw_fail(__FILE__, __LINE__, "\"%s\" != \"%s\"", a_, b_); \
  } while (0)
#define assert_memory_equal(a, b, n)                                           \
  do {                                                                         \
    if (memcmp((a), (b), (n)) != 0) cmw_fail(__FILE__, __LINE__, "%s and %s differ", #a, #b); \
  } while (0)
#define fail() cmw_fail(__FILE__, __LINE__, "fail()")
#define fail_msg(...) cmw_fail(__FILE__, __LINE__, __VA_ARGS__)
#define skip()                                                                 \
  do {                                                                         \
    cmw_skipped = 1;                                                           \
    return;                                                                    \
  } while (0)

static int cmw_run(const char *group, const struct CMUnitTest *tests, size_t n,
                   CMFixtureFunction setup, CMFixtureFunction teardown) {
  void *group_state = NULL;
  size_t skipped = 0;
  printf("[==========] %s: running %zu test(s)\n", group, n);
  if (setup && setup(&group_state) != 0) cmw_fail(__FILE__, __LINE__, "group setup of %s failed", group);
  for (size_t i = 0; i < n; i++) {
    void *state = tests[i].initial_state ? tests[i].initial_state : group_state;
    cmw_current = tests[i].name;
    cmw_skipped = 0;
    if (tests[i].setup_func && tests[i].setup_func(&state) != 0)
      cmw_fail(__FILE__, __LINE__, "setup of %s failed", tests[i].name);
    tests[i].test_func(&state);
    if (tests[i].teardown_func && tests[i].teardown_func(&state) != 0)
      cmw_fail(__FILE__, __LINE__, "teardown of %s failed", tests[i].name);
    printf("[ %s ] %s\n", cmw_skipped ? "SKIPPED " : "      OK", tests[i].name);
    skipped += (size_t)cmw_skipped;
  }
  if (teardown && teardown(&group_state) != 0) cmw_fail(__FILE__, __LINE__, "group teardown of %s failed", group);
  printf("[  PASSED  ] %zu test(s), %zu skipped\n", n - skipped, skipped);
  return 0;
}

#define cmocka_run_group_tests(tests, setup, teardown)                         \
  cmw_run(#tests, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)
#define cmocka_run_group_tests_name(name, tests, setup, teardown)              \
  cmw_run(name, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)

#endif
