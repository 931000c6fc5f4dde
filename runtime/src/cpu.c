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

/* Which kernel sets this build compiled in (set by runtime/meson.build). */
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
#ifndef CG_HAVE_BMI2
#define CG_HAVE_BMI2 0
#endif
#ifndef CG_HAVE_VARINT_AVX512
#define CG_HAVE_VARINT_AVX512 0
#endif

typedef struct isa {
  const char *name;
  const cg__kernel_table *table; /* NULL when not compiled in */
  int (*cpu_has)(void);
} isa;

#if CG_X86
static unsigned long long xgetbv0(void) {
  unsigned eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}

/* cpuid says what the core can do; XCR0 says whether the OS saves the
 * vector state, without which AVX registers cannot be used. */
static int os_saves(unsigned long long mask) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) return 0;
  return (xgetbv0() & mask) == mask;
}

static int has_sse42(void) {
  unsigned a, b, c, d;
  return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_2);
}

static int has_avx2(void) {
  unsigned a, b, c, d;
  if (!os_saves(0x6)) return 0; /* XMM | YMM */
  return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_AVX2);
}

static int has_avx512(void) {
  unsigned a, b, c, d;
  if (!os_saves(0xe6)) return 0; /* XMM | YMM | opmask | ZMM_Hi256 | Hi16_ZMM */
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  const unsigned need = bit_AVX512F | bit_AVX512DQ | bit_AVX512BW | bit_AVX512VL;
  return (b & need) == need;
}
#endif

#if CG_X86
/* The AVX2 varint build: AVX2 (and the OS saving its state), BMI1, LZCNT and
 * POPCNT; every CPU with AVX2 has them. */
static int has_varint_avx2(void) {
  unsigned a, b, c, d;
  if (!has_avx2()) return 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & bit_BMI)) return 0;
  if (!__get_cpuid(0x80000001, &a, &b, &c, &d) || !(c & bit_LZCNT)) return 0;
  return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_POPCNT);
}

/* The BMI2 varint build: the AVX2 one plus pext/pdep, which are fast
 * everywhere BMI2 exists except on AMD before Zen 3 (family 0x19), where
 * they are microcoded at ~18 cycles or more (those get the AVX2 build). */
static int fast_bmi2(void) {
  unsigned a, b, c, d;
  if (!has_varint_avx2()) return 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & bit_BMI2)) return 0;
  unsigned vendor[3];
  __get_cpuid(0, &a, &vendor[0], &vendor[2], &vendor[1]);
  if (memcmp(vendor, "AuthenticAMD", 12) == 0) {
    __get_cpuid(1, &a, &b, &c, &d);
    unsigned family = ((a >> 8) & 0xf) + ((a >> 20) & 0xff);
    if (family < 0x19) return 0;
  }
  return 1;
}
#endif

#if CG_X86
/* The AVX-512 varint encoder: the BMI2 build plus F, BW, CD, VBMI, VBMI2
 * (Ice Lake and Zen 4 on). */
static int has_varint_avx512(void) {
  unsigned a, b, c, d;
  if (!fast_bmi2() || !os_saves(0xe6)) return 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  const unsigned need_b = 1u << 16 | 1u << 28 | 1u << 30; /* F, CD, BW */
  const unsigned need_c = 1u << 1 | 1u << 6;              /* VBMI, VBMI2 */
  return (b & need_b) == need_b && (c & need_c) == need_c;
}
#endif

#if CG_ARM64
static int has_neon(void) { return (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0; }
#endif

static int always(void) { return 1; }
static int never(void) { return 0; }

/* Worst first; the best supported one wins. */
static const isa isas[] = {
    {"scalar", &cg__kernels_scalar, always},
#if CG_X86 && CG_HAVE_SSE42
    {"sse42", &cg__kernels_sse42, has_sse42},
#else
    {"sse42", NULL, never},
#endif
#if CG_X86 && CG_HAVE_AVX2
    {"avx2", &cg__kernels_avx2, has_avx2},
#else
    {"avx2", NULL, never},
#endif
#if CG_X86 && CG_HAVE_AVX512
    {"avx512", &cg__kernels_avx512, has_avx512},
#else
    {"avx512", NULL, never},
#endif
#if CG_ARM64 && CG_HAVE_NEON
    {"neon", &cg__kernels_neon, has_neon},
#else
    {"neon", NULL, never},
#endif
};
#define ISA_COUNT (sizeof isas / sizeof isas[0])

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const isa *active;

static int usable(const isa *i) { return i->table && i->cpu_has(); }

static const isa *find(const char *name) {
  for (size_t k = 0; k < ISA_COUNT; k++)
    if (strcmp(isas[k].name, name) == 0) return &isas[k];
  return NULL;
}

static void resolve(void) {
  const isa *best = &isas[0];
  for (size_t k = 0; k < ISA_COUNT; k++)
    if (usable(&isas[k])) best = &isas[k];
  active = best;
  const char *forced = getenv("CALCGEN_ISA");
  if (!forced || !*forced) return;
  const isa *want = find(forced);
  if (want && usable(want)) {
    active = want;
  } else {
    fprintf(stderr, "calcgen: CALCGEN_ISA=%s is %s; using %s\n", forced,
            want ? "not supported on this CPU or build" : "not a known instruction set",
            best->name);
  }
}

/* After the first call one acquire load: pthread_once costs a call and a
 * few more instructions on every lookup, which small batches notice. */
static const isa *active_seen;

static const isa *get_active(void) {
  const isa *a = __atomic_load_n(&active_seen, __ATOMIC_ACQUIRE);
  if (a) return a;
  pthread_once(&once, resolve);
  __atomic_store_n(&active_seen, active, __ATOMIC_RELEASE);
  return active;
}

static int in_range(cg_kernel_op op, cg_elem_type type, cg_overflow ovf) {
  return op > CG_KERNEL_NONE && op < CG_KERNEL_OP_END && type >= 0 && type < CG_TYPE_END &&
         (ovf == CG_WRAP || ovf == CG_CHECKED);
}

cg_kernel_fn cg_kernel(cg_kernel_op op, cg_elem_type type, cg_overflow ovf) {
  if (!in_range(op, type, ovf)) return NULL;
  return get_active()->table->fn[op][type][ovf];
}

cg_kernel_fn cg_kernel_for_isa(const char *name, cg_kernel_op op, cg_elem_type type,
                               cg_overflow ovf) {
  const isa *i = name ? find(name) : NULL;
  if (!i || !usable(i) || !in_range(op, type, ovf)) return NULL;
  return i->table->fn[op][type][ovf];
}

static pthread_once_t varint_once = PTHREAD_ONCE_INIT;
static const cg__varint_table *varint_ops;

/* The best build this CPU runs; CALCGEN_VARINT=generic, =avx2 or =bmi2 caps
 * it (for tests and comparisons). */
static void resolve_varint(void) {
  varint_ops = &cg__varint_generic;
  const char *forced = getenv("CALCGEN_VARINT");
  if (forced && *forced && strcmp(forced, "generic") != 0 && strcmp(forced, "avx2") != 0 &&
      strcmp(forced, "bmi2") != 0 && strcmp(forced, "avx512") != 0) {
    fprintf(stderr, "calcgen: CALCGEN_VARINT=%s is not a varint build (generic, avx2, bmi2, avx512); "
                    "using the best this CPU runs\n", forced);
    forced = NULL;
  }
#if CG_X86 && CG_HAVE_BMI2
  if (forced && strcmp(forced, "generic") == 0) return;
  if (has_varint_avx2()) varint_ops = &cg__varint_avx2;
  if (forced && strcmp(forced, "avx2") == 0) return;
  if (fast_bmi2()) varint_ops = &cg__varint_bmi2;
#if CG_HAVE_VARINT_AVX512
  if (forced && strcmp(forced, "bmi2") == 0) return;
  if (has_varint_avx512()) varint_ops = &cg__varint_avx512;
#endif
#else
  (void)forced;
#endif
}

int cg__varint_usable(const cg__varint_table *t) {
  if (t == &cg__varint_generic) return 1;
#if CG_X86 && CG_HAVE_BMI2
  if (t == &cg__varint_avx2) return has_varint_avx2();
  if (t == &cg__varint_bmi2) return fast_bmi2();
#if CG_HAVE_VARINT_AVX512
  if (t == &cg__varint_avx512) return has_varint_avx512();
#endif
#endif
  return 0;
}

static const cg__varint_table *varint_seen; /* as active_seen */

const cg__varint_table *cg__varint_ops(void) {
  const cg__varint_table *t = __atomic_load_n(&varint_seen, __ATOMIC_ACQUIRE);
  if (t) return t;
  pthread_once(&varint_once, resolve_varint);
  __atomic_store_n(&varint_seen, varint_ops, __ATOMIC_RELEASE);
  return varint_ops;
}

const char *cg_isa_active(void) { return get_active()->name; }

const cg__varint_build cg__varint_builds[] = {
    {"generic", &cg__varint_generic},
#if CG_X86 && CG_HAVE_BMI2
    {"avx2", &cg__varint_avx2},
    {"bmi2", &cg__varint_bmi2},
#if CG_HAVE_VARINT_AVX512
    {"avx512", &cg__varint_avx512},
#endif
#endif
};
const size_t cg__varint_build_count = sizeof cg__varint_builds / sizeof cg__varint_builds[0];

const char *cg_varint_active(void) {
  const cg__varint_table *t = cg__varint_ops();
  for (size_t i = 0; i < cg__varint_build_count; i++)
    if (cg__varint_builds[i].table == t) return cg__varint_builds[i].name;
  return "generic";
}

int cg_isa_supported(const char *name) {
  const isa *i = name ? find(name) : NULL;
  return i && usable(i);
}

const char *const *cg_isa_names(void) {
  static const char *const names[] = {"scalar", "sse42", "avx2", "avx512", "neon", NULL};
  return names;
}
