/* Elementwise batch kernels and the CPU feature dispatch behind them.
 *
 * One table of kernels per instruction set (scalar, sse42, avx2, avx512,
 * neon). The best set the CPU and OS support is chosen once, thread-safely,
 * on first use; CALCGEN_ISA=scalar|sse42|avx2|avx512|neon forces one (an
 * unknown or unsupported value warns once on stderr and falls back to the
 * best). Every set gives bit-identical results to the scalar reference in
 * calcgen/support/elementwise.h. */
#ifndef CALCGEN_KERNELS_H
#define CALCGEN_KERNELS_H

#include <stddef.h>

#include "calcgen/status.h"
#include "calcgen/visibility.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Values match calcgen.Kernel in schemas/calcgen/options.proto. */
#define CG_KERNEL_OP_MAP(X)                                                    \
  X(1, ADD, add) X(2, SUB, sub) X(3, MUL, mul) X(4, DIV, div) X(5, MOD, mod)   \
  X(6, MIN, min) X(7, MAX, max)

typedef enum cg_kernel_op {
  CG_KERNEL_NONE = 0,
#define CG__KOP_ENUM(v, UP, low) CG_KERNEL_##UP = v,
  CG_KERNEL_OP_MAP(CG__KOP_ENUM)
#undef CG__KOP_ENUM
  CG_KERNEL_OP_END
} cg_kernel_op;

/* Element types. The protobuf scalar types map onto them: int32 sint32
 * sfixed32 -> I32; uint32 fixed32 -> U32; the 64-bit ones alike; float -> F32;
 * double -> F64. */
#define CG_ELEM_TYPE_MAP(X)                                                    \
  X(0, I32, i32, int32_t) X(1, I64, i64, int64_t) X(2, U32, u32, uint32_t)     \
  X(3, U64, u64, uint64_t) X(4, F32, f32, float) X(5, F64, f64, double)

typedef enum cg_elem_type {
#define CG__TYPE_ENUM(v, UP, low, T) CG_TYPE_##UP = v,
  CG_ELEM_TYPE_MAP(CG__TYPE_ENUM)
#undef CG__TYPE_ENUM
  CG_TYPE_END
} cg_elem_type;

/* Values match calcgen.Overflow. */
typedef enum cg_overflow { CG_WRAP = 0, CG_CHECKED = 1 } cg_overflow;

/* out[i] = a[i] op b[i] for i < n. The pointers need no alignment; out may be
 * the same array as a or b. On failure returns the first failing element's
 * status with its index in *fail_index; elements before it are computed, the
 * rest of out is unspecified. */
typedef cg_status (*cg_kernel_fn)(const void *a, const void *b, void *out,
                                  size_t n, size_t *fail_index);

/* The active set's kernel; NULL for an op/type/overflow outside the enums. */
CG_API cg_kernel_fn cg_kernel(cg_kernel_op op, cg_elem_type type,
                              cg_overflow overflow);
/* The named set's kernel, for tests and benchmarks; NULL when that set is not
 * compiled in or not supported by this CPU. */
CG_API cg_kernel_fn cg_kernel_for_isa(const char *isa, cg_kernel_op op,
                                      cg_elem_type type, cg_overflow overflow);

/* "scalar" "sse42" "avx2" "avx512" "neon" "simd128": the set in use. */
CG_API const char *cg_isa_active(void);
/* The packed-varint codec build in use: "generic", "avx2", "bmi2", "simd128" or
 * "avx512" (chosen once for this CPU; CALCGEN_VARINT=generic, =avx2 or
 * =bmi2 caps it). */
CG_API const char *cg_varint_active(void);
/* 1 when the named set is compiled in and this CPU and OS can run it. */
CG_API int cg_isa_supported(const char *isa);
/* All set names this build knows, in order of preference (worst first),
 * NULL-terminated. */
CG_API const char *const *cg_isa_names(void);

#ifdef __cplusplus
}
#endif
#endif
