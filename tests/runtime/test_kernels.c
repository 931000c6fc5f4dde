/* checkasm-style kernel test: every kernel of every instruction set this CPU
 * runs, for every element type, against the scalar reference in
 * calcgen/support/elementwise.h, on random data and edge values, lengths 0..67, 1000
 * and 4097, at unaligned offsets. Standalone (no cmocka) so it also builds
 * from the runtime alone (-Dkernels_only=true) on machines without it.
 *
 *   test_kernels [ISA...]           default: every supported set
 *   test_kernels --backend NAME     single, threads or cuda (calcgen/backend.h)
 *                                   through cg_kernel_run, adding sizes that
 *                                   span many chunks; exits 77 (skipped) when
 *                                   the backend is not available here */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcgen/support/elementwise.h"
#include "calcgen/backend.h"
#include "calcgen/kernels.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

typedef cg_status (*elem_fn)(const void *a, const void *b, void *r);

/* The reference, one element at a time, through the inline functions. */
#define REF(op, sfx, ovf, T)                                                    \
  static cg_status ref_##op##_##sfx##_##ovf(const void *a, const void *b, void *r) { \
    T x, y, z;                                                                  \
    memcpy(&x, a, sizeof x);                                                    \
    memcpy(&y, b, sizeof y);                                                    \
    cg_status s = cg_elem_##op##_##sfx##_##ovf(x, y, &z);                       \
    if (s == CG_OK) memcpy(r, &z, sizeof z);                                    \
    return s;                                                                   \
  }
#define REF_TYPE(sfx, T)                                                        \
  REF(add, sfx, wrap, T) REF(sub, sfx, wrap, T) REF(mul, sfx, wrap, T)          \
  REF(div, sfx, wrap, T) REF(mod, sfx, wrap, T) REF(min, sfx, wrap, T)          \
  REF(max, sfx, wrap, T) REF(add, sfx, checked, T) REF(sub, sfx, checked, T)    \
  REF(mul, sfx, checked, T) REF(div, sfx, checked, T) REF(mod, sfx, checked, T) \
  REF(min, sfx, checked, T) REF(max, sfx, checked, T)
REF_TYPE(i32, int32_t)
REF_TYPE(i64, int64_t)
REF_TYPE(u32, uint32_t)
REF_TYPE(u64, uint64_t)
REF_TYPE(f32, float)
REF_TYPE(f64, double)

#define ROW(sfx)                                                                \
  {NULL, NULL},                                                                 \
  {ref_add_##sfx##_wrap, ref_add_##sfx##_checked},                              \
  {ref_sub_##sfx##_wrap, ref_sub_##sfx##_checked},                              \
  {ref_mul_##sfx##_wrap, ref_mul_##sfx##_checked},                              \
  {ref_div_##sfx##_wrap, ref_div_##sfx##_checked},                              \
  {ref_mod_##sfx##_wrap, ref_mod_##sfx##_checked},                              \
  {ref_min_##sfx##_wrap, ref_min_##sfx##_checked},                              \
  {ref_max_##sfx##_wrap, ref_max_##sfx##_checked}
/* [type][op][overflow] */
static const elem_fn refs[CG_TYPE_END][CG_KERNEL_OP_END][2] = {
    {ROW(i32)}, {ROW(i64)}, {ROW(u32)}, {ROW(u64)}, {ROW(f32)}, {ROW(f64)}};

static const size_t tsize[CG_TYPE_END] = {4, 8, 4, 8, 4, 8};
static const char *const tname[CG_TYPE_END] = {"i32", "i64", "u32", "u64", "f32", "f64"};
static const char *const opname[CG_KERNEL_OP_END] = {"", "add", "sub", "mul", "div", "mod", "min", "max"};

/* ---- test data ---------------------------------------------------------- */

enum mode { M_RANDOM, M_SMALL, M_EDGE, M_MIN_NEG1, M_COUNT };
static const char *const mode_name[M_COUNT] = {"random", "small", "edge", "min/-1"};

static void edge_value(cg_elem_type t, void *out) {
  switch (t) {
    case CG_TYPE_I32: {
      static const int32_t e[] = {0, 1, -1, 2, -2, INT32_MIN, INT32_MAX, INT32_MIN + 1, INT32_MAX - 1};
      memcpy(out, &e[rnd() % (sizeof e / sizeof e[0])], 4);
      break;
    }
    case CG_TYPE_I64: {
      static const int64_t e[] = {0, 1, -1, 2, -2, INT64_MIN, INT64_MAX, INT64_MIN + 1, INT64_MAX - 1,
                                  INT32_MIN, INT32_MAX, (int64_t)1 << 32};
      memcpy(out, &e[rnd() % (sizeof e / sizeof e[0])], 8);
      break;
    }
    case CG_TYPE_U32: {
      static const uint32_t e[] = {0, 1, 2, UINT32_MAX, UINT32_MAX - 1, 0x80000000u, 0x7fffffffu};
      memcpy(out, &e[rnd() % (sizeof e / sizeof e[0])], 4);
      break;
    }
    case CG_TYPE_U64: {
      static const uint64_t e[] = {0, 1, 2, UINT64_MAX, UINT64_MAX - 1, 1ull << 63, (1ull << 63) - 1,
                                   UINT32_MAX};
      memcpy(out, &e[rnd() % (sizeof e / sizeof e[0])], 8);
      break;
    }
    case CG_TYPE_F32: {
      const float e[] = {0.0f, -0.0f, 1.0f, -1.0f, INFINITY, -INFINITY, NAN, -NAN,
                         FLT_MIN, -FLT_MIN, FLT_MAX, -FLT_MAX, FLT_TRUE_MIN, -FLT_TRUE_MIN,
                         FLT_MIN / 2, 3.5f};
      memcpy(out, &e[rnd() % (sizeof e / sizeof e[0])], 4);
      break;
    }
    case CG_TYPE_F64: {
      const double e[] = {0.0, -0.0, 1.0, -1.0, INFINITY, -INFINITY, NAN, -NAN,
                          DBL_MIN, -DBL_MIN, DBL_MAX, -DBL_MAX, DBL_TRUE_MIN, -DBL_TRUE_MIN,
                          DBL_MIN / 2, 3.5};
      memcpy(out, &e[rnd() % (sizeof e / sizeof e[0])], 8);
      break;
    }
    default:
      break;
  }
}

static void small_value(cg_elem_type t, void *out, int nonzero) {
  int64_t v = (int64_t)(rnd() % 2001) - 1000;
  if (nonzero && v == 0) v = 7;
  switch (t) {
    case CG_TYPE_I32: { int32_t x = (int32_t)v; memcpy(out, &x, 4); break; }
    case CG_TYPE_I64: { int64_t x = v * 100003; memcpy(out, &x, 8); break; }
    case CG_TYPE_U32: { uint32_t x = (uint32_t)(v < 0 ? -v : v) + (nonzero ? 1u : 0u); memcpy(out, &x, 4); break; }
    case CG_TYPE_U64: { uint64_t x = (uint64_t)(v < 0 ? -v : v) * 100003 + (nonzero ? 1u : 0u); memcpy(out, &x, 8); break; }
    case CG_TYPE_F32: { float x = (float)v / 7.0f; memcpy(out, &x, 4); break; }
    case CG_TYPE_F64: { double x = (double)v / 7.0; memcpy(out, &x, 8); break; }
    default: break;
  }
}

static void fill(cg_elem_type t, enum mode m, unsigned char *a, unsigned char *b, size_t n) {
  size_t es = tsize[t];
  for (size_t i = 0; i < n; i++) {
    unsigned char *x = a + i * es, *y = b + i * es;
    switch (m) {
      case M_RANDOM: {
        uint64_t r1 = rnd(), r2 = rnd();
        memcpy(x, &r1, es);
        memcpy(y, &r2, es);
        break;
      }
      case M_SMALL:
        small_value(t, x, 0);
        small_value(t, y, 1);
        break;
      case M_EDGE: /* mostly small, with an edge value now and then */
        if (rnd() % 16 == 0) edge_value(t, x); else small_value(t, x, 0);
        if (rnd() % 16 == 0) edge_value(t, y); else small_value(t, y, 1);
        break;
      case M_MIN_NEG1: /* the one signed quotient that overflows, sprinkled */
        small_value(t, x, 0);
        small_value(t, y, 1);
        if (rnd() % 32 == 0) {
          if (t == CG_TYPE_I32) { int32_t p = INT32_MIN, q = -1; memcpy(x, &p, 4); memcpy(y, &q, 4); }
          if (t == CG_TYPE_I64) { int64_t p = INT64_MIN, q = -1; memcpy(x, &p, 8); memcpy(y, &q, 8); }
        }
        break;
      default:
        break;
    }
  }
}

/* ---- comparison --------------------------------------------------------- */

static int is_nan(cg_elem_type t, const unsigned char *p) {
  if (t == CG_TYPE_F32) { float f; memcpy(&f, p, 4); return f != f; }
  if (t == CG_TYPE_F64) { double d; memcpy(&d, p, 8); return d != d; }
  return 0;
}

/* Bit-exact, with one exception IEEE 754 leaves open: when both operands of
 * an arithmetic op are NaN, which of them (sign, payload) comes back depends
 * on operand order the compiler may pick; any NaN is then accepted. */
static int same(cg_elem_type t, cg_kernel_op op, const unsigned char *a, const unsigned char *b,
                const unsigned char *want, const unsigned char *got) {
  size_t es = tsize[t];
  if (memcmp(want, got, es) == 0) return 1;
  return op <= CG_KERNEL_DIV && is_nan(t, a) && is_nan(t, b) && is_nan(t, got);
}

static size_t passed, failed;
/* Set by --backend: kernels run through cg_kernel_run on that backend. */
static int use_backend;
static cg_backend backend;

static cg_status run(const char *isa, cg_kernel_op op, cg_elem_type t, cg_overflow ovf, const void *a,
                     const void *b, void *out, size_t n, size_t *fail_at) {
  if (use_backend) return cg_kernel_run(backend, op, t, ovf, a, b, out, n, fail_at);
  return cg_kernel_for_isa(isa, op, t, ovf)(a, b, out, n, fail_at);
}

static void check(const char *isa, cg_kernel_op op, cg_elem_type t, cg_overflow ovf, enum mode m,
                  size_t n, size_t off) {
  size_t es = tsize[t], bytes = n * es + off + 64;
  unsigned char *a = malloc(bytes), *b = malloc(bytes), *want = malloc(bytes), *got = malloc(bytes);
  if (!a || !b || !want || !got) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  unsigned char *pa = a + off, *pb = b + (off * 3) % 8, *pg = got + (off * 5) % 8;
  fill(t, m, pa, pb, n);
  memset(want, 0xA5, bytes);
  memset(got, 0x5A, bytes);
  /* reference: stops at the first failing element */
  elem_fn ref = refs[t][op][ovf];
  cg_status ref_st = CG_OK;
  size_t ref_fail = 0;
  for (size_t i = 0; i < n; i++) {
    cg_status s = ref(pa + i * es, pb + i * es, want + i * es);
    if (s != CG_OK) {
      ref_st = s;
      ref_fail = i;
      break;
    }
  }
  size_t fail_at = (size_t)-1;
  cg_status st = run(isa, op, t, ovf, pa, pb, pg, n, &fail_at);
  int ok = st == ref_st && (st == CG_OK || fail_at == ref_fail);
  size_t upto = st == CG_OK ? n : ref_fail, bad = 0;
  for (size_t i = 0; ok && i < upto; i++)
    if (!same(t, op, pa + i * es, pb + i * es, want + i * es, pg + i * es)) {
      ok = 0;
      bad = i;
    }
  /* In place, out being a and then b (as batches over their own decoded
   * operands run): the same status, index and results. */
  for (int side = 0; ok && side < 2 && n; side++) {
    unsigned char *io = malloc(n * es);
    if (!io) {
      fprintf(stderr, "out of memory\n");
      exit(2);
    }
    memcpy(io, side ? pb : pa, n * es);
    size_t fail_ip = (size_t)-1;
    cg_status st_ip = side ? run(isa, op, t, ovf, pa, io, io, n, &fail_ip) : run(isa, op, t, ovf, io, pb, io, n, &fail_ip);
    ok = st_ip == ref_st && (st_ip == CG_OK || fail_ip == ref_fail);
    for (size_t i = 0; ok && i < upto; i++)
      if (!same(t, op, pa + i * es, pb + i * es, want + i * es, io + i * es)) {
        ok = 0;
        bad = i;
      }
    if (!ok && failed < 20) fprintf(stderr, "(in place, out = %s)\n", side ? "b" : "a");
    free(io);
  }
  if (ok) {
    passed++;
  } else {
    failed++;
    if (failed <= 20)
      fprintf(stderr, "FAIL %s %s_%s_%s mode=%s n=%zu off=%zu: status %s/%s fail %zu/%zu first diff %zu\n",
              isa, opname[op], tname[t], ovf ? "checked" : "wrap", mode_name[m], n, off,
              cg_status_name(st), cg_status_name(ref_st), fail_at, ref_fail, bad);
  }
  free(a);
  free(b);
  free(want);
  free(got);
}

/* A failure only in the last few elements of a batch larger than seven of
 * the CUDA backend's staging chunks (4 MiB of each array): every chunk but
 * the last comes back clean, stages are reused, and the status, index and
 * results before it are the reference's. Integer DIV and MOD by zero, in
 * both overflow modes. */
static void check_late_failure(const char *isa) {
  size_t n = ((size_t)7 << 20) + 13, at = n - 5;
  for (int t = 0; t < CG_TYPE_END; t++) {
    if (t == CG_TYPE_F32 || t == CG_TYPE_F64) continue;
    size_t es = tsize[t];
    unsigned char *a = malloc(n * es), *b = malloc(n * es), *out = malloc(n * es);
    if (!a || !b || !out) {
      fprintf(stderr, "out of memory\n");
      exit(2);
    }
    fill((cg_elem_type)t, M_SMALL, a, b, n);
    memset(b + at * es, 0, es);
    for (int op = CG_KERNEL_DIV; op <= CG_KERNEL_MOD; op++)
      for (int ovf = 0; ovf < 2; ovf++) {
        size_t fail_at = 0, bad = 0;
        cg_status st = run(isa, op, t, ovf, a, b, out, n, &fail_at);
        int ok = st == CG_ERR_DIVIDE_BY_ZERO && fail_at == at;
        elem_fn ref = refs[t][op][ovf];
        unsigned char want[8];
        for (size_t i = 0; ok && i < at; i += 9973) { /* a sample of every chunk */
          ref(a + i * es, b + i * es, want);
          if (memcmp(want, out + i * es, es)) ok = 0, bad = i;
        }
        if (ok) {
          passed++;
        } else {
          failed++;
          fprintf(stderr, "FAIL %s late failure %s_%s_%s: status %s index %zu (want %zu), first diff %zu\n", isa,
                  opname[op], tname[t], ovf ? "checked" : "wrap", cg_status_name(st), fail_at, at, bad);
        }
      }
    free(a);
    free(b);
    free(out);
  }
}

static void test_isa(const char *isa) {
  static const size_t big[] = {1000, 4097};
  size_t before = failed;
  for (int op = CG_KERNEL_ADD; op < CG_KERNEL_OP_END; op++)
    for (int t = 0; t < CG_TYPE_END; t++)
      for (int ovf = 0; ovf < 2; ovf++) {
        if (!use_backend && !cg_kernel_for_isa(isa, op, t, ovf)) {
          fprintf(stderr, "FAIL %s has no kernel %s_%s\n", isa, opname[op], tname[t]);
          failed++;
          continue;
        }
        for (int m = 0; m < M_COUNT; m++)
          for (size_t off = 0; off < 3; off++) {
            for (size_t n = 0; n <= 67; n++) check(isa, op, t, ovf, m, n, off * 3);
            for (size_t k = 0; k < 2; k++) check(isa, op, t, ovf, m, big[k], off * 3);
          }
        /* Backends split large batches: sizes over many chunks and devices'
         * staging buffers, and a failure in any of them. */
        static const size_t huge[] = {100003, ((size_t)1 << 20) + 13};
        for (int m = 0; use_backend && m < M_COUNT; m++)
          for (size_t k = 0; k < 2; k++) check(isa, op, t, ovf, m, huge[k], k);
      }
  if (use_backend) check_late_failure(isa);
  printf("%-7s %s\n", isa, failed == before ? "ok" : "FAILED");
}

int main(int argc, char **argv) {
  printf("active kernel set: %s\n", cg_isa_active());
  int tested = 0;
  if (argc == 3 && strcmp(argv[1], "--backend") == 0) {
    use_backend = 1;
    for (int b = CG_BACKEND_SINGLE; b < CG_BACKEND_END; b++)
      if (strcmp(argv[2], cg_backend_name((cg_backend)b)) == 0) backend = (cg_backend)b;
    if (!backend) {
      fprintf(stderr, "unknown backend %s\n", argv[2]);
      return 2;
    }
    if (!cg_backend_available(backend)) {
      printf("backend %s skipped: not available here\n", argv[2]);
      return 77;
    }
    printf("backend %s%s%s, %u threads\n", argv[2], *cg_backend_device() ? " on " : "", cg_backend_device(),
           cg_backend_threads());
    test_isa(argv[2]);
    tested++;
    if (backend == CG_BACKEND_THREADS) { /* more threads than CPUs: chunks interleave */
      cg_backend_set_threads(7);
      printf("backend threads, 7 threads\n");
      test_isa(argv[2]);
    }
  } else if (argc > 1) {
    for (int i = 1; i < argc; i++) {
      if (!cg_isa_supported(argv[i])) {
        printf("%-7s skipped: not supported here\n", argv[i]);
        continue;
      }
      test_isa(argv[i]);
      tested++;
    }
  } else {
    for (const char *const *n = cg_isa_names(); *n; n++) {
      if (cg_isa_supported(*n)) {
        test_isa(*n);
        tested++;
      } else {
        printf("%-7s skipped: not supported here\n", *n);
      }
    }
  }
  /* The forced set (CALCGEN_ISA) must be the active one when it is runnable. */
  const char *forced = getenv("CALCGEN_ISA");
  if (forced && *forced) {
    if (cg_isa_supported(forced) && strcmp(forced, cg_isa_active()) != 0) {
      fprintf(stderr, "FAIL CALCGEN_ISA=%s but the active set is %s\n", forced, cg_isa_active());
      failed++;
    } else {
      passed++;
    }
  }
  if (!tested) failed++;
  printf("%zu passed, %zu failed\n", passed, failed);
  return failed ? 1 : 0;
}
