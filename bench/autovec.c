/* The auto-vectorised peer: plain C loops, compiled twice (bench/meson.build):
 * with -O3 -march=native as `autovec`, and on x86-64 with -O3
 * -march=x86-64-v3 (AVX2) as `autovec_avx2`, the fair peer of the AVX2 set. WRAP semantics without checks: the benchmark's
 * data has no zero divisors and no MIN / -1, so the loops are well defined. */
#include "autovec.h"

#include <math.h>

#define LOOP(name, T, U, expr)                                                 \
  static void name(const void *pa, const void *pb, void *po, size_t n) {       \
    const T *restrict a = pa, *restrict b = pb;                                \
    T *restrict o = po;                                                        \
    for (size_t i = 0; i < n; i++) o[i] = (expr);                              \
  }

#define INT_LOOPS(s, T, U)                                                     \
  LOOP(add_##s, T, U, (T)((U)a[i] + (U)b[i]))                                  \
  LOOP(sub_##s, T, U, (T)((U)a[i] - (U)b[i]))                                  \
  LOOP(mul_##s, T, U, (T)((U)a[i] * (U)b[i]))                                  \
  LOOP(div_##s, T, U, a[i] / b[i])                                             \
  LOOP(mod_##s, T, U, a[i] % b[i])                                             \
  LOOP(min_##s, T, U, a[i] < b[i] ? a[i] : b[i])                               \
  LOOP(max_##s, T, U, a[i] > b[i] ? a[i] : b[i])
#define FLOAT_LOOPS(s, T, fm)                                                  \
  LOOP(add_##s, T, T, a[i] + b[i])                                             \
  LOOP(sub_##s, T, T, a[i] - b[i])                                             \
  LOOP(mul_##s, T, T, a[i] * b[i])                                             \
  LOOP(div_##s, T, T, a[i] / b[i])                                             \
  LOOP(mod_##s, T, T, fm(a[i], b[i]))                                          \
  LOOP(min_##s, T, T, a[i] < b[i] ? a[i] : b[i])                               \
  LOOP(max_##s, T, T, a[i] > b[i] ? a[i] : b[i])

INT_LOOPS(i32, int32_t, uint32_t)
INT_LOOPS(i64, int64_t, uint64_t)
INT_LOOPS(u32, uint32_t, uint32_t)
INT_LOOPS(u64, uint64_t, uint64_t)
FLOAT_LOOPS(f32, float, fmodf)
FLOAT_LOOPS(f64, double, fmod)

#define ROW(s) {NULL, add_##s, sub_##s, mul_##s, div_##s, mod_##s, min_##s, max_##s}
#ifndef AUTOVEC_TABLE
#define AUTOVEC_TABLE autovec
#endif
const autovec_fn AUTOVEC_TABLE[CG_TYPE_END][CG_KERNEL_OP_END] = {
    ROW(i32), ROW(i64), ROW(u32), ROW(u64), ROW(f32), ROW(f64)};
