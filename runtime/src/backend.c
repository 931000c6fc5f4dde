#define _GNU_SOURCE /* sched_getaffinity */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_internal.h"
#include "cuda_plugin.h"

#include "calcgen/backend.h"

#ifndef CG_HAVE_POOL
#define CG_HAVE_POOL 0
#endif
#if CG_HAVE_POOL
#include <sched.h>

#include "parallel_internal.h"
#endif

/* A single-thread chunk keeps its three arrays well inside L2. */
#define SINGLE_CHUNK_BYTES ((size_t)16 << 10)
/* THREADS chunks: at most this much of each operand, and at least MIN_CHUNK
 * elements, about four per thread so a slow thread does not hold the rest. */
#define THREAD_CHUNK_BYTES ((size_t)64 << 10)
#define MIN_CHUNK 1024
#define CHUNKS_PER_THREAD 4
/* Copies from this size are split across the pool. */
#define COPY_SPLIT_BYTES ((size_t)1 << 20)

static const size_t elem_size[CG_TYPE_END] = {
#define ELEM_SIZE(v, UP, low, T) [v] = sizeof(T),
    CG_ELEM_TYPE_MAP(ELEM_SIZE)
#undef ELEM_SIZE
};

/* ---- settings ----------------------------------------------------------- */

/* [backend - THREADS][op][type]; min_threshold is the smallest of them, so a
 * small batch costs one comparison. */
static _Atomic size_t threshold[2][CG_KERNEL_OP_END][CG_TYPE_END];
static _Atomic size_t min_threshold;
static _Atomic size_t codec_threshold;
static _Atomic int forced;
static _Atomic unsigned thread_count; /* 0: not yet known */
static pthread_mutex_t settings_lock = PTHREAD_MUTEX_INITIALIZER; /* table writes and min_threshold */
static pthread_once_t settings_once = PTHREAD_ONCE_INIT;

static int in_range(cg_kernel_op op, cg_elem_type type, cg_overflow ovf) {
  return op > CG_KERNEL_NONE && op < CG_KERNEL_OP_END && type >= 0 && type < CG_TYPE_END &&
         (ovf == CG_WRAP || ovf == CG_CHECKED);
}

static int is_float(cg_elem_type t) { return t == CG_TYPE_F32 || t == CG_TYPE_F64; }

static cg__op_class class_of(cg_kernel_op op, cg_elem_type type) {
  if (op == CG_KERNEL_DIV) return is_float(type) ? CG__CLASS_FLOAT_DIV : CG__CLASS_INT_DIV;
  if (op == CG_KERNEL_MOD) return is_float(type) ? CG__CLASS_FMOD : CG__CLASS_INT_DIV;
  return CG__CLASS_CHEAP;
}

static void update_min(void) {
  size_t m = SIZE_MAX;
  for (int b = 0; b < 2; b++)
    for (int op = 1; op < CG_KERNEL_OP_END; op++)
      for (int t = 0; t < CG_TYPE_END; t++) {
        size_t v = atomic_load(&threshold[b][op][t]);
        if (v < m) m = v;
      }
  atomic_store(&min_threshold, m);
}

static void set_defaults(void) {
  pthread_mutex_lock(&settings_lock);
  for (int b = 0; b < 2; b++)
    for (int op = 1; op < CG_KERNEL_OP_END; op++)
      for (int t = 0; t < CG_TYPE_END; t++)
        atomic_store(&threshold[b][op][t], cg__default_threshold[b][class_of((cg_kernel_op)op, (cg_elem_type)t)]);
  atomic_store(&codec_threshold, cg__default_codec_threshold);
  update_min();
  pthread_mutex_unlock(&settings_lock);
}

static unsigned online_cpus(void) {
#if CG_HAVE_POOL && defined(CPU_COUNT)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return (unsigned)CPU_COUNT(&set);
#endif
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (unsigned)n : 1u;
}

static void read_environment(void) {
  set_defaults();
  const char *env = getenv("CALCGEN_BACKEND");
  if (!env || !*env) return;
  for (int b = CG_BACKEND_AUTO; b < CG_BACKEND_END; b++)
    if (strcmp(env, cg_backend_name((cg_backend)b)) == 0) {
      if (cg_backend_available((cg_backend)b)) {
        atomic_store(&forced, b);
      } else {
        fprintf(stderr, "calcgen: CALCGEN_BACKEND=%s is not available in this process; choosing by size\n", env);
      }
      return;
    }
  fprintf(stderr, "calcgen: unknown CALCGEN_BACKEND=%s (auto, single, threads, cuda); choosing by size\n", env);
}

static void settings(void) { pthread_once(&settings_once, read_environment); }

/* ---- the backends -------------------------------------------------------- */

static cg_status run_single(cg_kernel_fn fn, size_t es, const unsigned char *a, const unsigned char *b,
                            unsigned char *out, size_t n, size_t *fail_index) {
  size_t chunk = SINGLE_CHUNK_BYTES / es;
  for (size_t done = 0; done < n; done += chunk) {
    size_t len = n - done < chunk ? n - done : chunk, bad = 0;
    cg_status st = fn(a + done * es, b + done * es, out + done * es, len, &bad);
    if (st != CG_OK) {
      *fail_index = done + bad;
      return st;
    }
  }
  return CG_OK;
}

#if CG_HAVE_POOL
typedef struct kernel_job {
  cg_kernel_fn fn;
  const unsigned char *a, *b;
  unsigned char *out;
  size_t n, chunk, es;
  _Atomic uint64_t fail; /* the lowest failure (backend_internal.h) */
} kernel_job;

static void run_chunk(void *ctx, size_t c) {
  kernel_job *j = ctx;
  size_t start = c * j->chunk;
  if (cg__past_failure(&j->fail, start)) return;
  size_t len = j->n - start < j->chunk ? j->n - start : j->chunk, bad = 0, es = j->es;
  cg_status st = j->fn(j->a + start * es, j->b + start * es, j->out + start * es, len, &bad);
  if (st != CG_OK) cg__lower_failure(&j->fail, start + bad, st);
}

static cg_status run_threads(cg_kernel_fn fn, size_t es, const unsigned char *a, const unsigned char *b,
                             unsigned char *out, size_t n, size_t *fail_index) {
  unsigned threads = cg_backend_threads();
  size_t chunk = (n + (size_t)threads * CHUNKS_PER_THREAD - 1) / ((size_t)threads * CHUNKS_PER_THREAD);
  if (chunk > THREAD_CHUNK_BYTES / es) chunk = THREAD_CHUNK_BYTES / es;
  if (chunk < MIN_CHUNK) chunk = MIN_CHUNK;
  if ((n + chunk - 1) / chunk > CG__PAR_MAX_CHUNKS) chunk = (n + CG__PAR_MAX_CHUNKS - 1) / CG__PAR_MAX_CHUNKS;
  kernel_job job = {fn, a, b, out, n, chunk, es, CG__NO_FAILURE};
  cg__par_for((n + chunk - 1) / chunk, run_chunk, &job, threads);
  return cg__failure_of(atomic_load(&job.fail), fail_index);
}
#endif

#if CG_HAVE_POOL
typedef struct copy_job {
  unsigned char *dst;
  const unsigned char *src;
  size_t bytes, chunk;
} copy_job;

static void copy_chunk(void *ctx, size_t i) {
  copy_job *j = ctx;
  size_t start = i * j->chunk, len = j->bytes - start < j->chunk ? j->bytes - start : j->chunk;
  memcpy(j->dst + start, j->src + start, len);
}
#endif

/* One core copies far below the memory's bandwidth: big copies take them all. */
void cg__copy_wide(void *dst, const void *src, size_t bytes) {
#if CG_HAVE_POOL
  unsigned threads = cg_backend_threads();
  if (threads > 1 && bytes >= COPY_SPLIT_BYTES) {
    size_t chunk = bytes / ((size_t)threads * 2);
    if (chunk < COPY_SPLIT_BYTES / 4) chunk = COPY_SPLIT_BYTES / 4;
    copy_job j = {dst, src, bytes, chunk};
    cg__par_for((bytes + chunk - 1) / chunk, copy_chunk, &j, threads);
    return;
  }
#endif
  memcpy(dst, src, bytes);
}

static int overlaps(const void *x, const void *y, size_t bytes) {
  uintptr_t p = (uintptr_t)x, q = (uintptr_t)y;
  return p < q + bytes && q < p + bytes;
}

/* ---- the decision -------------------------------------------------------- */

cg_backend cg_backend_choice(cg_kernel_op op, cg_elem_type type, size_t n) {
  settings();
  int f = atomic_load_explicit(&forced, memory_order_relaxed);
  if (f != CG_BACKEND_AUTO) return (cg_backend)f;
  if (n < atomic_load_explicit(&min_threshold, memory_order_relaxed) || !in_range(op, type, CG_WRAP))
    return CG_BACKEND_SINGLE;
  if (n >= atomic_load_explicit(&threshold[1][op][type], memory_order_relaxed) && cg_backend_available(CG_BACKEND_CUDA))
    return CG_BACKEND_CUDA;
  if (n >= atomic_load_explicit(&threshold[0][op][type], memory_order_relaxed) && CG_HAVE_POOL &&
      cg_backend_threads() > 1)
    return CG_BACKEND_THREADS;
  return CG_BACKEND_SINGLE;
}

cg_backend cg__codec_choice(cg_kernel_op op, cg_elem_type type, size_t n) {
  settings();
  int f = atomic_load_explicit(&forced, memory_order_relaxed);
  if (f == CG_BACKEND_AUTO) {
    if (n < atomic_load_explicit(&codec_threshold, memory_order_relaxed) &&
        n < atomic_load_explicit(&min_threshold, memory_order_relaxed))
      return CG_BACKEND_SINGLE;
    if (cg_backend_choice(op, type, n) == CG_BACKEND_CUDA) return CG_BACKEND_CUDA;
    f = n >= atomic_load_explicit(&codec_threshold, memory_order_relaxed) && cg_backend_threads() > 1
            ? CG_BACKEND_THREADS
            : CG_BACKEND_SINGLE;
  }
  return CG_HAVE_POOL || f != CG_BACKEND_THREADS ? (cg_backend)f : CG_BACKEND_SINGLE;
}

cg_status cg__kernel_exec(cg_backend backend, cg_kernel_fn fn, cg_kernel_op op, cg_elem_type type,
                          cg_overflow ovf, const void *a, const void *b, void *out, size_t n, size_t *fail_index) {
  size_t es = elem_size[type];
  cg_backend use = backend == CG_BACKEND_AUTO ? cg_backend_choice(op, type, n) : backend;
  switch (use) {
    case CG_BACKEND_CUDA: {
      const cg__cuda_plugin *p = cg__cuda();
      if (!p) return cg_fail(CG_ERR_INVALID_ARGUMENT, "the CUDA backend is not available: no plugin, driver or device");
      char err[256] = "";
      int wrote = 0;
      cg_status st = p->run(op, type, ovf, a, b, out, n, fail_index, cg__copy_wide, &wrote, err, sizeof err);
      /* The device could not take it: the CPU still can, unless results
       * already written over an operand leave nothing to start again from. */
      int retry = st == CG_ERR_NO_MEMORY && backend != CG_BACKEND_CUDA && cg_backend_forced() != CG_BACKEND_CUDA &&
                  !(wrote && (overlaps(out, a, n * es) || overlaps(out, b, n * es)));
      if (!retry) {
        if (st == CG_ERR_NO_MEMORY) return cg_fail(st, "CUDA backend: %s", err);
        return st;
      }
      use = cg_backend_available(CG_BACKEND_THREADS) ? CG_BACKEND_THREADS : CG_BACKEND_SINGLE;
      break;
    }
    case CG_BACKEND_THREADS:
      if (!cg_backend_available(CG_BACKEND_THREADS))
        return cg_fail(CG_ERR_INVALID_ARGUMENT, "the threads backend is not available in this build");
      break;
    default:
      break;
  }
#if CG_HAVE_POOL
  if (use == CG_BACKEND_THREADS) return run_threads(fn, es, a, b, out, n, fail_index);
#endif
  return run_single(fn, es, a, b, out, n, fail_index);
}

cg_status cg_kernel_run(cg_backend backend, cg_kernel_op op, cg_elem_type type, cg_overflow ovf,
                        const void *a, const void *b, void *out, size_t n, size_t *fail_index) {
  cg_clear_error();
  size_t ignored;
  if (!fail_index) fail_index = &ignored;
  if (!in_range(op, type, ovf) || backend < CG_BACKEND_AUTO || backend >= CG_BACKEND_END)
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_kernel_run: no backend %d, op %d, type %d or overflow %d",
                   (int)backend, (int)op, (int)type, (int)ovf);
  if (n && (!a || !b || !out))
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_kernel_run: a, b and out must not be NULL");
  return cg__kernel_exec(backend, cg_kernel(op, type, ovf), op, type, ovf, a, b, out, n, fail_index);
}

/* ---- settings API -------------------------------------------------------- */

const char *cg_backend_name(cg_backend b) {
  static const char *const names[CG_BACKEND_END] = {"auto", "single", "threads", "cuda"};
  return b >= CG_BACKEND_AUTO && b < CG_BACKEND_END ? names[b] : NULL;
}

int cg_backend_available(cg_backend b) {
  switch (b) {
    case CG_BACKEND_AUTO:
    case CG_BACKEND_SINGLE:
      return 1;
    case CG_BACKEND_THREADS:
      return CG_HAVE_POOL;
    case CG_BACKEND_CUDA:
      return cg__cuda() != NULL;
    default:
      return 0;
  }
}

const char *cg_backend_device(void) { return cg__cuda_device(); }

cg_status cg_backend_force(cg_backend b) {
  cg_clear_error();
  settings();
  if (!cg_backend_name(b)) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_backend_force: no backend %d", (int)b);
  if (!cg_backend_available(b))
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_backend_force: the %s backend is not available in this process",
                   cg_backend_name(b));
  atomic_store(&forced, (int)b);
  return CG_OK;
}

cg_backend cg_backend_forced(void) {
  settings();
  return (cg_backend)atomic_load(&forced);
}

static int threshold_index(cg_backend b) {
  return b == CG_BACKEND_THREADS ? 0 : b == CG_BACKEND_CUDA ? 1 : -1;
}

cg_status cg_backend_set_threshold(cg_backend b, cg_kernel_op op, cg_elem_type type, size_t n) {
  cg_clear_error();
  settings();
  int k = threshold_index(b);
  int all_ops = op == CG_KERNEL_NONE, all_types = type == CG_TYPE_END;
  if (k < 0 || (!all_ops && !(op > CG_KERNEL_NONE && op < CG_KERNEL_OP_END)) ||
      (!all_types && !(type >= 0 && type < CG_TYPE_END)))
    return cg_fail(CG_ERR_INVALID_ARGUMENT,
                   "cg_backend_set_threshold: thresholds are for the threads and cuda backends, a valid op "
                   "(or CG_KERNEL_NONE for all) and type (or CG_TYPE_END for all)");
  pthread_mutex_lock(&settings_lock);
  for (int o = 1; o < CG_KERNEL_OP_END; o++)
    for (int t = 0; t < CG_TYPE_END; t++)
      if ((all_ops || o == (int)op) && (all_types || t == (int)type)) atomic_store(&threshold[k][o][t], n);
  update_min();
  pthread_mutex_unlock(&settings_lock);
  return CG_OK;
}

size_t cg_backend_threshold(cg_backend b, cg_kernel_op op, cg_elem_type type) {
  settings();
  int k = threshold_index(b);
  if (k < 0 || !(op > CG_KERNEL_NONE && op < CG_KERNEL_OP_END) || !(type >= 0 && type < CG_TYPE_END))
    return SIZE_MAX;
  return atomic_load(&threshold[k][op][type]);
}

cg_status cg_backend_set_codec_threshold(size_t n) {
  cg_clear_error();
  settings();
  atomic_store(&codec_threshold, n);
  return CG_OK;
}

size_t cg_backend_codec_threshold(void) {
  settings();
  return atomic_load(&codec_threshold);
}

void cg_backend_reset_thresholds(void) {
  settings();
  set_defaults();
}

cg_status cg_backend_set_threads(unsigned threads) {
  cg_clear_error();
  if (threads > CG_BACKEND_MAX_THREADS)
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_backend_set_threads: %u threads, over the most (%d)", threads,
                   CG_BACKEND_MAX_THREADS);
  if (threads == 0) threads = online_cpus();
  atomic_store(&thread_count, threads > CG_BACKEND_MAX_THREADS ? CG_BACKEND_MAX_THREADS : threads);
  return CG_OK;
}

unsigned cg_backend_threads(void) {
  unsigned n = atomic_load_explicit(&thread_count, memory_order_relaxed);
  if (n) return n;
  n = online_cpus();
  if (n > CG_BACKEND_MAX_THREADS) n = CG_BACKEND_MAX_THREADS;
  unsigned zero = 0;
  atomic_compare_exchange_strong(&thread_count, &zero, n);
  return atomic_load(&thread_count);
}
