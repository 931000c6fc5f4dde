/* Huge batches on each backend (calcgen/backend.h): one core, all cores (and
 * the scaling in between), the GPU end to end and its kernel alone, and what
 * AUTO picks with the committed thresholds, for ADD, MUL and DIV of int64 and
 * fmod of double, n = 10^3 .. 10^8, and whole BatchAdd calls over packed
 * int64 varints of mixed lengths (decode, kernel, encode) to 10^7. Backends are interleaved in each trial
 * and the best trial is kept; every rep reads a different window of large
 * fresh arrays. --calibrate measures where THREADS and CUDA start to win on
 * a finer grid and prints the table runtime/src/backend_defaults.c holds.
 *
 *   bench_backends [--quick] [--max-n N] [--trials N] [--calibrate | --codec-only] [--svg FILE] */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_count.h"
#include "calcgen/arena.h"
#include "calcgen/backend.h"
#include "calcgen/call.h"
#include "calcgen/generated_support.h"
#include "cuda_plugin.h"
#include "svg_plot.h"
#include "timing.h"

typedef struct op_case {
  const char *name;
  cg_kernel_op op;
  cg_elem_type type;
} op_case;

static const op_case cases[] = {
    {"add i64", CG_KERNEL_ADD, CG_TYPE_I64},
    {"mul i64", CG_KERNEL_MUL, CG_TYPE_I64},
    {"div i64", CG_KERNEL_DIV, CG_TYPE_I64},
    {"fmod f64", CG_KERNEL_MOD, CG_TYPE_F64},
};
enum { N_CASES = sizeof cases / sizeof cases[0] };

/* Columns of the main table. */
enum { COL_SINGLE, COL_THREADS, COL_AUTO, COL_CUDA, COL_CUDA_KERNEL, N_COLS };
static const char *const col_name[N_COLS] = {"one core", "all cores", "auto", "GPU end to end", "GPU kernel"};

static size_t pool_n; /* elements in each fresh array */
static unsigned char *pool_a, *pool_b, *pool_out;
static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* Operands users have: full-range int64; divisors of every bit length;
 * doubles across 60 binary orders of magnitude (fmod's cost follows the
 * exponent gap). Never a zero divisor, so every run goes to the end. */
static void fill(const op_case *c) {
  int64_t *ia = (int64_t *)(void *)pool_a, *ib = (int64_t *)(void *)pool_b;
  double *da = (double *)(void *)pool_a, *db = (double *)(void *)pool_b;
  for (size_t i = 0; i < pool_n; i++) {
    uint64_t x = next(), y = next();
    if (c->type == CG_TYPE_F64) {
      da[i] = ldexp((double)(x >> 11) / 9007199254740992.0 + 0.5, (int)(x % 61) - 20) * (x & 1 ? -1 : 1);
      db[i] = ldexp((double)(y >> 11) / 9007199254740992.0 + 0.5, (int)(y % 21) - 10) * (y & 1 ? -1 : 1);
    } else if (c->op == CG_KERNEL_DIV) {
      ia[i] = (int64_t)x;
      int bits = 1 + (int)(y % 63);
      ib[i] = (int64_t)((y >> 1) & ((1ull << bits) - 1)) | 1;
    } else {
      ia[i] = (int64_t)x;
      ib[i] = (int64_t)y;
    }
  }
  memset(pool_out, 0, pool_n * 8);
}

/* ns per element of `be` over n: reps calls back to back, each on its own
 * window of the pool (so nothing stays in cache between calls). */
static size_t window;
static double time_backend(const op_case *c, cg_backend be, size_t n, long reps) {
  double t0 = now_ns();
  for (long r = 0; r < reps; r++) {
    size_t off = pool_n > n ? (window = (window + 7919 * 64 + n) % (pool_n - n + 1)) & ~(size_t)63 : 0;
    size_t at;
    if (cg_kernel_run(be, c->op, c->type, CG_WRAP, pool_a + off * 8, pool_b + off * 8, pool_out + off * 8, n, &at) !=
        CG_OK) {
      fprintf(stderr, "%s on %s failed: %s\n", c->name, cg_backend_name(be), cg_last_error());
      exit(1);
    }
  }
  return (now_ns() - t0) / (double)reps / (double)n;
}

static long reps_for(size_t n) { return n >= 10000000 ? 2 : n >= 1000000 ? 5 : n >= 100000 ? 20 : 200; }

static const cg__cuda_plugin *gpu;

static double gpu_kernel_only(const op_case *c, size_t n) {
  double ns;
  if (!gpu || gpu->kernel_only(c->op, c->type, CG_WRAP, n, 5, &ns) != CG_OK) return -1;
  return ns / (double)n;
}

/* ---- the main table ----------------------------------------------------- */

enum { MAX_SIZES = 8, MAX_THREAD_STEPS = 10 };
static double table[N_CASES][MAX_SIZES][N_COLS];
static double scaling[N_CASES][MAX_THREAD_STEPS];
static unsigned thread_steps[MAX_THREAD_STEPS];
static int n_steps;
static size_t sizes[MAX_SIZES];
static int n_sizes;

static void measure(int trials) {
  unsigned all = cg_backend_threads();
  for (int k = 0; k < N_CASES; k++) {
    const op_case *c = &cases[k];
    fill(c);
    for (int s = 0; s < n_sizes; s++) {
      size_t n = sizes[s];
      double *row = table[k][s];
      for (int col = 0; col < N_COLS; col++) row[col] = 1e300;
      for (int t = 0; t < trials; t++) {
        long reps = reps_for(n);
        double v;
        cg_backend_set_threads(all);
        if ((v = time_backend(c, CG_BACKEND_SINGLE, n, reps)) < row[COL_SINGLE]) row[COL_SINGLE] = v;
        if ((v = time_backend(c, CG_BACKEND_THREADS, n, reps)) < row[COL_THREADS]) row[COL_THREADS] = v;
        if ((v = time_backend(c, CG_BACKEND_AUTO, n, reps)) < row[COL_AUTO]) row[COL_AUTO] = v;
        if (gpu && (v = time_backend(c, CG_BACKEND_CUDA, n, reps)) < row[COL_CUDA]) row[COL_CUDA] = v;
      }
      row[COL_CUDA_KERNEL] = gpu ? gpu_kernel_only(c, n) : -1;
      if (!gpu) row[COL_CUDA] = -1;
    }
    /* scaling with thread count at the largest size up to 10^7 */
    size_t n = sizes[0];
    for (int s = 0; s < n_sizes; s++)
      if (sizes[s] <= 10000000) n = sizes[s];
    for (int i = 0; i < n_steps; i++) {
      cg_backend_set_threads(thread_steps[i]);
      double best = 1e300;
      for (int t = 0; t < trials; t++) {
        double v = time_backend(c, CG_BACKEND_THREADS, n, reps_for(n));
        if (v < best) best = v;
      }
      scaling[k][i] = best;
    }
    cg_backend_set_threads(all);
  }
}

static void print_table(void) {
  printf("\nns per element (best of the trials); ratio = one core / column\n");
  for (int k = 0; k < N_CASES; k++) {
    printf("\n%s\n%12s", cases[k].name, "n");
    for (int col = 0; col < N_COLS; col++) printf(" %16s", col_name[col]);
    printf("  auto picks   auto vs one core\n");
    for (int s = 0; s < n_sizes; s++) {
      const double *row = table[k][s];
      printf("%12zu", sizes[s]);
      for (int col = 0; col < N_COLS; col++) {
        if (row[col] < 0) printf(" %16s", "-");
        else if (col == COL_SINGLE) printf(" %16.4f", row[col]);
        else printf("  %8.4f %5.2fx", row[col], row[COL_SINGLE] / row[col]);
      }
      printf("  %-10s %6.2fx%s\n", cg_backend_name(cg_backend_choice(cases[k].op, cases[k].type, sizes[s])),
             row[COL_SINGLE] / row[COL_AUTO], row[COL_AUTO] > row[COL_SINGLE] * 1.1 ? "  <- slower" : "");
    }
  }
  size_t n = sizes[0];
  for (int s = 0; s < n_sizes; s++)
    if (sizes[s] <= 10000000) n = sizes[s];
  printf("\nscaling with threads at n = %zu: speed-up over one thread\n%10s", n, "threads");
  for (int i = 0; i < n_steps; i++) printf(" %7u", thread_steps[i]);
  printf("\n");
  for (int k = 0; k < N_CASES; k++) {
    printf("%10s", cases[k].name);
    for (int i = 0; i < n_steps; i++) printf(" %6.2fx", scaling[k][0] / scaling[k][i]);
    printf("\n");
  }
}

/* ---- packed-varint batches ------------------------------------------------ */

/* BatchAdd(repeated int64 a = 1, b = 2) returns (repeated int64 values = 1),
 * as a generated dispatch calls it. */
static const cg_batch_spec varint_add = {"BatchAdd", "BatchOperation", "a", "b", 1, 2, 1,
                                         CG_ENC_VARINT64, CG_TYPE_I64, CG_KERNEL_ADD, CG_WRAP};
enum { VREQS = 4 }; /* distinct requests per size, cycled */
static uint8_t *vreq[VREQS];
static size_t vreq_len[VREQS];
static cg_arena *varena;

/* Requests of n operands each, every varint length from 1 to 10 bytes. */
static void make_varint_requests(size_t n) {
  int64_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  if (!a || !b) exit(1);
  for (int r = 0; r < VREQS; r++) {
    for (size_t i = 0; i < n; i++) {
      a[i] = (int64_t)(next() >> (next() % 64));
      b[i] = (int64_t)next() >> (next() % 64);
    }
    free(vreq[r]);
    vreq[r] = malloc(2 * CG_BOUND_PACKED_VARINTS(n));
    if (!vreq[r]) exit(1);
    uint8_t *q = cg_write_packed_varints(vreq[r], 1, CG_ENC_VARINT64, a, n);
    q = cg_write_packed_varints(q, 2, CG_ENC_VARINT64, b, n);
    vreq_len[r] = (size_t)(q - vreq[r]);
  }
  free(a);
  free(b);
}

static double time_varint_batch(cg_backend be, size_t n, long reps) {
  if (cg_backend_force(be) != CG_OK) exit(1);
  double t0 = now_ns();
  for (long r = 0; r < reps; r++) {
    cg_bytes resp;
    cg_arena_reset(varena);
    if (cg_run_batch(&varint_add, vreq[r % VREQS], vreq_len[r % VREQS], &resp, varena) != CG_OK) {
      fprintf(stderr, "BatchAdd of %zu on %s failed: %s\n", n, cg_backend_name(be), cg_last_error());
      exit(1);
    }
  }
  double ns = (now_ns() - t0) / (double)reps / (double)n;
  cg_backend_force(CG_BACKEND_AUTO);
  return ns;
}

static long varint_reps(size_t n) { return n >= 1000000 ? 4 : n >= 100000 ? 20 : 200; }

static void setup_varint_batches(size_t max_n) {
  cg_limits lim = cg_get_limits();
  lim.max_request = lim.max_response = 24 * max_n + 64;
  lim.max_batch = max_n;
  cg_set_limits(&lim);
  /* a host with batches this large keeps their memory between calls */
  cg_arena_config ac = {0, 64 * max_n + (1u << 20), 64 * max_n + (1u << 20)};
  varena = cg_arena_create(&ac);
  if (!varena) exit(1);
}

static void measure_varint_batches(int trials, size_t max_n) {
  printf("\nBatchAdd over packed int64 varints of 1-10 bytes (decode, kernel, encode), ns per element\n");
  printf("%12s %10s %17s %17s\n", "n", "one core", "all cores", "auto");
  for (size_t n = 1000; n <= max_n; n *= 10) {
    make_varint_requests(n);
    double best[3] = {1e300, 1e300, 1e300};
    static const cg_backend bes[3] = {CG_BACKEND_SINGLE, CG_BACKEND_THREADS, CG_BACKEND_AUTO};
    for (int t = 0; t < trials; t++)
      for (int k = 0; k < 3; k++) {
        double v = time_varint_batch(bes[k], n, varint_reps(n));
        if (v < best[k]) best[k] = v;
      }
    printf("%12zu %10.3f %10.3f %5.2fx %10.3f %5.2fx%s\n", n, best[0], best[1], best[0] / best[1], best[2],
           best[0] / best[2], best[2] > best[0] * 1.1 ? "  <- slower" : "");
  }
}

/* ---- calibration --------------------------------------------------------- */

/* One op per threshold class, in backend_internal.h's order. */
static const op_case class_rep[] = {
    {"add i64 (cheap)", CG_KERNEL_ADD, CG_TYPE_I64},
    {"div i64 (int div)", CG_KERNEL_DIV, CG_TYPE_I64},
    {"div f64 (float div)", CG_KERNEL_DIV, CG_TYPE_F64},
    {"fmod f64 (fmod)", CG_KERNEL_MOD, CG_TYPE_F64},
};
enum { N_CLASSES = sizeof class_rep / sizeof class_rep[0] };

/* The smallest n from which `faster` beats `base` by more than noise (3%)
 * at every grid point up, as a threshold; SIZE_MAX when it never does. */
static size_t crossing(const size_t *grid, int ng, const double *base, const double *faster) {
  size_t at = SIZE_MAX;
  for (int g = ng - 1; g >= 0; g--) {
    if (faster[g] < 0 || faster[g] > 0.97 * base[g]) break;
    at = grid[g];
  }
  return at;
}

static int by_value(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, by_value);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void calibrate(int trials, size_t max_n, int codec_only) {
  size_t grid[32];
  int ng = 0;
  for (size_t n = 1024; n <= max_n && ng < 32; n *= 2) grid[ng++] = n;
  size_t th[2][N_CLASSES];
  printf("\ncalibration: ns per element by n, median of %d trials (one core / all cores / GPU end to end)\n", trials);
  for (int k = 0; k < N_CLASSES; k++) {
    const op_case *c = &class_rep[k];
    th[0][k] = th[1][k] = SIZE_MAX;
    if (codec_only) continue;
    fill(c);
    double single[32], threads[32], cuda[32], cpu[32];
    for (int g = 0; g < ng; g++) {
      /* medians, not bests: a threshold must hold on an ordinary run */
      double ts[3][16];
      for (int t = 0; t < trials; t++) {
        long reps = reps_for(grid[g]);
        ts[0][t] = time_backend(c, CG_BACKEND_SINGLE, grid[g], reps);
        ts[1][t] = time_backend(c, CG_BACKEND_THREADS, grid[g], reps);
        ts[2][t] = gpu ? time_backend(c, CG_BACKEND_CUDA, grid[g], reps) : -1;
      }
      single[g] = median(ts[0], trials);
      threads[g] = median(ts[1], trials);
      cuda[g] = median(ts[2], trials);
    }
    th[0][k] = cg_backend_threads() > 1 ? crossing(grid, ng, single, threads) : SIZE_MAX;
    for (int g = 0; g < ng; g++) cpu[g] = grid[g] >= th[0][k] ? threads[g] : single[g];
    th[1][k] = crossing(grid, ng, cpu, cuda);
    printf("%s\n", c->name);
    for (int g = 0; g < ng; g++)
      printf("  %10zu %9.4f %9.4f %9.4f\n", grid[g], single[g], threads[g], cuda[g]);
  }
  /* the codec threshold: whole varint batches, one core against all */
  size_t vgrid[32];
  int nv = 0;
  for (size_t n = 1024; n <= max_n && n <= ((size_t)1 << 22) && nv < 32; n *= 2) vgrid[nv++] = n;
  double vs[32], vt[32];
  printf("packed-varint BatchAdd\n");
  for (int g = 0; g < nv; g++) {
    make_varint_requests(vgrid[g]);
    double ts[2][16];
    for (int t = 0; t < trials; t++) {
      ts[0][t] = time_varint_batch(CG_BACKEND_SINGLE, vgrid[g], varint_reps(vgrid[g]));
      ts[1][t] = time_varint_batch(CG_BACKEND_THREADS, vgrid[g], varint_reps(vgrid[g]));
    }
    vs[g] = median(ts[0], trials);
    vt[g] = median(ts[1], trials);
    printf("  %10zu %9.4f %9.4f\n", vgrid[g], vs[g], vt[g]);
  }
  size_t codec = cg_backend_threads() > 1 ? crossing(vgrid, nv, vs, vt) : SIZE_MAX;
  printf("\nthresholds for runtime/src/backend_defaults.c (%u threads%s%s):\n", cg_backend_threads(),
         gpu ? ", " : "", gpu ? cg_backend_device() : "");
  printf("    /*            cheap    int div  float div  fmod */\n");
  for (int b = 0; b < 2 && !codec_only; b++) {
    printf("    /* %-7s */ {", b ? "cuda" : "threads");
    for (int k = 0; k < N_CLASSES; k++) {
      if (th[b][k] == SIZE_MAX) printf("%sSIZE_MAX", k ? ", " : "");
      else printf("%s%zu", k ? ", " : "", th[b][k]);
    }
    printf("},\n");
  }
  if (codec == SIZE_MAX) printf("    cg__default_codec_threshold = SIZE_MAX;\n");
  else printf("    cg__default_codec_threshold = %zu;\n", codec);
}

/* ---- SVG: ns/element against n, one panel per op ------------------------- */

static void write_svg(const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    return;
  }
  static const char *const color[N_COLS] = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b"};
  double x0 = log10((double)sizes[0]), x1 = log10((double)sizes[n_sizes - 1]);
  if (x1 <= x0) x1 = x0 + 1;
  svg_begin(f, 720, 340.0 * N_CASES);
  for (int k = 0; k < N_CASES; k++) {
    svg_panel p = {f, 340.0 * k, 720, 340, 70, 170, 40, 50, -4, 3}; /* 0.0001 .. 1000 ns */
#define X(n) (p.left + svg_plot_width(&p) * ((log10((double)(n)) - x0) / (x1 - x0)))
    fprintf(f, "<text x='%.0f' y='%.0f' font-size='14'>%s: ns per element vs batch size, %u threads%s%s</text>\n", p.left,
            p.oy + 22, cases[k].name, cg_backend_threads(), gpu ? ", " : "", gpu ? cg_backend_device() : "");
    svg_frame(&p, "elements", "ns/element");
    for (int s = 0; s < n_sizes; s++) {
      char label[16];
      snprintf(label, sizeof label, "1e%.0f", log10((double)sizes[s]));
      svg_column(&p, X(sizes[s]), label);
    }
    int legend = 0;
    for (int col = 0; col < N_COLS; col++) {
      if (table[k][0][col] < 0) continue;
      fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='2'%s points='", color[col],
              col == COL_AUTO ? " stroke-dasharray='6 4'" : "");
      for (int s = 0; s < n_sizes; s++) {
        double v = table[k][s][col];
        fprintf(f, "%.1f,%.1f ", X(sizes[s]), svg_y(&p, v < 1e-4 ? 1e-4 : v));
      }
      fprintf(f, "'/>\n");
      svg_legend(&p, legend++, color[col], col_name[col]);
    }
#undef X
  }
  fprintf(f, "</svg>\n");
  fclose(f);
}

int main(int argc, char **argv) {
  int quick = 0, calib = 0, codec_only = 0, trials_arg = 0;
  size_t max_n = 100000000;
  const char *svg = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--quick")) quick = 1;
    else if (!strcmp(argv[i], "--calibrate")) calib = 1;
    else if (!strcmp(argv[i], "--codec-only")) calib = codec_only = 1;
    else if (!strcmp(argv[i], "--max-n") && i + 1 < argc) max_n = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--trials") && i + 1 < argc) trials_arg = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--svg") && i + 1 < argc) svg = argv[++i];
    else {
      fprintf(stderr, "usage: %s [--quick] [--max-n N] [--trials N] [--calibrate | --codec-only] [--svg FILE]\n", argv[0]);
      return 2;
    }
  }
  if (quick && max_n > 1000000) max_n = 1000000;
  if (max_n < 1000) max_n = 1000;
  int trials = trials_arg > 0 ? (trials_arg < 16 ? trials_arg : 16) : quick ? 3 : calib ? 7 : 5;
  for (size_t n = 1000; n <= max_n && n_sizes < MAX_SIZES; n *= 10) sizes[n_sizes++] = n;
  for (unsigned t = 1; t <= cg_backend_threads() && n_steps < MAX_THREAD_STEPS; t *= 2) thread_steps[n_steps++] = t;
  if (thread_steps[n_steps - 1] != cg_backend_threads() && n_steps < MAX_THREAD_STEPS)
    thread_steps[n_steps++] = cg_backend_threads();
  /* The pool: a window per rep, so the big sizes stream from memory. */
  pool_n = max_n * 2 > 16 << 20 ? max_n * 2 : 16 << 20;
  if (pool_n > max_n + (64u << 20)) pool_n = max_n + (64u << 20);
  pool_a = aligned_alloc(64, pool_n * 8);
  pool_b = aligned_alloc(64, pool_n * 8);
  pool_out = aligned_alloc(64, pool_n * 8);
  if (!pool_a || !pool_b || !pool_out) {
    fprintf(stderr, "cannot allocate 3 x %zu MiB\n", pool_n * 8 >> 20);
    return 1;
  }
  gpu = cg__cuda();
  printf("calcgen backends: kernels %s, %u threads (one per CPU this process may use), GPU: %s\n", cg_isa_active(),
         cg_backend_threads(), gpu ? cg_backend_device() : "none (no plugin, driver or device)");
  printf("thresholds in use (elements; threads / cuda): add i64 %zu / %zu, div i64 %zu / %zu, div f64 %zu / %zu, "
         "fmod f64 %zu / %zu\n",
         cg_backend_threshold(CG_BACKEND_THREADS, CG_KERNEL_ADD, CG_TYPE_I64), cg_backend_threshold(CG_BACKEND_CUDA, CG_KERNEL_ADD, CG_TYPE_I64),
         cg_backend_threshold(CG_BACKEND_THREADS, CG_KERNEL_DIV, CG_TYPE_I64), cg_backend_threshold(CG_BACKEND_CUDA, CG_KERNEL_DIV, CG_TYPE_I64),
         cg_backend_threshold(CG_BACKEND_THREADS, CG_KERNEL_DIV, CG_TYPE_F64), cg_backend_threshold(CG_BACKEND_CUDA, CG_KERNEL_DIV, CG_TYPE_F64),
         cg_backend_threshold(CG_BACKEND_THREADS, CG_KERNEL_MOD, CG_TYPE_F64), cg_backend_threshold(CG_BACKEND_CUDA, CG_KERNEL_MOD, CG_TYPE_F64));
  /* first touch of every page, and the pool's helpers started */
  memset(pool_a, 1, pool_n * 8);
  memset(pool_b, 1, pool_n * 8);
  memset(pool_out, 1, pool_n * 8);
  fill(&cases[0]);
  time_backend(&cases[0], CG_BACKEND_THREADS, pool_n / 2, 1);
  long heap0 = heap_calls_now();
  for (int r = 0; r < 10; r++) time_backend(&cases[0], CG_BACKEND_THREADS, 1 << 20, 1);
  printf("heap calls per THREADS call in steady state: %.2f\n", (double)(heap_calls_now() - heap0) / 10);
  size_t varint_max = max_n < 10000000 ? max_n : 10000000;
  setup_varint_batches(calib ? (size_t)1 << 22 : varint_max);
  if (calib) {
    calibrate(trials, max_n < (64u << 20) ? max_n : (64u << 20), codec_only);
    return 0;
  }
  measure(trials);
  print_table();
  measure_varint_batches(trials, varint_max);
  if (svg) write_svg(svg);
  return 0;
}
