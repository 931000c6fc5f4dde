#include "alloc_count.h"

#include <stdatomic.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static atomic_long calls;

void *malloc(size_t n) {
  atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
  return __libc_malloc(n);
}
void *calloc(size_t n, size_t m) {
  atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
  return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n) {
  atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
  return __libc_realloc(p, n);
}
void free(void *p) {
  if (p) atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
  __libc_free(p);
}

long heap_calls_now(void) { return atomic_load(&calls); }
