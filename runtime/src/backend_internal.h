/* The batch path's one decision point (backend.c), for run_kernel.c. */
#ifndef CALCGEN_SRC_BACKEND_INTERNAL_H
#define CALCGEN_SRC_BACKEND_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

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


/* The lowest failure of a batch run in pieces, in one atomic word
 * (index << 8 | status) that any piece lowers; CG__NO_FAILURE for none.
 * Pieces are claimed in order, so one starting at or past a known failure
 * need not run (cg__past_failure). */
#define CG__NO_FAILURE UINT64_MAX

static inline int cg__past_failure(_Atomic uint64_t *fail, size_t start) {
  return (uint64_t)start >= atomic_load_explicit(fail, memory_order_relaxed) >> 8;
}

static inline void cg__lower_failure(_Atomic uint64_t *fail, size_t index, cg_status st) {
  uint64_t mine = ((uint64_t)index << 8) | (uint64_t)st, cur = atomic_load(fail);
  while (mine < cur && !atomic_compare_exchange_weak(fail, &cur, mine)) {
  }
}

/* The status of the word's failure (CG_OK for none), its index in *index. */
static inline cg_status cg__failure_of(uint64_t word, size_t *index) {
  if (word == CG__NO_FAILURE) return CG_OK;
  *index = (size_t)(word >> 8);
  return (cg_status)(word & 0xff);
}

/* Where a packed-varint batch of n elements runs: SINGLE (the serial chunk
 * loop), THREADS (decode, kernel and encode split across the pool) or CUDA
 * (the kernel on the GPU over the whole array, the codec on the pool). */
cg_backend cg__codec_choice(cg_kernel_op op, cg_elem_type type, size_t n);

/* memcpy split across the pool for large copies (the CUDA plugin's staging). */
void cg__copy_wide(void *dst, const void *src, size_t bytes);

#endif
