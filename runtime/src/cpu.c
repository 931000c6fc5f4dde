#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcgen/kernels.h"
#include "kernel_table.h"
#include "varint_table.h"

#if defined(__x86_64__) || defined(__i386__)
#define CG_X86 1
#include <cpuid.h>
#elif defined(__aarch64__)
#define CG_ARM64 1
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#endif
#ifndef CG_X86
#define CG_X86 0
#endif
#ifndef CG_ARM64
#define CG_ARM64 0
#endif
#if defined(__wasm__)
#define CG_WASM 1
#else
#define CG_WASM 0
#endif

/* Which kernel sets and varint builds this build compiled in (runtime/meson.build). */
#ifndef CG_HAVE_SSE42
#define CG_HAVE_SSE42 0
#endif
#ifndef CG_HAVE_AVX2
#define CG_HAVE_AVX2 0
#endif
#ifndef CG_HAVE_AVX512
#define CG_HAVE_AVX512 0
#endif
#ifndef CG_HAVE_NEON
#define CG_HAVE_NEON 0
#endif
#ifndef CG_HAVE_SIMD128
#define CG_HAVE_SIMD128 0
#endif
#ifndef CG_HAVE_BMI2
#define CG_HAVE_BMI2 0
#endif
#ifndef CG_HAVE_VARINT_AVX512
#define CG_HAVE_VARINT_AVX512 0
#endif

/* ---- CPU features: detected once into one word ---------------------------- */

enum {
  F_SSE42 = 1u << 0,
  F_AVX2 = 1u << 1,       /* with the OS saving YMM state */
  F_AVX512 = 1u << 2,     /* F, DQ, BW, VL, with the OS saving ZMM and opmask state */
  F_BMI1 = 1u << 3,
  F_BMI2 = 1u << 4,
  F_LZCNT = 1u << 5,
  F_POPCNT = 1u << 6,
  F_AVX512_VBMI = 1u << 7, /* F, BW, CD, VBMI, VBMI2, with the OS saving ZMM state */
  F_FAST_PDEP = 1u << 8,   /* pext/pdep in hardware: all but AMD before Zen 3 (family 0x19) */
  F_NEON = 1u << 9,
  F_SIMD128 = 1u << 10,
  F_DETECTED = 1u << 30
};

#if CG_X86
static unsigned long long xgetbv0(void) {
  unsigned eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}

static unsigned detect(void) {
  unsigned a, b, c, d, f = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  if (c & bit_SSE4_2) f |= F_SSE42;
  if (c & bit_POPCNT) f |= F_POPCNT;
  /* cpuid says what the core can do; XCR0 whether the OS saves the state. */
  unsigned long long xcr0 = (c & bit_OSXSAVE) ? xgetbv0() : 0;
  int ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xe6) == 0xe6;
  unsigned family = ((a >> 8) & 0xf) + ((a >> 20) & 0xff);
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    if (ymm && (b & bit_AVX2)) f |= F_AVX2;
    const unsigned avx512 = bit_AVX512F | bit_AVX512DQ | bit_AVX512BW | bit_AVX512VL;
    if (zmm && (b & avx512) == avx512) f |= F_AVX512;
    const unsigned vbmi_b = bit_AVX512F | bit_AVX512CD | bit_AVX512BW;
    const unsigned vbmi_c = bit_AVX512VBMI | bit_AVX512VBMI2;
    if (zmm && (b & vbmi_b) == vbmi_b && (c & vbmi_c) == vbmi_c) f |= F_AVX512_VBMI;
    if (b & bit_BMI) f |= F_BMI1;
    if (b & bit_BMI2) f |= F_BMI2;
  }
  if (__get_cpuid(0x80000001, &a, &b, &c, &d) && (c & bit_LZCNT)) f |= F_LZCNT;
  unsigned vendor[3];
  __get_cpuid(0, &a, &vendor[0], &vendor[2], &vendor[1]);
  if (memcmp(vendor, "AuthenticAMD", 12) != 0 || family >= 0x19) f |= F_FAST_PDEP;
  return f;
}
#elif CG_ARM64
static unsigned detect(void) { return (getauxval(AT_HWCAP) & HWCAP_ASIMD) ? F_NEON : 0; }
#elif CG_WASM && CG_HAVE_SIMD128
/* wasm cannot ask the engine: a module that carries simd128 code only
 * validates where SIMD exists, so the build decides (runtime/meson.build). */
static unsigned detect(void) { return F_SIMD128; }
#else
static unsigned detect(void) { return 0; }
#endif

static unsigned features(void) {
  static unsigned cached;
  unsigned f = __atomic_load_n(&cached, __ATOMIC_RELAXED);
  if (!f) {
    f = detect() | F_DETECTED; /* the same on every thread: a race stores it twice */
    __atomic_store_n(&cached, f, __ATOMIC_RELAXED);
  }
  return f;
}

/* ---- one shape for kernel sets and varint builds ----------------------------
 * Each list goes worst first; a backend runs when it is compiled in (table not
 * NULL) and the CPU has every feature it needs. */

typedef struct backend {
  const char *name;
  const void *table; /* cg__kernel_table or cg__varint_table; NULL when not compiled in */
  unsigned needs;
} backend;

#define VARINT_AVX2_NEEDS (F_AVX2 | F_BMI1 | F_LZCNT | F_POPCNT)

#if CG_X86 && CG_HAVE_SSE42
#define SSE42_KERNELS &cg__kernels_sse42
#else
#define SSE42_KERNELS NULL
#endif
#if CG_X86 && CG_HAVE_AVX2
#define AVX2_KERNELS &cg__kernels_avx2
#else
#define AVX2_KERNELS NULL
#endif
#if CG_X86 && CG_HAVE_AVX512
#define AVX512_KERNELS &cg__kernels_avx512
#else
#define AVX512_KERNELS NULL
#endif
#if CG_ARM64 && CG_HAVE_NEON
#define NEON_KERNELS &cg__kernels_neon
#else
#define NEON_KERNELS NULL
#endif
#if CG_WASM && CG_HAVE_SIMD128
#define SIMD128_KERNELS &cg__kernels_simd128
#define SIMD128_VARINTS &cg__varint_simd128
#else
#define SIMD128_KERNELS NULL
#define SIMD128_VARINTS NULL
#endif
#if CG_X86 && CG_HAVE_BMI2
#define AVX2_VARINTS &cg__varint_avx2
#define BMI2_VARINTS &cg__varint_bmi2
#else
#define AVX2_VARINTS NULL
#define BMI2_VARINTS NULL
#endif
#if CG_X86 && CG_HAVE_BMI2 && CG_HAVE_VARINT_AVX512
#define AVX512_VARINTS &cg__varint_avx512
#else
#define AVX512_VARINTS NULL
#endif

static const backend kernel_sets[] = {
    {"scalar", &cg__kernels_scalar, 0},
    {"sse42", SSE42_KERNELS, F_SSE42},
    {"avx2", AVX2_KERNELS, F_AVX2},
    {"avx512", AVX512_KERNELS, F_AVX512},
    {"neon", NEON_KERNELS, F_NEON},
    {"simd128", SIMD128_KERNELS, F_SIMD128},
};
#define KERNEL_SET_COUNT (sizeof kernel_sets / sizeof kernel_sets[0])

static const backend varint_builds[] = {
    {"generic", &cg__varint_generic, 0},
    {"avx2", AVX2_VARINTS, VARINT_AVX2_NEEDS},
    {"bmi2", BMI2_VARINTS, VARINT_AVX2_NEEDS | F_BMI2 | F_FAST_PDEP},
    {"avx512", AVX512_VARINTS, VARINT_AVX2_NEEDS | F_BMI2 | F_FAST_PDEP | F_AVX512_VBMI},
    {"simd128", SIMD128_VARINTS, F_SIMD128},
};
#define VARINT_BUILD_COUNT (sizeof varint_builds / sizeof varint_builds[0])

static int usable(const backend *b) { return b->table && (features() & b->needs) == b->needs; }

static const backend *find(const backend *list, size_t n, const char *name) {
  for (size_t k = 0; k < n; k++)
    if (strcmp(list[k].name, name) == 0) return &list[k];
  return NULL;
}

/* The best backend this CPU runs, unless the environment variable names
 * another: CALCGEN_ISA forces a kernel set (one the CPU cannot run warns once
 * on stderr and falls back to the best); CALCGEN_VARINT caps the varint build
 * (the best at or below the one named, silently: a cap is met by any build
 * below it). A name not in the list warns once on stderr. */
static const backend *resolve(const backend *list, size_t n, const char *var, const char *what, int cap) {
  const backend *best = &list[0];
  for (size_t k = 0; k < n; k++)
    if (usable(&list[k])) best = &list[k];
  const char *forced = getenv(var);
  if (!forced || !*forced) return best;
  const backend *want = find(list, n, forced);
  if (want && usable(want)) return want;
  if (want && cap) {
    const backend *below = &list[0];
    for (const backend *b = list; b <= want; b++)
      if (usable(b)) below = b;
    return below;
  }
  if (want)
    fprintf(stderr, "calcgen: %s=%s is not supported on this CPU or build; using %s\n", var, forced, best->name);
  else
    fprintf(stderr, "calcgen: %s=%s is not a known %s; using %s\n", var, forced, what, best->name);
  return best;
}

/* After the first call one acquire load: pthread_once costs a call and a few
 * more instructions on every lookup, which small batches notice. */
static pthread_once_t resolve_once = PTHREAD_ONCE_INIT;
static const backend *kernel_choice, *varint_choice;
static const backend *kernel_seen, *varint_seen;

static void resolve_all(void) {
  kernel_choice = resolve(kernel_sets, KERNEL_SET_COUNT, "CALCGEN_ISA", "instruction set", 0);
  varint_choice = resolve(varint_builds, VARINT_BUILD_COUNT, "CALCGEN_VARINT", "varint build", 1);
}

static const backend *active_kernels(void) {
  const backend *b = __atomic_load_n(&kernel_seen, __ATOMIC_ACQUIRE);
  if (b) return b;
  pthread_once(&resolve_once, resolve_all);
  __atomic_store_n(&kernel_seen, kernel_choice, __ATOMIC_RELEASE);
  return kernel_choice;
}

static const backend *active_varints(void) {
  const backend *b = __atomic_load_n(&varint_seen, __ATOMIC_ACQUIRE);
  if (b) return b;
  pthread_once(&resolve_once, resolve_all);
  __atomic_store_n(&varint_seen, varint_choice, __ATOMIC_RELEASE);
  return varint_choice;
}

/* ---- kernel sets ------------------------------------------------------------ */

static int in_range(cg_kernel_op op, cg_elem_type type, cg_overflow ovf) {
  return op > CG_KERNEL_NONE && op < CG_KERNEL_OP_END && type >= 0 && type < CG_TYPE_END &&
         (ovf == CG_WRAP || ovf == CG_CHECKED);
}

static cg_kernel_fn kernel_of(const backend *b, cg_kernel_op op, cg_elem_type type, cg_overflow ovf) {
  return ((const cg__kernel_table *)b->table)->fn[op][type][ovf];
}

cg_kernel_fn cg_kernel(cg_kernel_op op, cg_elem_type type, cg_overflow ovf) {
  if (!in_range(op, type, ovf)) return NULL;
  return kernel_of(active_kernels(), op, type, ovf);
}

cg_kernel_fn cg_kernel_for_isa(const char *name, cg_kernel_op op, cg_elem_type type,
                               cg_overflow ovf) {
  const backend *b = name ? find(kernel_sets, KERNEL_SET_COUNT, name) : NULL;
  if (!b || !usable(b) || !in_range(op, type, ovf)) return NULL;
  return kernel_of(b, op, type, ovf);
}

const char *cg_isa_active(void) { return active_kernels()->name; }

int cg_isa_supported(const char *name) {
  const backend *b = name ? find(kernel_sets, KERNEL_SET_COUNT, name) : NULL;
  return b && usable(b);
}

const char *const *cg_isa_names(void) {
  static const char *const names[] = {"scalar", "sse42", "avx2", "avx512", "neon", "simd128", NULL};
  return names;
}

/* ---- varint builds ------------------------------------------------------------ */

const cg__varint_table *cg__varint_ops(void) { return active_varints()->table; }

const char *cg_varint_active(void) { return active_varints()->name; }

int cg__varint_usable(const cg__varint_table *t) {
  for (size_t k = 0; k < VARINT_BUILD_COUNT; k++)
    if (varint_builds[k].table == t) return usable(&varint_builds[k]);
  return 0;
}

const cg__varint_build cg__varint_builds[] = {
    {"generic", &cg__varint_generic},
#if CG_X86 && CG_HAVE_BMI2
    {"avx2", &cg__varint_avx2},
    {"bmi2", &cg__varint_bmi2},
#if CG_HAVE_VARINT_AVX512
    {"avx512", &cg__varint_avx512},
#endif
#endif
#if CG_WASM && CG_HAVE_SIMD128
    {"simd128", &cg__varint_simd128},
#endif
};
const size_t cg__varint_build_count = sizeof cg__varint_builds / sizeof cg__varint_builds[0];
