/* Running the active kernel set over arrays (run_kernel.c), for the batch
 * engine. */
#ifndef CALCGEN_SRC_RUN_KERNEL_INTERNAL_H
#define CALCGEN_SRC_RUN_KERNEL_INTERNAL_H

#include <stddef.h>

#include "calcgen/backend.h"
#include "calcgen/kernels.h"
#include "calcgen/status.h"

/* Runs the active kernel over n elements on the backend backend.c picks
 * for that size (one core, every core or the GPU). On failure
 * records "<op>: <what> at index <i>" (i counts from 0 over the whole batch)
 * and returns the element's status. */
cg_status cg__run_kernel(cg_kernel_op kop, cg_elem_type type, cg_overflow overflow, const void *a,
                         const void *b, void *out, size_t n, const char *op);
/* The same over a slice of a larger batch whose first element is `first`
 * there, on the given backend: a failing element is reported by its index in
 * the whole batch. */
cg_status cg__run_kernel_at(cg_backend backend, cg_kernel_op kop, cg_elem_type type, cg_overflow overflow,
                            const void *a, const void *b, void *out, size_t n, size_t first, const char *op);

/* Records "<op>: <what> at index <index>" for a failing element and returns
 * its status: the words every batch path reports a kernel failure in. */
cg_status cg__kernel_failed(cg_status st, size_t index, const char *op);

#endif
