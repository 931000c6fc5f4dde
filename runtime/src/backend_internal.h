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

/* [0]: THREADS, [1]: CUDA; elements; SIZE_MAX: never (backend_defaults.h). */
extern const size_t cg__default_threshold[2][CG__CLASS_COUNT];

/* cg_kernel_run without the argument checks and without clearing the error:
 * op, type and overflow are valid and the arrays hold n elements. */
cg_status cg__kernel_exec(cg_backend backend, cg_kernel_op op, cg_elem_type type, cg_overflow overflow,
                          const void *a, const void *b, void *out, size_t n, size_t *fail_index);

#endif
