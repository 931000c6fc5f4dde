/* A cg_allocator for tests (after Lua's test allocator): counts live blocks
 * and bytes, and can fail the Nth allocation from now. */
#ifndef CALCGEN_TESTS_TEST_ALLOC_H
#define CALCGEN_TESTS_TEST_ALLOC_H

#include <stddef.h>

typedef struct test_alloc_stats {
  size_t allocs, frees, live_blocks, live_bytes;
} test_alloc_stats;

void test_alloc_install(void);           /* counting, never failing */
void test_alloc_uninstall(void);         /* back to malloc; asserts nothing leaked */
void test_alloc_fail_after(long n);      /* allocation n (0 = the next) fails; -1 never */
test_alloc_stats test_alloc_stats_now(void);

#endif
