#include "test_alloc.h"

#include <pthread.h>
#include <stdlib.h>

#include "calcgen/alloc.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static test_alloc_stats stats;
static long fail_countdown = -1;

static void *t_alloc(void *ud, size_t size) {
  (void)ud;
  pthread_mutex_lock(&lock);
  int fail = fail_countdown == 0;
  if (fail_countdown >= 0) fail_countdown--;
  void *p = fail ? NULL : malloc(size);
  if (p) {
    stats.allocs++;
    stats.live_blocks++;
    stats.live_bytes += size;
  }
  pthread_mutex_unlock(&lock);
  return p;
}

static void t_free(void *ud, void *ptr, size_t size) {
  (void)ud;
  pthread_mutex_lock(&lock);
  stats.frees++;
  stats.live_blocks--;
  stats.live_bytes -= size;
  pthread_mutex_unlock(&lock);
  free(ptr);
}

void test_alloc_install(void) {
  static const cg_allocator a = {t_alloc, t_free, NULL};
  stats = (test_alloc_stats){0, 0, 0, 0};
  fail_countdown = -1;
  cg_set_allocator(&a);
}

void test_alloc_uninstall(void) {
  fail_countdown = -1;
  cg_set_allocator(NULL);
}

void test_alloc_fail_after(long n) {
  pthread_mutex_lock(&lock);
  fail_countdown = n;
  pthread_mutex_unlock(&lock);
}

test_alloc_stats test_alloc_stats_now(void) {
  pthread_mutex_lock(&lock);
  test_alloc_stats s = stats;
  pthread_mutex_unlock(&lock);
  return s;
}
