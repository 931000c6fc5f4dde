#include <stdlib.h>

#include "alloc_internal.h"

static void *default_alloc(void *ud, size_t size) {
  (void)ud;
  return malloc(size);
}

static void default_free(void *ud, void *ptr, size_t size) {
  (void)ud;
  (void)size;
  free(ptr);
}

static cg_allocator current = {default_alloc, default_free, NULL};

void cg_set_allocator(const cg_allocator *allocator) {
  if (allocator && allocator->alloc && allocator->free) {
    current = *allocator;
  } else {
    current = (cg_allocator){default_alloc, default_free, NULL};
  }
}

void *cg__alloc(size_t size) { return current.alloc(current.ud, size); }

void cg__free(void *ptr, size_t size) {
  if (ptr) current.free(current.ud, ptr, size);
}
