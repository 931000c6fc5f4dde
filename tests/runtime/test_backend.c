/* The batch backends (calcgen/backend.h) and the thread pool under them:
 * every chunk once and on several threads, the lowest failing element
 * across chunks, concurrent posters, fork, no heap calls in steady state,
 * the settings API and its misuse, CALCGEN_BACKEND, and generated zero-copy
 * batches giving the same bytes on every backend. The kernel matrix itself
 * is tests/runtime/test_kernels.c --backend. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "calculator.calcgen.h"
#include "backend_internal.h"
#include "parallel_internal.h"
#include "xorshift.h"
#if COUNT_HEAP
#include "alloc_count.h"
#endif

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

/* ---- the pool ------------------------------------------------------------ */

enum { CHUNKS = 64 };

typedef struct seen_job {
  _Atomic int runs[CHUNKS];
  pthread_t by[CHUNKS];
  int sleep_us;
} seen_job;

static void record(void *ctx, size_t i) {
  seen_job *j = ctx;
  atomic_fetch_add(&j->runs[i], 1);
  j->by[i] = pthread_self();
  if (j->sleep_us) {
    struct timespec ts = {0, (long)j->sleep_us * 1000};
    nanosleep(&ts, NULL);
  }
}

static size_t distinct_threads(seen_job *j) {
  size_t distinct = 0;
  for (int i = 0; i < CHUNKS; i++) {
    int fresh = 1;
    for (int k = 0; k < i; k++)
      if (pthread_equal(j->by[k], j->by[i])) fresh = 0;
    distinct += (size_t)fresh;
  }
  return distinct;
}

static void pool_runs_every_chunk_once_on_several_threads(void **state) {
  (void)state;
  seen_job *j = calloc(1, sizeof *j);
  assert_non_null(j);
  j->sleep_us = 300; /* long enough that a helper wakes and takes some */
  cg__par_for(CHUNKS, record, j, 4);
  for (int i = 0; i < CHUNKS; i++) assert_int_equal(atomic_load(&j->runs[i]), 1);
  assert_true(cg__par_helpers() >= 3);
  assert_true(distinct_threads(j) >= 2);
  free(j);
}

static void pool_one_thread_or_one_chunk_runs_inline(void **state) {
  (void)state;
  seen_job *j = calloc(1, sizeof *j);
  assert_non_null(j);
  cg__par_for(CHUNKS, record, j, 1);
  for (int i = 0; i < CHUNKS; i++) {
    assert_int_equal(atomic_load(&j->runs[i]), 1);
    assert_true(pthread_equal(j->by[i], pthread_self()));
  }
  memset(j, 0, sizeof *j);
  cg__par_for(1, record, j, 8);
  assert_int_equal(atomic_load(&j->runs[0]), 1);
  assert_true(pthread_equal(j->by[0], pthread_self()));
  cg__par_for(0, record, j, 8); /* nothing to run */
  assert_int_equal(atomic_load(&j->runs[0]), 1);
  free(j);
}

/* Several threads post jobs at once: one holds the pool, the others run
 * theirs inline, and every chunk of every job runs exactly once. */
static void *poster(void *arg) {
  (void)arg;
  seen_job *j = malloc(sizeof *j);
  for (int r = 0; r < 300; r++) {
    memset(j, 0, sizeof *j);
    cg__par_for(CHUNKS, record, j, 3);
    for (int i = 0; i < CHUNKS; i++)
      if (atomic_load(&j->runs[i]) != 1) return (void *)1;
  }
  free(j);
  return NULL;
}

static void pool_concurrent_posters(void **state) {
  (void)state;
  pthread_t t[4];
  for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, poster, NULL), 0);
  for (int i = 0; i < 4; i++) {
    void *ret;
    pthread_join(t[i], &ret);
    assert_null(ret);
  }
}

/* The CUDA plugin's staging copy: split across the pool from 1 MiB. */
static void wide_copy_is_memcpy(void **state) {
  (void)state;
  static const size_t sizes[] = {0, 1, 4095, (1 << 20) - 1, 1 << 20, (3 << 20) + 12345, 9 << 20};
  size_t most = 9 << 20;
  unsigned char *src = malloc(most + 64), *dst = malloc(most + 64);
  assert_non_null(src);
  assert_non_null(dst);
  uint64_t r = 5;
  for (size_t i = 0; i < most + 64; i++) src[i] = (unsigned char)xorshift64(&r);
  for (unsigned threads = 1; threads <= 5; threads += 2) {
    assert_int_equal(cg_backend_set_threads(threads), CG_OK);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
      memset(dst, 0xEE, most + 64);
      cg__copy_wide(dst + 3, src + 1, sizes[k]);
      assert_memory_equal(dst + 3, src + 1, sizes[k]);
      assert_int_equal(dst[3 + sizes[k]], 0xEE); /* not one byte past */
      assert_int_equal(dst[2], 0xEE);
    }
  }
  assert_int_equal(cg_backend_set_threads(0), CG_OK);
  free(src);
  free(dst);
}

/* Fewer threads wanted than helpers started: the others stay out of jobs,
 * and come back when more are wanted. */
static void pool_lowered_thread_count(void **state) {
  (void)state;
  seen_job *j = calloc(1, sizeof *j);
  assert_non_null(j);
  j->sleep_us = 200;
  cg__par_for(CHUNKS, record, j, 6); /* starts 5 helpers */
  for (int r = 0; r < 3; r++) {
    memset(j, 0, sizeof *j);
    j->sleep_us = 200;
    cg__par_for(CHUNKS, record, j, 2);
    assert_true(distinct_threads(j) <= 2);
  }
  memset(j, 0, sizeof *j);
  j->sleep_us = 300;
  cg__par_for(CHUNKS, record, j, 6);
  for (int i = 0; i < CHUNKS; i++) assert_int_equal(atomic_load(&j->runs[i]), 1);
  assert_true(distinct_threads(j) >= 2);
  free(j);
}

/* A fork while another thread's batch is running: the child does not take
 * over the parent's job, and its own batches are right. */
static void *slow_job(void *arg) {
  cg__par_for(CHUNKS, record, arg, 3);
  return NULL;
}

static void fork_while_a_batch_runs(void **state) {
  (void)state;
#if UNDER_TSAN
  skip(); /* ThreadSanitizer cannot start threads after a multi-threaded fork */
#endif
  seen_job *j = calloc(1, sizeof *j);
  assert_non_null(j);
  j->sleep_us = 2000;
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, slow_job, j), 0);
  struct timespec ts = {0, 10 * 1000 * 1000};
  nanosleep(&ts, NULL); /* the job is under way, with chunks left */
  enum { N = 1 << 18 };
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    alarm(20);
    static int64_t a[N], b[N], out[N];
    for (int i = 0; i < N; i++) a[i] = i, b[i] = 3 * i;
    int before[CHUNKS];
    for (int i = 0; i < CHUNKS; i++) before[i] = atomic_load(&j->runs[i]);
    size_t at;
    int bad = cg_kernel_run(CG_BACKEND_THREADS, CG_KERNEL_ADD, CG_TYPE_I64, CG_WRAP, a, b, out, N, &at) != CG_OK;
    for (int i = 0; i < N && !bad; i++) bad = out[i] != 4 * i;
    struct timespec settle = {0, 20 * 1000 * 1000};
    nanosleep(&settle, NULL);
    /* the child's helpers never ran a chunk of the parent's job */
    for (int i = 0; i < CHUNKS; i++) bad |= (atomic_load(&j->runs[i]) != before[i]) << 1;
    _exit(bad);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  pthread_join(t, NULL);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  for (int i = 0; i < CHUNKS; i++) assert_int_equal(atomic_load(&j->runs[i]), 1);
  free(j);
}

/* ---- the THREADS backend --------------------------------------------------- */

enum { BIG = (1 << 20) + 77 };

static int64_t *fresh(size_t n, uint64_t seed) {
  int64_t *v = malloc(n * sizeof *v);
  assert_non_null(v);
  uint64_t s = seed * 0x9E3779B97F4A7C15ull | 1;
  for (size_t i = 0; i < n; i++) v[i] = (int64_t)(xorshift64(&s) % 2000001) - 1000000;
  return v;
}

static void lowest_failure_across_chunks(void **state) {
  (void)state;
  int64_t *a = fresh(BIG, 1), *b = fresh(BIG, 2), *out = malloc(BIG * sizeof *out);
  assert_non_null(out);
  for (size_t i = 0; i < BIG; i++)
    if (b[i] == 0) b[i] = 3;
  /* failures in a late, the middle and an early chunk: the lowest one wins */
  static const size_t where[][3] = {{900001, 500000, 700001}, {BIG - 1, BIG - 1, BIG - 1}, {3, 600000, 5}};
  for (size_t w = 0; w < 3; w++) {
    for (unsigned threads = 2; threads <= 8; threads *= 2) {
      assert_int_equal(cg_backend_set_threads(threads), CG_OK);
      for (int k = 0; k < 3; k++) b[where[w][k]] = 0;
      size_t low = where[w][0] < where[w][1] ? where[w][0] : where[w][1];
      low = low < where[w][2] ? low : where[w][2];
      size_t at = 0;
      assert_int_equal(cg_kernel_run(CG_BACKEND_THREADS, CG_KERNEL_DIV, CG_TYPE_I64, CG_CHECKED, a, b, out, BIG, &at),
                       CG_ERR_DIVIDE_BY_ZERO);
      assert_int_equal(at, low);
      for (size_t i = 0; i < low; i++)
        if (out[i] != a[i] / b[i]) fail_msg("element %zu before the failure was not computed", i);
      for (int k = 0; k < 3; k++) b[where[w][k]] = 3;
    }
  }
  /* an overflow, CHECKED, in the last element */
  a[BIG - 1] = INT64_MAX;
  b[BIG - 1] = 1;
  size_t at = 0;
  assert_int_equal(cg_kernel_run(CG_BACKEND_THREADS, CG_KERNEL_ADD, CG_TYPE_I64, CG_CHECKED, a, b, out, BIG, &at),
                   CG_ERR_OVERFLOW);
  assert_int_equal(at, BIG - 1);
  assert_int_equal(cg_backend_set_threads(0), CG_OK);
  free(a);
  free(b);
  free(out);
}

static void no_heap_calls_in_steady_state(void **state) {
  (void)state;
#if COUNT_HEAP
  int64_t *a = fresh(BIG, 3), *b = fresh(BIG, 4), *out = malloc(BIG * sizeof *out);
  assert_int_equal(cg_backend_set_threads(4), CG_OK);
  size_t at;
  assert_int_equal(cg_kernel_run(CG_BACKEND_THREADS, CG_KERNEL_ADD, CG_TYPE_I64, CG_WRAP, a, b, out, BIG, &at), CG_OK);
  long before = heap_calls_now();
  for (int r = 0; r < 50; r++)
    assert_int_equal(cg_kernel_run(CG_BACKEND_THREADS, CG_KERNEL_MUL, CG_TYPE_I64, CG_WRAP, a, b, out, BIG, &at), CG_OK);
  assert_int_equal(heap_calls_now() - before, 0);
  assert_int_equal(cg_backend_set_threads(0), CG_OK);
  free(a);
  free(b);
  free(out);
#else
  skip(); /* sanitizers own malloc */
#endif
}

/* A child forked after the pool started has no helpers: its batches still
 * complete, on helpers of its own. */
static void batches_after_fork(void **state) {
  (void)state;
#if UNDER_TSAN
  skip(); /* ThreadSanitizer cannot start threads after a multi-threaded fork */
#endif
  int64_t *a = fresh(BIG, 5), *b = fresh(BIG, 6), *out = malloc(BIG * sizeof *out);
  size_t at;
  assert_int_equal(cg_backend_set_threads(3), CG_OK);
  assert_int_equal(cg_kernel_run(CG_BACKEND_THREADS, CG_KERNEL_SUB, CG_TYPE_I64, CG_WRAP, a, b, out, BIG, &at), CG_OK);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    alarm(20); /* a hang fails the test instead of stalling it */
    int bad = cg_kernel_run(CG_BACKEND_THREADS, CG_KERNEL_ADD, CG_TYPE_I64, CG_WRAP, a, b, out, BIG, &at) != CG_OK;
    for (size_t i = 0; i < BIG && !bad; i++) bad = out[i] != a[i] + b[i];
    _exit(bad);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_int_equal(cg_backend_set_threads(0), CG_OK);
  free(a);
  free(b);
  free(out);
}

/* ---- settings -------------------------------------------------------------- */

static void settings_and_misuse(void **state) {
  (void)state;
  int64_t x = 1, y = 2, z = 0;
  size_t at;
  assert_string_equal(cg_backend_name(CG_BACKEND_THREADS), "threads");
  assert_null(cg_backend_name(CG_BACKEND_END));
  assert_null(cg_backend_name((cg_backend)-1));
  assert_true(cg_backend_available(CG_BACKEND_SINGLE));
  assert_true(cg_backend_available(CG_BACKEND_THREADS));
  assert_false(cg_backend_available(CG_BACKEND_END));
  /* arguments */
  assert_int_equal(cg_kernel_run(CG_BACKEND_END, CG_KERNEL_ADD, CG_TYPE_I64, CG_WRAP, &x, &y, &z, 1, &at),
                   CG_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(cg_last_error(), "cg_kernel_run"));
  assert_int_equal(cg_kernel_run(CG_BACKEND_AUTO, CG_KERNEL_OP_END, CG_TYPE_I64, CG_WRAP, &x, &y, &z, 1, &at),
                   CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_kernel_run(CG_BACKEND_AUTO, CG_KERNEL_ADD, CG_TYPE_END, CG_WRAP, &x, &y, &z, 1, &at),
                   CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_kernel_run(CG_BACKEND_AUTO, CG_KERNEL_ADD, CG_TYPE_I64, (cg_overflow)2, &x, &y, &z, 1, &at),
                   CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_kernel_run(CG_BACKEND_THREADS, CG_KERNEL_ADD, CG_TYPE_I64, CG_WRAP, NULL, &y, &z, 1, &at),
                   CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_kernel_run(CG_BACKEND_THREADS, CG_KERNEL_ADD, CG_TYPE_I64, CG_WRAP, NULL, NULL, NULL, 0, NULL),
                   CG_OK);
  assert_int_equal(cg_kernel_run(CG_BACKEND_AUTO, CG_KERNEL_ADD, CG_TYPE_I64, CG_WRAP, &x, &y, &z, 1, NULL), CG_OK);
  assert_int_equal(z, 3);
  /* forcing */
  assert_int_equal(cg_backend_force(CG_BACKEND_END), CG_ERR_INVALID_ARGUMENT);
  if (!cg_backend_available(CG_BACKEND_CUDA)) {
    assert_int_equal(cg_backend_force(CG_BACKEND_CUDA), CG_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(cg_last_error(), "not available"));
    assert_int_equal(cg_kernel_run(CG_BACKEND_CUDA, CG_KERNEL_ADD, CG_TYPE_I64, CG_WRAP, &x, &y, &z, 1, &at),
                     CG_ERR_INVALID_ARGUMENT);
    assert_string_equal(cg_backend_device(), "");
  }
  cg_backend was = cg_backend_forced();
  assert_int_equal(cg_backend_force(CG_BACKEND_THREADS), CG_OK);
  assert_int_equal(cg_backend_choice(CG_KERNEL_ADD, CG_TYPE_I64, 1), CG_BACKEND_THREADS);
  assert_int_equal(cg_backend_force(CG_BACKEND_SINGLE), CG_OK);
  assert_int_equal(cg_backend_choice(CG_KERNEL_ADD, CG_TYPE_I64, (size_t)1 << 40), CG_BACKEND_SINGLE);
  assert_int_equal(cg_backend_force(CG_BACKEND_AUTO), CG_OK);
  assert_int_equal(cg_backend_choice(CG_KERNEL_ADD, CG_TYPE_I64, 1), CG_BACKEND_SINGLE);
  /* thresholds */
  assert_int_equal(cg_backend_set_threads(4), CG_OK);
  assert_int_equal(cg_backend_threads(), 4);
  assert_int_equal(cg_backend_set_threshold(CG_BACKEND_THREADS, CG_KERNEL_ADD, CG_TYPE_I64, 1000), CG_OK);
  assert_int_equal(cg_backend_threshold(CG_BACKEND_THREADS, CG_KERNEL_ADD, CG_TYPE_I64), 1000);
  assert_int_equal(cg_backend_choice(CG_KERNEL_ADD, CG_TYPE_I64, 999), CG_BACKEND_SINGLE);
  assert_int_equal(cg_backend_choice(CG_KERNEL_ADD, CG_TYPE_I64, 1000), CG_BACKEND_THREADS);
  assert_int_equal(cg_backend_choice(CG_KERNEL_ADD, CG_TYPE_I32, 1000), CG_BACKEND_SINGLE);
  assert_int_equal(cg_backend_set_threads(1), CG_OK); /* one thread: nothing to split */
  assert_int_equal(cg_backend_choice(CG_KERNEL_ADD, CG_TYPE_I64, 1000), CG_BACKEND_SINGLE);
  assert_int_equal(cg_backend_set_threads(4), CG_OK);
  assert_int_equal(cg_backend_set_threshold(CG_BACKEND_THREADS, CG_KERNEL_NONE, CG_TYPE_END, SIZE_MAX), CG_OK);
  assert_int_equal(cg_backend_choice(CG_KERNEL_ADD, CG_TYPE_I64, (size_t)1 << 40), CG_BACKEND_SINGLE);
  assert_int_equal(cg_backend_set_threshold(CG_BACKEND_THREADS, CG_KERNEL_NONE, CG_TYPE_F64, 5), CG_OK);
  assert_int_equal(cg_backend_choice(CG_KERNEL_MOD, CG_TYPE_F64, 5), CG_BACKEND_THREADS);
  assert_int_equal(cg_backend_choice(CG_KERNEL_MOD, CG_TYPE_F32, 5), CG_BACKEND_SINGLE);
  assert_int_equal(cg_backend_set_threshold(CG_BACKEND_SINGLE, CG_KERNEL_ADD, CG_TYPE_I64, 5), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_backend_set_threshold(CG_BACKEND_THREADS, CG_KERNEL_OP_END, CG_TYPE_I64, 5),
                   CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_backend_set_threshold(CG_BACKEND_THREADS, CG_KERNEL_ADD, (cg_elem_type)-1, 5),
                   CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_backend_threshold(CG_BACKEND_AUTO, CG_KERNEL_ADD, CG_TYPE_I64), SIZE_MAX);
  cg_backend_reset_thresholds();
  assert_int_equal(cg_backend_choice(CG_KERNEL_ADD, CG_TYPE_I64, 1000), CG_BACKEND_SINGLE);
  assert_int_equal(cg_backend_set_threads(CG_BACKEND_MAX_THREADS + 1), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_backend_set_threads(0), CG_OK);
  assert_true(cg_backend_threads() >= 1);
  assert_int_equal(cg_backend_force(was), CG_OK);
}

/* CALCGEN_BACKEND as the test's environment set it (meson.build). */
static void environment(void **state) {
  (void)state;
  const char *want = getenv("EXPECT_FORCED");
  if (!want) skip();
  assert_string_equal(cg_backend_name(cg_backend_forced()), want);
}

/* ---- generated batches ------------------------------------------------------- */

/* The calculator's zero-copy BatchAddFixed and BatchMultiplyFloat at a size
 * the thresholds give to threads: the same response bytes on every backend. */
static void zero_copy_batches_same_bytes_on_every_backend(void **state) {
  (void)state;
  enum { N = 600001 };
  size_t len = CG_BATCH_REQUEST_SIZE(N, 8);
  uint8_t *req = aligned_alloc(64, (len + 63) / 64 * 64), *first = malloc(len + 64);
  assert_non_null(req);
  assert_non_null(first);
  uint64_t s = 9;
  static const uint32_t ops[] = {CALC_CALCULATOR_OP_BATCH_ADD_FIXED, CALC_CALCULATOR_OP_BATCH_MULTIPLY_FLOAT};
  for (int k = 0; k < 2; k++) {
    size_t got = k ? calc_calculator_layout_batch_multiply_float(req, N) : calc_calculator_layout_batch_add_fixed(req, N);
    assert_int_equal(got, len);
    for (size_t i = 0; i < N; i++) {
      uint64_t x = xorshift64(&s), y = xorshift64(&s);
      if (k) { /* doubles of all magnitudes and signs */
        double dx = (double)(int64_t)x / 1e6, dy = (double)(int64_t)y / 3e9;
        memcpy(&x, &dx, 8);
        memcpy(&y, &dy, 8);
      }
      memcpy(req + CG_ALIGNED_HEADER + 8 * i, &x, 8);
      memcpy(req + 2 * CG_ALIGNED_HEADER + 8 * N + 8 * i, &y, 8);
    }
    size_t first_len = 0;
    for (int be = CG_BACKEND_SINGLE; be < CG_BACKEND_END; be++) {
      if (!cg_backend_available((cg_backend)be)) continue;
      assert_int_equal(cg_backend_force((cg_backend)be), CG_OK);
      cg_bytes resp;
      assert_int_equal(calc_calculator_dispatch(ops[k], req, len, &resp), CG_OK);
      if (be == CG_BACKEND_SINGLE) {
        memcpy(first, resp.data, resp.len);
        first_len = resp.len;
      } else {
        assert_int_equal(resp.len, first_len);
        assert_memory_equal(resp.data, first, first_len);
      }
    }
  }
  assert_int_equal(cg_backend_force(CG_BACKEND_AUTO), CG_OK);
  free(req);
  free(first);
}

/* Packed-varint batches split across threads (decode, kernel, encode) give
 * the serial path's bytes, and its status, index and words on failure. */
typedef struct outcome {
  cg_status st;
  size_t len;
  uint8_t *bytes;
  int64_t index;
  char error[256];
} outcome;

static outcome run_varint_batch(cg_backend be, uint32_t op, const uint8_t *req, size_t len) {
  outcome o = {0};
  assert_int_equal(cg_backend_force(be), CG_OK);
  cg_bytes resp;
  o.st = calc_calculator_dispatch(op, req, len, &resp);
  if (o.st == CG_OK) {
    o.len = resp.len;
    o.bytes = malloc(resp.len);
    assert_non_null(o.bytes);
    memcpy(o.bytes, resp.data, resp.len);
  } else {
    o.index = cg_last_error_index();
    snprintf(o.error, sizeof o.error, "%s", cg_last_error());
  }
  return o;
}

static void same_outcome(uint32_t op, const uint8_t *req, size_t len) {
  outcome want = run_varint_batch(CG_BACKEND_SINGLE, op, req, len);
  for (unsigned threads = 2; threads <= 5; threads += 3) {
    assert_int_equal(cg_backend_set_threads(threads), CG_OK);
    outcome got = run_varint_batch(CG_BACKEND_THREADS, op, req, len);
    assert_int_equal(got.st, want.st);
    assert_int_equal(got.len, want.len);
    if (want.len) assert_memory_equal(got.bytes, want.bytes, want.len);
    if (got.index != want.index) print_message("index %lld vs %lld: [%s] vs [%s]\n", (long long)got.index, (long long)want.index, got.error, want.error);
    assert_int_equal(got.index, want.index);
    assert_string_equal(got.error, want.error);
    free(got.bytes);
  }
  free(want.bytes);
  assert_int_equal(cg_backend_set_threads(0), CG_OK);
  assert_int_equal(cg_backend_force(CG_BACKEND_AUTO), CG_OK);
}

static void varint_batches_same_outcome_on_threads(void **state) {
  (void)state;
  enum { N = 300001 };
  int64_t *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
  assert_non_null(a);
  assert_non_null(b);
  uint64_t r = 77;
  for (size_t i = 0; i < N; i++) { /* every varint length, both signs */
    int shift = (int)(xorshift64(&r) % 64);
    a[i] = (int64_t)(xorshift64(&r) >> shift) * (xorshift64(&r) & 1 ? -1 : 1);
    b[i] = (int64_t)(xorshift64(&r) >> (xorshift64(&r) % 64)) | 1;
  }
  Calc__BatchOperation m = CALC__BATCH_OPERATION__INIT;
  m.n_a = m.n_b = N;
  m.a = a;
  m.b = b;
  size_t len = calc__batch_operation__get_packed_size(&m);
  uint8_t *req = malloc(len);
  assert_non_null(req);
  calc__batch_operation__pack(&m, req);
  same_outcome(CALC_CALCULATOR_OP_BATCH_ADD, req, len);
  same_outcome(CALC_CALCULATOR_OP_BATCH_MULTIPLY, req, len);
  same_outcome(CALC_CALCULATOR_OP_BATCH_DIVIDE, req, len);
  /* the results are right, not only alike */
  assert_int_equal(cg_backend_force(CG_BACKEND_THREADS), CG_OK);
  cg_bytes resp;
  assert_int_equal(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, req, len, &resp), CG_OK);
  Calc__BatchResult *res = calc__batch_result__unpack(NULL, resp.len, resp.data);
  assert_non_null(res);
  assert_int_equal(res->n_values, N);
  for (size_t i = 0; i < N; i++)
    if (res->values[i] != (int64_t)((uint64_t)a[i] + (uint64_t)b[i])) fail_msg("element %zu", i);
  calc__batch_result__free_unpacked(res, NULL);
  assert_int_equal(cg_backend_force(CG_BACKEND_AUTO), CG_OK);
  /* failures: the lowest of several, early, late and in the last element */
  static const size_t zeros[][2] = {{250000, 100003}, {N - 1, N - 1}, {7, 299999}};
  for (int k = 0; k < 3; k++) {
    b[zeros[k][0]] = b[zeros[k][1]] = 0;
    calc__batch_operation__pack(&m, req);
    size_t zlen = calc__batch_operation__get_packed_size(&m);
    same_outcome(CALC_CALCULATOR_OP_BATCH_DIVIDE, req, zlen);
    b[zeros[k][0]] = b[zeros[k][1]] = 1;
  }
  a[200000] = INT64_MAX;
  b[200000] = 1;
  calc__batch_operation__pack(&m, req);
  len = calc__batch_operation__get_packed_size(&m);
  same_outcome(CALC_CALCULATOR_OP_BATCH_ADD_CHECKED, req, len);
  /* malformed: the request cut short; b's last varint left unterminated
   * (its length still right, so the decoders see it); a varint damaged
   * mid-way */
  same_outcome(CALC_CALCULATOR_OP_BATCH_ADD, req, len - 1);
  req[len - 1] |= 0x80;
  same_outcome(CALC_CALCULATOR_OP_BATCH_ADD, req, len);
  {
    outcome o = run_varint_batch(CG_BACKEND_THREADS, CALC_CALCULATOR_OP_BATCH_ADD, req, len);
    assert_int_equal(o.st, CG_ERR_DECODE);
    assert_int_equal(cg_backend_force(CG_BACKEND_AUTO), CG_OK);
  }
  req[len - 1] &= 0x7f;
  for (size_t at = len / 3; at < len; at++)
    if (req[at] < 0x80) {
      req[at] |= 0x80; /* two varints run together: a count mismatch */
      break;
    }
  same_outcome(CALC_CALCULATOR_OP_BATCH_ADD, req, len);
  /* the response limit refuses the same batches on both paths */
  cg_limits lim = cg_get_limits(), small = lim;
  small.max_response = N * 2;
  cg_set_limits(&small);
  calc__batch_operation__pack(&m, req);
  same_outcome(CALC_CALCULATOR_OP_BATCH_ADD, req, len);
  cg_set_limits(&lim);
  free(req);
  free(a);
  free(b);
}

/* Threads dispatching big varint batches at once: one holds the pool, the
 * others split nothing and run theirs alone; each gets its own right answer
 * (per-thread arenas and response buffers, the pool shared). */
enum { CONC_N = 50001, CONC_THREADS = 4 };

static void *concurrent_batches(void *arg) {
  uintptr_t seed = (uintptr_t)arg;
  int64_t *a = malloc(CONC_N * sizeof *a), *b = malloc(CONC_N * sizeof *b);
  Calc__BatchOperation m = CALC__BATCH_OPERATION__INIT;
  m.n_a = m.n_b = CONC_N;
  m.a = a;
  m.b = b;
  uint8_t *req = NULL;
  void *bad = NULL;
  for (int round = 0; round < 20 && !bad; round++) {
    uint64_t r = seed * 1000 + (uint64_t)round + 1;
    for (size_t i = 0; i < CONC_N; i++) {
      a[i] = (int64_t)(xorshift64(&r) >> (xorshift64(&r) % 64));
      b[i] = (int64_t)xorshift64(&r) >> (xorshift64(&r) % 64);
    }
    size_t len = calc__batch_operation__get_packed_size(&m);
    free(req);
    req = malloc(len);
    calc__batch_operation__pack(&m, req);
    cg_bytes resp;
    if (calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD, req, len, &resp) != CG_OK) {
      bad = (void *)1;
      break;
    }
    Calc__BatchResult *res = calc__batch_result__unpack(NULL, resp.len, resp.data);
    if (!res || res->n_values != CONC_N) bad = (void *)2;
    for (size_t i = 0; !bad && i < CONC_N; i++)
      if (res->values[i] != (int64_t)((uint64_t)a[i] + (uint64_t)b[i])) bad = (void *)3;
    if (res) calc__batch_result__free_unpacked(res, NULL);
  }
  free(req);
  free(a);
  free(b);
  return bad;
}

static void concurrent_varint_batches(void **state) {
  (void)state;
  assert_true(CONC_N >= cg_backend_codec_threshold()); /* the pool's path, by size */
  pthread_t t[CONC_THREADS];
  for (uintptr_t i = 0; i < CONC_THREADS; i++)
    assert_int_equal(pthread_create(&t[i], NULL, concurrent_batches, (void *)(i + 1)), 0);
  for (int i = 0; i < CONC_THREADS; i++) {
    void *ret;
    pthread_join(t[i], &ret);
    assert_null(ret);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pool_runs_every_chunk_once_on_several_threads),
      cmocka_unit_test(pool_one_thread_or_one_chunk_runs_inline),
      cmocka_unit_test(pool_concurrent_posters),
      cmocka_unit_test(wide_copy_is_memcpy),
      cmocka_unit_test(pool_lowered_thread_count),
      cmocka_unit_test(fork_while_a_batch_runs),
      cmocka_unit_test(lowest_failure_across_chunks),
      cmocka_unit_test(no_heap_calls_in_steady_state),
      cmocka_unit_test(batches_after_fork),
      cmocka_unit_test(settings_and_misuse),
      cmocka_unit_test(environment),
      cmocka_unit_test(zero_copy_batches_same_bytes_on_every_backend),
      cmocka_unit_test(varint_batches_same_outcome_on_threads),
      cmocka_unit_test(concurrent_varint_batches),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
