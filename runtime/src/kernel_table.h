/* The per-ISA kernel table shared by cpu.c and each kernels_<isa>.c. */
#ifndef CALCGEN_SRC_KERNEL_TABLE_H
#define CALCGEN_SRC_KERNEL_TABLE_H

#include "calcgen/kernels.h"

typedef struct cg__kernel_table {
  cg_kernel_fn fn[CG_KERNEL_OP_END][CG_TYPE_END][2]; /* [op][type][overflow] */
} cg__kernel_table;

extern const cg__kernel_table cg__kernels_scalar;
extern const cg__kernel_table cg__kernels_sse42;
extern const cg__kernel_table cg__kernels_avx2;
extern const cg__kernel_table cg__kernels_avx512;
extern const cg__kernel_table cg__kernels_neon;
extern const cg__kernel_table cg__kernels_simd128;

#endif
