/* One kernel body, instantiated once per instruction set.
 *
 * Each kernels_<isa>.c defines CG_KERNEL_TABLE (the table's name) and
 * CG_VBYTES (vector width in bytes; 0 for the scalar reference), is compiled
 * with that ISA's flags only, and includes this file. Vectors are GCC/clang
 * vector extensions, so the same source becomes SSE4.2, AVX2, AVX-512 or NEON
 * code; every tail and every block that fails a vector check goes through the
 * scalar reference functions in calcgen/support/elementwise.h, which is what keeps
 * results bit-identical across ISAs. */
#include <stdint.h>
#include <string.h>

#include "calcgen/support/elementwise.h"
#include "kernel_table.h"

#if !defined(CG_KERNEL_TABLE) || !defined(CG_VBYTES)
#error "define CG_KERNEL_TABLE and CG_VBYTES before including kernel_body.h"
#endif

/* Checked kernels write a block speculatively and recheck it in scalar when
 * any lane failed, so the elements before the first failure are exact. */
#define BLOCK 256

#define LD(T, p, i) ({ T v_; memcpy(&v_, (p) + (i) * sizeof v_, sizeof v_); v_; })
#define ST(p, i, v) do { __typeof__(v) v_ = (v); memcpy((p) + (i) * sizeof v_, &v_, sizeof v_); } while (0)
#define ELT(T, p, i) ({ T e_; memcpy(&e_, (p) + (i) * sizeof(T), sizeof(T)); e_; })
#define PUT(T, p, i, x) do { T e_ = (x); memcpy((p) + (i) * sizeof(T), &e_, sizeof(T)); } while (0)

/* Runs the scalar reference over [i, end); stops at the first failure. */
#define SCALAR_RANGE(T, ELEM, a, b, o, i, end, fail)                           \
  for (; (i) < (end); (i)++) {                                                 \
    T r_;                                                                      \
    cg_status s_ = ELEM(ELT(T, a, i), ELT(T, b, i), &r_);                      \
    if (s_ != CG_OK) {                                                         \
      *(fail) = (i);                                                           \
      return s_;                                                               \
    }                                                                          \
    PUT(T, o, i, r_);                                                          \
  }

#define KARGS const void *a_, const void *b_, void *o_, size_t n, size_t *fail
#define KPTRS                                                                  \
  const unsigned char *a = a_, *b = b_;                                        \
  unsigned char *o = o_;                                                       \
  size_t i = 0;

#if CG_VBYTES > 0

typedef int32_t v_i32 __attribute__((vector_size(CG_VBYTES)));
typedef uint32_t v_u32 __attribute__((vector_size(CG_VBYTES)));
typedef int64_t v_i64 __attribute__((vector_size(CG_VBYTES)));
typedef uint64_t v_u64 __attribute__((vector_size(CG_VBYTES)));
typedef float v_f32 __attribute__((vector_size(CG_VBYTES)));
typedef double v_f64 __attribute__((vector_size(CG_VBYTES)));
/* Half vectors of 32-bit lanes, widened to one full vector of doubles for
 * exact 32-bit division (a double-width type crashes GCC 12 at -O0). */
typedef int32_t v_i32h __attribute__((vector_size(CG_VBYTES / 2)));
typedef uint32_t v_u32h __attribute__((vector_size(CG_VBYTES / 2)));
#define VH_i32 v_i32h
#define VHU_i32 v_u32h
#define VH_u32 v_u32h
#define VHU_u32 v_u32h

/* Per element type: T, native vector, same-width unsigned bits, lane mask. */
#define VN_i32 v_i32
#define VU_i32 v_u32
#define VM_i32 v_i32
#define VN_u32 v_u32
#define VU_u32 v_u32
#define VM_u32 v_i32
#define VN_i64 v_i64
#define VU_i64 v_u64
#define VM_i64 v_i64
#define VN_u64 v_u64
#define VU_u64 v_u64
#define VM_u64 v_i64
#define VN_f32 v_f32
#define VU_f32 v_u32
#define VM_f32 v_i32
#define VN_f64 v_f64
#define VU_f64 v_u64
#define VM_f64 v_i64

static inline int any_lane(const void *m, size_t bytes) {
  uint64_t acc = 0, w;
  for (size_t k = 0; k < bytes; k += 8) {
    memcpy(&w, (const unsigned char *)m + k, 8);
    acc |= w;
  }
  return acc != 0;
}

/* Bitwise select: lanes where m is all-ones take x, the others y. */
#define SEL(VN, VU, m, x, y) ((VN)(((VU)(m) & (VU)(x)) | (~(VU)(m) & (VU)(y))))

/* Vector expressions, one per op; (VN, VU, a, b) -> VN. */
#define V_ADD_INT(VN, VU, x, y) ((VN)((VU)(x) + (VU)(y)))
#define V_SUB_INT(VN, VU, x, y) ((VN)((VU)(x) - (VU)(y)))
#define V_MUL_INT(VN, VU, x, y) ((VN)((VU)(x) * (VU)(y)))
#define V_MIN_INT(VN, VU, x, y) SEL(VN, VU, (x) < (y), x, y)
#define V_MAX_INT(VN, VU, x, y) SEL(VN, VU, (x) > (y), x, y)
#define V_ADD_FLT(VN, VU, x, y) ((x) + (y))
#define V_SUB_FLT(VN, VU, x, y) ((x) - (y))
#define V_MUL_FLT(VN, VU, x, y) ((x) * (y))
#define V_DIV_FLT(VN, VU, x, y) ((x) / (y))
/* Mirrors cg__minmax_*: ordered lanes pick, equal lanes combine bits (OR for
 * MIN so -0.0 wins, AND for MAX), then a NaN in b yields a, a NaN in a yields b. */
#define V_MINMAX_FLT(VN, VU, x, y, is_max)                                     \
  ({                                                                           \
    VU bx_ = (VU)(x), by_ = (VU)(y);                                           \
    VU r_ = (is_max) ? (bx_ & by_) : (bx_ | by_);                              \
    r_ = SEL(VU, VU, (y) < (x), (is_max) ? bx_ : by_, r_);                     \
    r_ = SEL(VU, VU, (x) < (y), (is_max) ? by_ : bx_, r_);                     \
    r_ = SEL(VU, VU, (y) != (y), bx_, r_);                                     \
    r_ = SEL(VU, VU, (x) != (x), by_, r_);                                     \
    (VN) r_;                                                                   \
  })
#define V_MIN_FLT(VN, VU, x, y) V_MINMAX_FLT(VN, VU, x, y, 0)
#define V_MAX_FLT(VN, VU, x, y) V_MINMAX_FLT(VN, VU, x, y, 1)

/* Overflow lanes of checked add/sub: (VN, a, b, r) -> lane mask. */
#define F_ADD_SIGNED(x, y, r) ((((x) ^ (r)) & ((y) ^ (r))) < 0)
#define F_SUB_SIGNED(x, y, r) ((((x) ^ (y)) & ((x) ^ (r))) < 0)
#define F_ADD_UNSIGNED(x, y, r) ((r) < (x))
#define F_SUB_UNSIGNED(x, y, r) ((x) < (y))

/* Two vectors per iteration keeps both load ports busy. */
#define VMAP_LOOP(sfx, VEXPR)                                                  \
  {                                                                            \
    enum { L = CG_VBYTES / sizeof(ELT_T_##sfx) };                              \
    for (; i + 2 * L <= n; i += 2 * L) {                                       \
      VN_##sfx x0 = LD(VN_##sfx, a, i / L), y0 = LD(VN_##sfx, b, i / L);       \
      VN_##sfx x1 = LD(VN_##sfx, a, i / L + 1), y1 = LD(VN_##sfx, b, i / L + 1); \
      ST(o, i / L, VEXPR(VN_##sfx, VU_##sfx, x0, y0));                         \
      ST(o, i / L + 1, VEXPR(VN_##sfx, VU_##sfx, x1, y1));                     \
    }                                                                          \
  }

/* A block stores as it checks; a failing block runs again from its
 * operands. When out overlaps a or b those stores would change the operands
 * it reruns from, so there a block is checked first and stored after. */
/* One block's lanes through VEXPR, their failures OR-ed into acc, results
 * stored when `store`. */
#define VCHECK_BLOCK(sfx, VEXPR, FAILEXPR, acc, store)                         \
  for (size_t j = i; j < i + BLOCK; j += L) {                                  \
    VN_##sfx x = LD(VN_##sfx, a, j / L), y = LD(VN_##sfx, b, j / L);           \
    VN_##sfx r = VEXPR(VN_##sfx, VU_##sfx, x, y);                              \
    acc |= (VM_##sfx)FAILEXPR(x, y, r);                                        \
    if (store) ST(o, j / L, r);                                                \
  }

/* A block stores as it checks; a failing block runs again from its
 * operands. When out overlaps a or b those stores would change the operands
 * it reruns from, so there a block is checked first and stored after. */
#define VCHECK_LOOP(sfx, VEXPR, FAILEXPR, ELEM)                                \
  {                                                                            \
    enum { L = CG_VBYTES / sizeof(ELT_T_##sfx) };                              \
    uintptr_t bytes_ = n * sizeof(ELT_T_##sfx), o_ = (uintptr_t)o, a_ = (uintptr_t)a, b_ = (uintptr_t)b; \
    int alias_ = (o_ < a_ + bytes_ && a_ < o_ + bytes_) || (o_ < b_ + bytes_ && b_ < o_ + bytes_); \
    while (i + BLOCK <= n) {                                                   \
      VM_##sfx acc = {0};                                                      \
      if (!alias_) {                                                           \
        VCHECK_BLOCK(sfx, VEXPR, FAILEXPR, acc, 1)                             \
      } else {                                                                 \
        VCHECK_BLOCK(sfx, VEXPR, FAILEXPR, acc, 0)                             \
        if (!any_lane(&acc, sizeof acc)) VCHECK_BLOCK(sfx, VEXPR, FAILEXPR, acc, 1) \
      }                                                                        \
      if (any_lane(&acc, sizeof acc)) {                                        \
        size_t end_ = i + BLOCK;                                               \
        SCALAR_RANGE(ELT_T_##sfx, ELEM, a, b, o, i, end_, fail)                \
      }                                                                        \
      i += BLOCK;                                                              \
    }                                                                          \
  }

/* Integer DIV/MOD: find zero divisors and MIN / -1 with vector compares; a
 * block without them divides without per-element checks (through doubles,
 * exactly, for 32-bit lanes). A block with them runs the scalar reference. */
#define VDIV_LOOP(sfx, ELEM, is_signed, lo, is_mod)                            \
  {                                                                            \
    enum { L = CG_VBYTES / sizeof(ELT_T_##sfx) };                              \
    while (i + BLOCK <= n) {                                                   \
      VM_##sfx acc = {0};                                                      \
      for (size_t j = i; j < i + BLOCK; j += L) {                              \
        VN_##sfx x = LD(VN_##sfx, a, j / L), y = LD(VN_##sfx, b, j / L);       \
        acc |= (VM_##sfx)(y == 0);                                             \
        if (is_signed) acc |= (VM_##sfx)((x == (lo)) & (y == (ELT_T_##sfx)-1)); \
      }                                                                        \
      size_t end_ = i + BLOCK;                                                 \
      if (any_lane(&acc, sizeof acc)) {                                        \
        SCALAR_RANGE(ELT_T_##sfx, ELEM, a, b, o, i, end_, fail)                \
      } else {                                                                 \
        FASTDIV_##sfx(sfx, is_mod, end_)                                       \
      }                                                                        \
    }                                                                          \
  }

/* 32-bit lanes: the double quotient of two 32-bit integers truncates to the
 * exact integer quotient (the gap to the next integer is far above double
 * precision), so whole vectors divide at once. */
#define FASTDIV_WIDE(sfx, is_mod, end_)                                        \
  for (const size_t H = L / 2; i < end_; i += H) {                             \
    VH_##sfx x = LD(VH_##sfx, a, i / H), y = LD(VH_##sfx, b, i / H);           \
    v_f64 q = __builtin_convertvector(x, v_f64) / __builtin_convertvector(y, v_f64); \
    VH_##sfx qi = __builtin_convertvector(q, VH_##sfx);                        \
    ST(o, i / H, (is_mod) ? V_SUB_INT(VH_##sfx, VHU_##sfx, x, V_MUL_INT(VH_##sfx, VHU_##sfx, qi, y)) \
                          : qi);                                               \
  }
/* 64-bit lanes: no vector division exists; the checks are already done. */
#define FASTDIV_SCALAR(sfx, is_mod, end_)                                      \
  for (; i < end_; i++) {                                                      \
    ELT_T_##sfx x = ELT(ELT_T_##sfx, a, i), y = ELT(ELT_T_##sfx, b, i);        \
    PUT(ELT_T_##sfx, o, i, (is_mod) ? (ELT_T_##sfx)(x % y) : (ELT_T_##sfx)(x / y)); \
  }
#define FASTDIV_i32 FASTDIV_WIDE
#define FASTDIV_u32 FASTDIV_WIDE
#define FASTDIV_i64 FASTDIV_SCALAR
#define FASTDIV_u64 FASTDIV_SCALAR

#else /* scalar reference: no vector part */
#define VMAP_LOOP(sfx, VEXPR)
#define VCHECK_LOOP(sfx, VEXPR, FAILEXPR, ELEM)
#define VDIV_LOOP(sfx, ELEM, is_signed, lo, is_mod)
#endif

#define ELT_T_i32 int32_t
#define ELT_T_u32 uint32_t
#define ELT_T_i64 int64_t
#define ELT_T_u64 uint64_t
#define ELT_T_f32 float
#define ELT_T_f64 double

/* The four kernel shapes. Each ends in the scalar reference for the tail. */
#define K_MAP(name, sfx, VEXPR, ELEM)                                          \
  static cg_status name(KARGS) {                                               \
    KPTRS                                                                      \
    VMAP_LOOP(sfx, VEXPR)                                                      \
    SCALAR_RANGE(ELT_T_##sfx, ELEM, a, b, o, i, n, fail)                       \
    return CG_OK;                                                              \
  }
#define K_CHECK(name, sfx, VEXPR, FAILEXPR, ELEM)                              \
  static cg_status name(KARGS) {                                               \
    KPTRS                                                                      \
    VCHECK_LOOP(sfx, VEXPR, FAILEXPR, ELEM)                                    \
    SCALAR_RANGE(ELT_T_##sfx, ELEM, a, b, o, i, n, fail)                       \
    return CG_OK;                                                              \
  }
#define K_DIV(name, sfx, ELEM, is_signed, lo, is_mod)                          \
  static cg_status name(KARGS) {                                               \
    KPTRS                                                                      \
    VDIV_LOOP(sfx, ELEM, is_signed, lo, is_mod)                                \
    SCALAR_RANGE(ELT_T_##sfx, ELEM, a, b, o, i, n, fail)                       \
    return CG_OK;                                                              \
  }
#define K_SCALAR(name, sfx, ELEM)                                              \
  static cg_status name(KARGS) {                                               \
    KPTRS                                                                      \
    SCALAR_RANGE(ELT_T_##sfx, ELEM, a, b, o, i, n, fail)                       \
    return CG_OK;                                                              \
  }

/* Integer kernels for one type; `sgn` picks the overflow lane test. */
#define INT_KERNELS(sfx, is_signed, lo, sgn)                                   \
  K_MAP(k_add_##sfx##_wrap, sfx, V_ADD_INT, cg_elem_add_##sfx##_wrap)          \
  K_MAP(k_sub_##sfx##_wrap, sfx, V_SUB_INT, cg_elem_sub_##sfx##_wrap)          \
  K_MAP(k_mul_##sfx##_wrap, sfx, V_MUL_INT, cg_elem_mul_##sfx##_wrap)          \
  K_CHECK(k_add_##sfx##_checked, sfx, V_ADD_INT, F_ADD_##sgn, cg_elem_add_##sfx##_checked) \
  K_CHECK(k_sub_##sfx##_checked, sfx, V_SUB_INT, F_SUB_##sgn, cg_elem_sub_##sfx##_checked) \
  K_SCALAR(k_mul_##sfx##_checked, sfx, cg_elem_mul_##sfx##_checked)            \
  K_DIV(k_div_##sfx##_wrap, sfx, cg_elem_div_##sfx##_wrap, is_signed, lo, 0) \
  K_DIV(k_div_##sfx##_checked, sfx, cg_elem_div_##sfx##_checked, is_signed, lo, 0) \
  K_DIV(k_mod_##sfx##_wrap, sfx, cg_elem_mod_##sfx##_wrap, is_signed, lo, 1) \
  K_DIV(k_mod_##sfx##_checked, sfx, cg_elem_mod_##sfx##_checked, is_signed, lo, 1) \
  K_MAP(k_min_##sfx##_wrap, sfx, V_MIN_INT, cg_elem_min_##sfx##_wrap)          \
  K_MAP(k_max_##sfx##_wrap, sfx, V_MAX_INT, cg_elem_max_##sfx##_wrap)

#define FLOAT_KERNELS(sfx)                                                     \
  K_MAP(k_add_##sfx##_wrap, sfx, V_ADD_FLT, cg_elem_add_##sfx##_wrap)          \
  K_MAP(k_sub_##sfx##_wrap, sfx, V_SUB_FLT, cg_elem_sub_##sfx##_wrap)          \
  K_MAP(k_mul_##sfx##_wrap, sfx, V_MUL_FLT, cg_elem_mul_##sfx##_wrap)          \
  K_MAP(k_div_##sfx##_wrap, sfx, V_DIV_FLT, cg_elem_div_##sfx##_wrap)          \
  K_SCALAR(k_mod_##sfx##_wrap, sfx, cg_elem_mod_##sfx##_wrap)                  \
  K_MAP(k_min_##sfx##_wrap, sfx, V_MIN_FLT, cg_elem_min_##sfx##_wrap)          \
  K_MAP(k_max_##sfx##_wrap, sfx, V_MAX_FLT, cg_elem_max_##sfx##_wrap)

INT_KERNELS(i32, 1, INT32_MIN, SIGNED)
INT_KERNELS(i64, 1, INT64_MIN, SIGNED)
INT_KERNELS(u32, 0, 0u, UNSIGNED)
INT_KERNELS(u64, 0, (uint64_t)0, UNSIGNED)
FLOAT_KERNELS(f32)
FLOAT_KERNELS(f64)

/* Table rows. MIN/MAX never overflow and floats have no CHECKED variant, so
 * those entries share one function. */
#define INT_ROW(UP, sfx)                                                       \
  [CG_KERNEL_ADD][CG_TYPE_##UP] = {k_add_##sfx##_wrap, k_add_##sfx##_checked}, \
  [CG_KERNEL_SUB][CG_TYPE_##UP] = {k_sub_##sfx##_wrap, k_sub_##sfx##_checked}, \
  [CG_KERNEL_MUL][CG_TYPE_##UP] = {k_mul_##sfx##_wrap, k_mul_##sfx##_checked}, \
  [CG_KERNEL_DIV][CG_TYPE_##UP] = {k_div_##sfx##_wrap, k_div_##sfx##_checked}, \
  [CG_KERNEL_MOD][CG_TYPE_##UP] = {k_mod_##sfx##_wrap, k_mod_##sfx##_checked}, \
  [CG_KERNEL_MIN][CG_TYPE_##UP] = {k_min_##sfx##_wrap, k_min_##sfx##_wrap},    \
  [CG_KERNEL_MAX][CG_TYPE_##UP] = {k_max_##sfx##_wrap, k_max_##sfx##_wrap},
#define FLOAT_ROW(UP, sfx)                                                     \
  [CG_KERNEL_ADD][CG_TYPE_##UP] = {k_add_##sfx##_wrap, k_add_##sfx##_wrap},    \
  [CG_KERNEL_SUB][CG_TYPE_##UP] = {k_sub_##sfx##_wrap, k_sub_##sfx##_wrap},    \
  [CG_KERNEL_MUL][CG_TYPE_##UP] = {k_mul_##sfx##_wrap, k_mul_##sfx##_wrap},    \
  [CG_KERNEL_DIV][CG_TYPE_##UP] = {k_div_##sfx##_wrap, k_div_##sfx##_wrap},    \
  [CG_KERNEL_MOD][CG_TYPE_##UP] = {k_mod_##sfx##_wrap, k_mod_##sfx##_wrap},    \
  [CG_KERNEL_MIN][CG_TYPE_##UP] = {k_min_##sfx##_wrap, k_min_##sfx##_wrap},    \
  [CG_KERNEL_MAX][CG_TYPE_##UP] = {k_max_##sfx##_wrap, k_max_##sfx##_wrap},

const cg__kernel_table CG_KERNEL_TABLE = {{
    INT_ROW(I32, i32) INT_ROW(I64, i64) INT_ROW(U32, u32) INT_ROW(U64, u64)
    FLOAT_ROW(F32, f32) FLOAT_ROW(F64, f64)
}};
