/* The batch path's one decision point (backend.c), for run_kernel.c. */
#ifndef CALCGEN_SRC_BACKEND_INTERNAL_H
#define CALCGEN_SRC_BACKEND_INTERNAL_H

#include <stddef.h>

#include "calcgen/backend.h"

/* Op classes that share a threshold: they cost alike per element. */
typedef enum cg__op_class {
  CG__CLASS_CHEAP,     /* add sub mul min max, any type */
  CG__CLASS_INT_DIV,   /* integer div and mod */
  CG__CLASS_FLOAT_DIV, /* float and double div */
  CG__CLASS_FMOD,      /* float and double mod */
  CG__CLASS_COUNT
} cg__op_class;

/* [0]: THREADS, [1]: CUDA; elements; SIZE_MAX: never (backend_defaults.c). */
extern const size_t cg__default_threshold[2][CG__CLASS_COUNT];
/* Packed-varint batches: elements from which decoding, the kernel and
 * encoding are split across threads (backend_defaults.c). */
extern const size_t cg__default_codec_threshold;

/* cg_kernel_run without the argument checks and without clearing the error:
 * fn is cg_kernel(op, type, overflow) (not NULL) and the arrays hold n
 * elements. */
cg_status cg__kernel_exec(cg_backend backend, cg_kernel_fn fn, cg_kernel_op op, cg_elem_type type,
                          cg_overflow overflow, const void *a, const void *b, void *out, size_t n,
                          size_t *fail_index);


/* Where a packed-varint batch of n elements runs: SINGLE (the serial chunk
 * loop), THREADS (decode, kernel and encode split across the pool) or CUDA
 * (the kernel on the GPU over the whole array, the codec on the pool). */
cg_backend cg__codec_choice(cg_kernel_op op, cg_elem_type type, size_t n);

/* memcpy split across the pool for large copies (the CUDA plugin's staging). */
void cg__copy_wide(void *dst, const void *src, size_t bytes);

#endif
