/* The process-wide allocator every runtime allocation goes through.
 *
 * Defaults to malloc/free. Tests install a failing or counting allocator here
 * (the model is Lua's test allocator); embedders can route calcgen's memory
 * into their own heap. Install it before any thread calls into calcgen, or
 * while none does: memory is always freed through the allocator that made it
 * only if the allocator is not swapped while blocks are live. */
#ifndef CALCGEN_ALLOC_H
#define CALCGEN_ALLOC_H

#include <stddef.h>

#include "calcgen/visibility.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cg_allocator {
  void *(*alloc)(void *ud, size_t size); /* NULL on failure */
  void (*free)(void *ud, void *ptr, size_t size);
  void *ud;
} cg_allocator;

/* NULL restores malloc/free. */
CG_API void cg_set_allocator(const cg_allocator *allocator);

#ifdef __cplusplus
}
#endif
#endif
