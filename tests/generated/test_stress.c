/* Concurrency stress: 8 threads, each making CALLS mixed calls (single and
 * batch, zero-copy and varint, user handlers, successes and every kind of
 * error), every result checked. Also built under ThreadSanitizer
 * (run_tsan.sh).   test_stress [CALLS_PER_THREAD]   (default 1,000,000) */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calculator.calcgen.h"

enum { THREADS = 8, MAXN = 64 };
static long calls_per_thread = 1000000;

typedef struct tally {
  long calls, errors_expected, failures;
} tally;

static uint64_t next(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

#define EXPECT(cond)                                                              \
  do {                                                                            \
    if (!(cond)) {                                                                \
      if (t->failures++ < 5) fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                             \
  } while (0)

static void *worker(void *arg) {
  tally *t = arg;
  uint64_t s = 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)arg;
  int64_t a[MAXN], b[MAXN], out[MAXN];
  cg_arena *arena = cg_arena_create(NULL);
  char text[80];
  for (long i = 0; i < calls_per_thread; i++, t->calls++) {
    uint64_t r = next(&s);
    int64_t x = (int64_t)(r >> 20) - (1ll << 42), y = (int64_t)(next(&s) % 2001) - 1000;
    int64_t got = 0;
    cg_status st;
    switch (r % 8) {
      case 0: { /* varint batch */
        size_t n = r % MAXN;
        for (size_t k = 0; k < n; k++) a[k] = x + (int64_t)k, b[k] = y;
        EXPECT(calc_calculator_invoke_batch_add(a, b, n, out) == CG_OK);
        for (size_t k = 0; k < n; k++) EXPECT(out[k] == a[k] + b[k]);
        break;
      }
      case 1: { /* batch with a zero divisor somewhere: the first one is named */
        size_t n = 1 + r % (MAXN - 1), zero = next(&s) % n;
        for (size_t k = 0; k < n; k++) a[k] = x, b[k] = k == zero ? 0 : (int64_t)k + 1;
        st = calc_calculator_invoke_batch_divide(a, b, n, out);
        EXPECT(st == CG_ERR_DIVIDE_BY_ZERO);
        snprintf(text, sizeof text, "at index %zu", zero);
        EXPECT(strstr(cg_last_error(), text) != NULL);
        t->errors_expected++;
        break;
      }
      case 2:
        EXPECT(calc_calculator_invoke_add(x, y, &got) == CG_OK && got == x + y);
        break;
      case 3:
        st = calc_calculator_invoke_divide(x, y, &got);
        if (y == 0) { EXPECT(st == CG_ERR_DIVIDE_BY_ZERO); t->errors_expected++; }
        else EXPECT(st == CG_OK && got == x / y);
        break;
      case 4: {
        int64_t big = (r & 1) ? INT64_MAX - 500 : x;
        st = calc_calculator_invoke_add_checked(big, y, &got);
        if (big == INT64_MAX - 500 && y > 500) { EXPECT(st == CG_ERR_OVERFLOW); t->errors_expected++; }
        else EXPECT(st == CG_OK && got == big + y);
        break;
      }
      case 5: { /* user handler with a string */
        Calc__FormatRequest q = CALC__FORMAT_REQUEST__INIT;
        q.value = x;
        Calc__CalculatorResponse resp;
        cg_arena_reset(arena);
        EXPECT(calc_calculator_call_format_number(&q, &resp, arena) == CG_OK);
        snprintf(text, sizeof text, "%" PRId64, x);
        EXPECT(strcmp(resp.text, text) == 0);
        break;
      }
      case 6: { /* zero-copy batch */
        size_t n = r % MAXN;
        for (size_t k = 0; k < n; k++) a[k] = x * (int64_t)k, b[k] = y;
        EXPECT(calc_calculator_invoke_batch_add_fixed(a, b, n, out) == CG_OK);
        for (size_t k = 0; k < n; k++) EXPECT(out[k] == a[k] + b[k]);
        break;
      }
      default: { /* user handler that fails past 20! */
        Calc__FactorialRequest q = CALC__FACTORIAL_REQUEST__INIT;
        q.n = (uint32_t)(r % 25);
        Calc__Value v;
        cg_arena_reset(arena);
        st = calc_calculator_call_factorial(&q, &v, arena);
        if (q.n > 20) { EXPECT(st == CG_ERR_OVERFLOW); t->errors_expected++; }
        else EXPECT(st == CG_OK && v.value > 0);
        break;
      }
    }
  }
  cg_arena_destroy(arena);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1) calls_per_thread = atol(argv[1]);
  pthread_t th[THREADS];
  tally tallies[THREADS];
  memset(tallies, 0, sizeof tallies);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, worker, &tallies[i]);
  long calls = 0, errors = 0, failures = 0;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(th[i], NULL);
    calls += tallies[i].calls;
    errors += tallies[i].errors_expected;
    failures += tallies[i].failures;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%d threads x %ld calls: %ld calls (%ld expected errors) in %.2f s, %.0f calls/s, %ld wrong\n", THREADS,
         calls_per_thread, calls, errors, secs, (double)calls / secs, failures);
  printf("%ld passed, %ld failed\n", calls - failures, failures);
  return failures ? 1 : 0;
}
