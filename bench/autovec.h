#ifndef CALCGEN_BENCH_AUTOVEC_H
#define CALCGEN_BENCH_AUTOVEC_H

#include <stddef.h>
#include <stdint.h>

#include "calcgen/kernels.h"

typedef void (*autovec_fn)(const void *a, const void *b, void *out, size_t n);
/* [type][op] */
extern const autovec_fn autovec[CG_TYPE_END][CG_KERNEL_OP_END];      /* -march=native */
#ifdef HAVE_AUTOVEC_AVX2
extern const autovec_fn autovec_avx2[CG_TYPE_END][CG_KERNEL_OP_END]; /* -march=x86-64-v3 */
#endif

#endif
