/* Runtime-internal access to the installed cg_allocator. */
#ifndef CALCGEN_SRC_ALLOC_INTERNAL_H
#define CALCGEN_SRC_ALLOC_INTERNAL_H

#include <stddef.h>

#include "calcgen/alloc.h"

void *cg__alloc(size_t size);
void cg__free(void *ptr, size_t size); /* NULL is ignored */

#endif
