/* Arena: alignment, growth, cap, reset, shrinking, failure injection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "calcgen/calcgen.h"
#include "test_alloc.h"

static int setup(void **state) {
  (void)state;
  test_alloc_install();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  test_alloc_stats s = test_alloc_stats_now();
  test_alloc_uninstall();
  assert_int_equal(s.live_blocks, 0); /* every test frees what it made */
  return 0;
}

static void alignment_and_distinct_pointers(void **state) {
  (void)state;
  cg_arena *a = cg_arena_create(NULL);
  assert_non_null(a);
  unsigned char *prev = NULL;
  for (size_t size = 0; size < 100; size++) {
    unsigned char *p = cg_arena_alloc(a, size);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    if (prev) assert_true(p >= prev + 16);
    memset(p, 0xCD, size); /* writable to its full size (ASan checks) */
    prev = p;
  }
  cg_arena_destroy(a);
}

static void grows_in_chunks_then_rebuilds_as_one(void **state) {
  (void)state;
  cg_arena_config cfg = {.initial = 1024, .retain = 1 << 20, .cap = 1 << 22};
  cg_arena *a = cg_arena_create(&cfg);
  assert_int_equal(cg_arena_footprint(a), 1024);
  for (int i = 0; i < 100; i++) assert_non_null(cg_arena_alloc(a, 100)); /* 100 x 112 bytes */
  size_t grown = cg_arena_footprint(a);
  assert_true(grown > 1024);
  size_t allocs = test_alloc_stats_now().allocs;
  cg_arena_reset(a);
  /* One chunk big enough for the whole previous call... */
  assert_true(cg_arena_footprint(a) >= 100 * 112);
  assert_int_equal(test_alloc_stats_now().live_blocks, 2); /* arena + one chunk */
  /* ...so repeating the call allocates nothing. */
  size_t after_reset = test_alloc_stats_now().allocs;
  assert_true(after_reset > allocs);
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 100; i++) assert_non_null(cg_arena_alloc(a, 100));
    cg_arena_reset(a);
  }
  assert_int_equal(test_alloc_stats_now().allocs, after_reset);
  cg_arena_destroy(a);
}

static void cap_gives_limit_and_reset_clears_it(void **state) {
  (void)state;
  cg_arena_config cfg = {.initial = 4096, .retain = 8192, .cap = 16384};
  cg_arena *a = cg_arena_create(&cfg);
  assert_non_null(cg_arena_alloc(a, 8000));
  assert_null(cg_arena_alloc(a, 16384)); /* more than what is left under the cap */
  assert_int_equal(cg_arena_failure(a), CG_ERR_LIMIT);
  assert_null(cg_arena_alloc(a, (size_t)-1)); /* absurd sizes fail cleanly too */
  assert_true(cg_arena_footprint(a) <= cfg.cap);
  cg_arena_reset(a);
  assert_int_equal(cg_arena_failure(a), CG_OK);
  assert_non_null(cg_arena_alloc(a, 100));
  cg_arena_destroy(a);
}

static void oversized_call_shrinks_back(void **state) {
  (void)state;
  cg_arena_config cfg = {.initial = 4096, .retain = 65536, .cap = 1 << 24};
  cg_arena *a = cg_arena_create(&cfg);
  assert_non_null(cg_arena_alloc(a, 1 << 20));
  assert_true(cg_arena_footprint(a) > (1 << 20));
  cg_arena_reset(a);
  assert_int_equal(cg_arena_footprint(a), 4096);
  cg_arena_destroy(a);
}

static void strdup_copies(void **state) {
  (void)state;
  cg_arena *a = cg_arena_create(NULL);
  char *s = cg_arena_strdup(a, "calcgen");
  assert_string_equal(s, "calcgen");
  assert_null(cg_arena_strdup(a, NULL));
  cg_arena_destroy(a);
}

/* Every allocation the arena makes fails in turn: each failure is reported
 * as CG_ERR_NO_MEMORY, nothing leaks, and the arena works afterwards. */
static void every_allocation_can_fail(void **state) {
  (void)state;
  test_alloc_fail_after(0);
  assert_null(cg_arena_create(NULL));
  test_alloc_fail_after(1); /* the struct succeeds, the first chunk fails */
  assert_null(cg_arena_create(NULL));
  assert_int_equal(test_alloc_stats_now().live_blocks, 0);

  cg_arena_config cfg = {.initial = 256, .retain = 4096, .cap = 1 << 20};
  int injected = 0;
  for (long k = 0;; k++) {
    cg_arena *a = cg_arena_create(&cfg);
    assert_non_null(a);
    test_alloc_fail_after(k);
    int failed_at = -1;
    for (int i = 0; i < 64; i++)
      if (!cg_arena_alloc(a, 200)) {
        failed_at = i;
        break;
      }
    test_alloc_fail_after(-1);
    if (failed_at < 0) {
      cg_arena_destroy(a);
      break;
    }
    injected++;
    assert_int_equal(cg_arena_failure(a), CG_ERR_NO_MEMORY);
    cg_arena_reset(a);
    assert_non_null(cg_arena_alloc(a, 200)); /* usable again */
    cg_arena_destroy(a);
  }
  assert_true(injected >= 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(alignment_and_distinct_pointers, setup, teardown),
      cmocka_unit_test_setup_teardown(grows_in_chunks_then_rebuilds_as_one, setup, teardown),
      cmocka_unit_test_setup_teardown(cap_gives_limit_and_reset_clears_it, setup, teardown),
      cmocka_unit_test_setup_teardown(oversized_call_shrinks_back, setup, teardown),
      cmocka_unit_test_setup_teardown(strdup_copies, setup, teardown),
      cmocka_unit_test_setup_teardown(every_allocation_can_fail, setup, teardown),
  };
  return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
