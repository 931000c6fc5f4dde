/* The scalar semantics of every built-in kernel, one element at a time.
 *
 * This header is the reference: generated single ops call these functions
 * inline, and every SIMD kernel falls back to them for tails and for the
 * elements of a block that failed a vector check. Plain C, no ISA flags.
 *
 * Integers: WRAP wraps in two's complement; CHECKED reports CG_ERR_OVERFLOW.
 * DIV/MOD truncate toward zero; a zero divisor is CG_ERR_DIVIDE_BY_ZERO;
 * MIN / -1 wraps (DIV -> MIN, MOD -> 0) or, CHECKED, is CG_ERR_OVERFLOW.
 * Floats: IEEE 754; MOD is fmod; MIN/MAX ignore a single NaN like fmin/fmax
 * and order -0.0 below +0.0. For floats, MIN and MAX, WRAP and CHECKED are
 * the same function. On failure *r is left untouched. */
#ifndef CALCGEN_SUPPORT_ELEMENTWISE_H
#define CALCGEN_SUPPORT_ELEMENTWISE_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "calcgen/status.h"

#define CG__INLINE static inline

/* ---- integers ---------------------------------------------------------- */

#define CG__INT_WRAP_OPS(sfx, T, U)                                            \
  CG__INLINE cg_status cg_elem_add_##sfx##_wrap(T a, T b, T *r) {              \
    *r = (T)((U)a + (U)b);                                                     \
    return CG_OK;                                                              \
  }                                                                            \
  CG__INLINE cg_status cg_elem_sub_##sfx##_wrap(T a, T b, T *r) {              \
    *r = (T)((U)a - (U)b);                                                     \
    return CG_OK;                                                              \
  }                                                                            \
  CG__INLINE cg_status cg_elem_mul_##sfx##_wrap(T a, T b, T *r) {              \
    *r = (T)((U)a * (U)b);                                                     \
    return CG_OK;                                                              \
  }                                                                            \
  CG__INLINE cg_status cg_elem_add_##sfx##_checked(T a, T b, T *r) {           \
    return __builtin_add_overflow(a, b, r) ? CG_ERR_OVERFLOW : CG_OK;          \
  }                                                                            \
  CG__INLINE cg_status cg_elem_sub_##sfx##_checked(T a, T b, T *r) {           \
    return __builtin_sub_overflow(a, b, r) ? CG_ERR_OVERFLOW : CG_OK;          \
  }                                                                            \
  CG__INLINE cg_status cg_elem_mul_##sfx##_checked(T a, T b, T *r) {           \
    return __builtin_mul_overflow(a, b, r) ? CG_ERR_OVERFLOW : CG_OK;          \
  }                                                                            \
  CG__INLINE cg_status cg_elem_min_##sfx##_wrap(T a, T b, T *r) {              \
    *r = a < b ? a : b;                                                        \
    return CG_OK;                                                              \
  }                                                                            \
  CG__INLINE cg_status cg_elem_max_##sfx##_wrap(T a, T b, T *r) {              \
    *r = a > b ? a : b;                                                        \
    return CG_OK;                                                              \
  }                                                                            \
  CG__INLINE cg_status cg_elem_min_##sfx##_checked(T a, T b, T *r) {           \
    return cg_elem_min_##sfx##_wrap(a, b, r);                                  \
  }                                                                            \
  CG__INLINE cg_status cg_elem_max_##sfx##_checked(T a, T b, T *r) {           \
    return cg_elem_max_##sfx##_wrap(a, b, r);                                  \
  }

/* MIN / -1 is the one quotient that does not fit; `lo` is MIN for signed
 * types and 0 (no such case) for unsigned ones. */
#define CG__INT_DIV_OPS(sfx, T, lo, is_signed)                                 \
  CG__INLINE cg_status cg__div_##sfx(T a, T b, T *r, int checked, int mod) {   \
    if (b == 0) return CG_ERR_DIVIDE_BY_ZERO;                                  \
    if (is_signed && a == (lo) && b == (T)-1) {                                \
      if (checked) return CG_ERR_OVERFLOW;                                     \
      *r = mod ? (T)0 : (lo);                                                  \
      return CG_OK;                                                            \
    }                                                                          \
    *r = mod ? (T)(a % b) : (T)(a / b);                                        \
    return CG_OK;                                                              \
  }                                                                            \
  CG__INLINE cg_status cg_elem_div_##sfx##_wrap(T a, T b, T *r) {              \
    return cg__div_##sfx(a, b, r, 0, 0);                                       \
  }                                                                            \
  CG__INLINE cg_status cg_elem_div_##sfx##_checked(T a, T b, T *r) {           \
    return cg__div_##sfx(a, b, r, 1, 0);                                       \
  }                                                                            \
  CG__INLINE cg_status cg_elem_mod_##sfx##_wrap(T a, T b, T *r) {              \
    return cg__div_##sfx(a, b, r, 0, 1);                                       \
  }                                                                            \
  CG__INLINE cg_status cg_elem_mod_##sfx##_checked(T a, T b, T *r) {           \
    return cg__div_##sfx(a, b, r, 1, 1);                                       \
  }

CG__INT_WRAP_OPS(i32, int32_t, uint32_t)
CG__INT_WRAP_OPS(i64, int64_t, uint64_t)
CG__INT_WRAP_OPS(u32, uint32_t, uint32_t)
CG__INT_WRAP_OPS(u64, uint64_t, uint64_t)
CG__INT_DIV_OPS(i32, int32_t, INT32_MIN, 1)
CG__INT_DIV_OPS(i64, int64_t, INT64_MIN, 1)
CG__INT_DIV_OPS(u32, uint32_t, 0u, 0)
CG__INT_DIV_OPS(u64, uint64_t, (uint64_t)0, 0)

/* ---- floating point ---------------------------------------------------- */

/* MIN/MAX by bits so SIMD versions can match exactly: equal operands (the
 * +-0.0 case included) combine by OR for MIN (the sign bit wins) and by AND
 * for MAX; a NaN operand yields the other one; two NaNs yield b. */
#define CG__FLOAT_OPS(sfx, T, B, fmodfn)                                       \
  CG__INLINE cg_status cg_elem_add_##sfx##_wrap(T a, T b, T *r) {              \
    *r = a + b;                                                                \
    return CG_OK;                                                              \
  }                                                                            \
  CG__INLINE cg_status cg_elem_sub_##sfx##_wrap(T a, T b, T *r) {              \
    *r = a - b;                                                                \
    return CG_OK;                                                              \
  }                                                                            \
  CG__INLINE cg_status cg_elem_mul_##sfx##_wrap(T a, T b, T *r) {              \
    *r = a * b;                                                                \
    return CG_OK;                                                              \
  }                                                                            \
  CG__INLINE cg_status cg_elem_div_##sfx##_wrap(T a, T b, T *r) {              \
    *r = a / b;                                                                \
    return CG_OK;                                                              \
  }                                                                            \
  CG__INLINE cg_status cg_elem_mod_##sfx##_wrap(T a, T b, T *r) {              \
    *r = fmodfn(a, b);                                                         \
    return CG_OK;                                                              \
  }                                                                            \
  CG__INLINE T cg__minmax_##sfx(T a, T b, int is_max) {                        \
    if (a != a) return b;                                                      \
    if (b != b) return a;                                                      \
    if (a < b) return is_max ? b : a;                                          \
    if (b < a) return is_max ? a : b;                                          \
    B ba, bb;                                                                  \
    memcpy(&ba, &a, sizeof ba);                                                \
    memcpy(&bb, &b, sizeof bb);                                                \
    ba = is_max ? (B)(ba & bb) : (B)(ba | bb);                                 \
    T out;                                                                     \
    memcpy(&out, &ba, sizeof out);                                             \
    return out;                                                                \
  }                                                                            \
  CG__INLINE cg_status cg_elem_min_##sfx##_wrap(T a, T b, T *r) {              \
    *r = cg__minmax_##sfx(a, b, 0);                                            \
    return CG_OK;                                                              \
  }                                                                            \
  CG__INLINE cg_status cg_elem_max_##sfx##_wrap(T a, T b, T *r) {              \
    *r = cg__minmax_##sfx(a, b, 1);                                            \
    return CG_OK;                                                              \
  }                                                                            \
  CG__INLINE cg_status cg_elem_add_##sfx##_checked(T a, T b, T *r) {           \
    return cg_elem_add_##sfx##_wrap(a, b, r);                                  \
  }                                                                            \
  CG__INLINE cg_status cg_elem_sub_##sfx##_checked(T a, T b, T *r) {           \
    return cg_elem_sub_##sfx##_wrap(a, b, r);                                  \
  }                                                                            \
  CG__INLINE cg_status cg_elem_mul_##sfx##_checked(T a, T b, T *r) {           \
    return cg_elem_mul_##sfx##_wrap(a, b, r);                                  \
  }                                                                            \
  CG__INLINE cg_status cg_elem_div_##sfx##_checked(T a, T b, T *r) {           \
    return cg_elem_div_##sfx##_wrap(a, b, r);                                  \
  }                                                                            \
  CG__INLINE cg_status cg_elem_mod_##sfx##_checked(T a, T b, T *r) {           \
    return cg_elem_mod_##sfx##_wrap(a, b, r);                                  \
  }                                                                            \
  CG__INLINE cg_status cg_elem_min_##sfx##_checked(T a, T b, T *r) {           \
    return cg_elem_min_##sfx##_wrap(a, b, r);                                  \
  }                                                                            \
  CG__INLINE cg_status cg_elem_max_##sfx##_checked(T a, T b, T *r) {           \
    return cg_elem_max_##sfx##_wrap(a, b, r);                                  \
  }

CG__FLOAT_OPS(f32, float, uint32_t, fmodf)
CG__FLOAT_OPS(f64, double, uint64_t, fmod)

#undef CG__INT_WRAP_OPS
#undef CG__INT_DIV_OPS
#undef CG__FLOAT_OPS
#undef CG__INLINE

#endif
