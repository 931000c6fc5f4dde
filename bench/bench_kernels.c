/* ns per element for every kernel of every instruction set this CPU runs,
 * at n = 1000 (in cache) and n = 1,000,000 (memory bound), beside a plain C
 * loop compiled with -O3 -march=native (and, on x86-64, with -O3
 * -march=x86-64-v3, the AVX2 peer) in the same run.
 *
 *   bench_kernels [--quick]     --quick: int64 and double, n = 1000 only */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autovec.h"
#include "calcgen/kernels.h"
#include "timing.h"

static const size_t tsize[CG_TYPE_END] = {4, 8, 4, 8, 4, 8};
static const char *const tname[CG_TYPE_END] = {"i32", "i64", "u32", "u64", "f32", "f64"};
static const char *const opname[CG_KERNEL_OP_END] = {"", "add", "sub", "mul", "div", "mod", "min", "max"};

typedef struct run {
  cg_kernel_fn k;
  autovec_fn v;
  const void *a, *b;
  void *o;
  size_t n;
} run;

static void call_kernel(void *p) {
  run *r = p;
  size_t bad;
  if (r->k(r->a, r->b, r->o, r->n, &bad) != CG_OK) abort();
}

static void call_autovec(void *p) {
  run *r = p;
  r->v(r->a, r->b, r->o, r->n);
}

/* Operands every kernel accepts: no zero divisor, no MIN / -1, no overflow
 * for the checked variants (unsigned a >= b, so SUB does not wrap). */
static void fill(cg_elem_type t, unsigned char *a, unsigned char *b, size_t n) {
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    int32_t va = (int32_t)(x % 2000001) - 1000000, vb = (int32_t)((x >> 32) % 1000) + 1;
    switch (t) {
      case CG_TYPE_I32: memcpy(a + 4 * i, &va, 4); memcpy(b + 4 * i, &vb, 4); break;
      case CG_TYPE_U32: { uint32_t p = (uint32_t)va + 1001000u, q = (uint32_t)vb; memcpy(a + 4 * i, &p, 4); memcpy(b + 4 * i, &q, 4); break; }
      case CG_TYPE_I64: { int64_t p = va, q = vb; memcpy(a + 8 * i, &p, 8); memcpy(b + 8 * i, &q, 8); break; }
      case CG_TYPE_U64: { uint64_t p = (uint64_t)(va + 1001000), q = (uint64_t)vb; memcpy(a + 8 * i, &p, 8); memcpy(b + 8 * i, &q, 8); break; }
      case CG_TYPE_F32: { float p = (float)va / 3.0f, q = (float)vb / 7.0f; memcpy(a + 4 * i, &p, 4); memcpy(b + 4 * i, &q, 4); break; }
      case CG_TYPE_F64: { double p = va / 3.0, q = vb / 7.0; memcpy(a + 8 * i, &p, 8); memcpy(b + 8 * i, &q, 8); break; }
      default: break;
    }
  }
}

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  const char *isas[8];
  int nisa = 0;
  for (const char *const *n = cg_isa_names(); *n; n++)
    if (cg_isa_supported(*n)) isas[nisa++] = *n;
  static const size_t sizes[] = {1000, 1000000};
  size_t nsizes = quick ? 1 : 2;
  double target_ns = quick ? 2e6 : 2e7; /* per trial */

  printf("ns/element. auto-nat: plain loop, -O3 -march=native; auto-v3: -O3 -march=x86-64-v3 (AVX2).\n"
         "best/scalar: fastest set vs the scalar reference; avx2/auto-v3 and best/auto-nat: peers' time over ours\n");
  printf("%-16s %8s", "kernel", "n");
  for (int k = 0; k < nisa; k++) printf(" %8s", isas[k]);
  printf(" %8s %8s %11s %12s %13s\n", "auto-nat", "auto-v3", "best/scalar", "avx2/auto-v3", "best/auto-nat");
  for (int t = 0; t < CG_TYPE_END; t++) {
    if (quick && t != CG_TYPE_I64 && t != CG_TYPE_F64) continue;
    for (size_t s = 0; s < nsizes; s++) {
      size_t n = sizes[s], bytes = n * tsize[t];
      unsigned char *a = malloc(bytes), *b = malloc(bytes), *o = malloc(bytes);
      fill(t, a, b, n);
      for (int op = CG_KERNEL_ADD; op < CG_KERNEL_OP_END; op++)
        for (int ovf = 0; ovf < 2; ovf++) {
          int is_float = t >= CG_TYPE_F32;
          if (ovf && (is_float || op >= CG_KERNEL_MIN)) continue; /* same function as WRAP */
          run r = {NULL, autovec[t][op], a, b, o, n};
          double ns[8], scalar = 0, best = 1e300;
          long reps = 0;
          for (int k = 0; k < nisa; k++) {
            r.k = cg_kernel_for_isa(isas[k], op, t, ovf);
            if (!reps) { /* size reps from the scalar run */
              double t0 = now_ns();
              call_kernel(&r);
              double one = now_ns() - t0;
              reps = (long)(target_ns / (one > 1 ? one : 1)) + 1;
            }
            ns[k] = best_ns(call_kernel, &r, reps, quick ? 3 : 5) / (double)n;
            if (k == 0) scalar = ns[k];
            if (ns[k] < best) best = ns[k];
          }
          double av = ovf ? 0 : best_ns(call_autovec, &r, reps, quick ? 3 : 5) / (double)n;
          double av3 = 0, avx2 = 0;
#ifdef HAVE_AUTOVEC_AVX2
          if (!ovf && cg_isa_supported("avx2")) {
            r.v = autovec_avx2[t][op];
            av3 = best_ns(call_autovec, &r, reps, quick ? 3 : 5) / (double)n;
          }
#endif
          for (int k = 0; k < nisa; k++)
            if (strcmp(isas[k], "avx2") == 0) avx2 = ns[k];
          char name[32];
          snprintf(name, sizeof name, "%s_%s%s", opname[op], tname[t], ovf ? "_chk" : "");
          printf("%-16s %8zu", name, n);
          for (int k = 0; k < nisa; k++) printf(" %8.3f", ns[k]);
          if (ovf) printf(" %8s %8s", "-", "-");
          else printf(" %8.3f %8.3f", av, av3);
          printf(" %10.2fx", scalar / best);
          if (av3 > 0 && avx2 > 0) printf(" %11.2fx", av3 / avx2); else printf(" %12s", "-");
          if (!ovf) printf(" %12.2fx\n", av / best); else printf(" %13s\n", "-");
        }
      free(a);
      free(b);
      free(o);
    }
  }
  return 0;
}
