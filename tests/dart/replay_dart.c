/* Replays, in C, the exact native calls and bytes of the generated Dart
 * bindings (templates/dart/service.dart.j2) for the calculator, with the
 * isolate hopping between OS threads between calls as a Dart isolate does
 * after an await: the thread it left may exit (the VM's idle timeout frees
 * that thread's response buffer) or serve another isolate's larger call
 * (which moves it). Every value the bindings return must stay intact;
 * under ASan any read of native memory the Dart side no longer owns fails.
 *
 *   replay_dart             the bindings' sequences: must pass
 *   replay_dart old-view    the *View results earlier bindings returned (a typed
 *                           view of the thread's response buffer, read after
 *                           a hop): ASan must report a use after free */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculator.calcgen.h"

#define N 2000 /* larger than every earlier response: the buffer is replaced */

static int failures;
#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (!(cond)) {                                         \
      failures++;                                          \
      fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);      \
      fprintf(stderr, __VA_ARGS__);                        \
      fputc('\n', stderr);                                 \
    }                                                      \
  } while (0)

/* What one Dart isolate owns: the bindings' 24-byte scratch (a cg_bytes
 * response, then a single op's result), one pooled request buffer, and the
 * Dart-heap lists its calls returned. */
typedef struct isolate {
  uint8_t *scratch;
  uint8_t *pool;
  size_t pool_cap;
  int64_t add_result;
  int64_t *sum;     /* batchAdd's returned Int64List */
  int64_t *sum_ptr; /* batchAddInto through the DynamicLibrary path */
  uint8_t *factorial_copy; /* the Uint8List copy fromBuffer decodes */
  size_t factorial_len;
  int64_t *a, *b;
} isolate;

static uint8_t *acquire(isolate *iso, size_t bytes) { /* CgBufferPool.acquire */
  if (iso->pool_cap < bytes) {
    free(iso->pool);
    iso->pool_cap = bytes < 4096 ? 4096 : bytes;
    iso->pool = malloc(iso->pool_cap);
  }
  return iso->pool;
}

/* _check: status, then cg_last_error_index() and cg_last_error() as bytes. */
static int64_t check(cg_status st, const char *want_text) {
  if (st == CG_OK) return -2;
  int64_t index = cg_last_error_index();
  const char *text = cg_last_error();
  CHECK(want_text && strstr(text, want_text), "error text '%s'", text);
  return index;
}

/* int add(a, b): invoke into scratch + 16, read it back. */
static void dart_add(isolate *iso, int64_t a, int64_t b) {
  int64_t *out = (int64_t *)(void *)(iso->scratch + 16);
  CHECK(calc_calculator_invoke_add(a, b, out) == CG_OK, "add");
  iso->add_result = *out;
}

/* batchAddInto, DynamicLibrary path: a, b copied into the pooled buffer,
 * the typed entry point writes the third part, copied out to `out`. */
static cg_status dart_batch_into_open(isolate *iso, cg_status (*invoke)(const int64_t *, const int64_t *,
                                                                        size_t, int64_t *),
                                      const int64_t *a, const int64_t *b, size_t n, int64_t *out) {
  int64_t *pa = (int64_t *)(void *)acquire(iso, 3 * n * 8), *pb = pa + n, *po = pb + n;
  memcpy(pa, a, n * 8);
  memcpy(pb, b, n * 8);
  cg_status st = invoke(pa, pb, n, po);
  if (st == CG_OK) memcpy(out, po, n * 8);
  return st;
}

/* factorial(request): writeToBuffer() bytes copied into the pool, a
 * non-leaf dispatch, the response copied (Uint8List.fromList) at once. */
static void dart_factorial(isolate *iso, uint32_t n) {
  Calc__FactorialRequest req = CALC__FACTORIAL_REQUEST__INIT;
  req.n = n;
  size_t len = calc__factorial_request__get_packed_size(&req);
  uint8_t *buf = acquire(iso, len);
  calc__factorial_request__pack(&req, buf);
  cg_bytes *resp = (cg_bytes *)(void *)iso->scratch;
  CHECK(calc_calculator_dispatch(CALC_CALCULATOR_OP_FACTORIAL, buf, len, resp) == CG_OK, "factorial");
  free(iso->factorial_copy);
  iso->factorial_len = resp->len;
  iso->factorial_copy = malloc(resp->len ? resp->len : 1);
  if (resp->len) memcpy(iso->factorial_copy, resp->data, resp->len);
}

static void verify(const isolate *iso) {
  CHECK(iso->add_result == 5, "add result %lld", (long long)iso->add_result);
  for (size_t i = 0; i < N; i++) {
    CHECK(iso->sum[i] == iso->a[i] + iso->b[i], "batchAdd[%zu]", i);
    CHECK(iso->sum_ptr[i] == iso->a[i] + iso->b[i], "batchAddInto[%zu]", i);
  }
  Calc__Value *v = calc__value__unpack(NULL, iso->factorial_len, iso->factorial_copy);
  CHECK(v && v->value == 3628800, "factorial(10)");
  if (v) calc__value__free_unpacked(v, NULL);
}

typedef void (*step_fn)(isolate *);
typedef struct { step_fn fn; isolate *iso; } step;

static void *run_step(void *arg) {
  step *s = arg;
  s->fn(s->iso);
  return NULL;
}

/* One event-loop turn of the isolate, on a fresh OS thread that exits after. */
static void on_new_thread(step_fn fn, isolate *iso) {
  pthread_t t;
  step s = {fn, iso};
  if (pthread_create(&t, NULL, run_step, &s) != 0) abort();
  pthread_join(t, NULL);
}

static void turn1(isolate *iso) { /* calls, results kept */
  dart_add(iso, 2, 3);
  CHECK(calc_calculator_invoke_batch_add(iso->a, iso->b, N, iso->sum) == CG_OK, "batchAdd (assets: in place)");
  CHECK(dart_batch_into_open(iso, calc_calculator_invoke_batch_add, iso->a, iso->b, N, iso->sum_ptr) == CG_OK,
        "batchAddInto (open)");
  dart_factorial(iso, 10);
}

static void turn2(isolate *iso) { /* after the hop: the old results are intact */
  verify(iso);
  /* a large call on this thread, then the coalescer's failure handling */
  int64_t *big = malloc(4 * N * 8);
  for (size_t i = 0; i < 4 * N; i++) big[i] = (int64_t)i;
  CHECK(calc_calculator_invoke_batch_add(big, big, 4 * N, big) == CG_OK, "in place");
  CHECK(big[7] == 14, "in place result");
  free(big);
  int64_t a[5] = {1, 2, 3, 4, 5}, b[5] = {1, 1, 0, 1, 1}, out[5];
  int64_t at = check(dart_batch_into_open(iso, calc_calculator_invoke_batch_divide, a, b, 5, out),
                     "division by zero at index 2");
  CHECK(at == 2, "cg_last_error_index %lld", (long long)at);
  verify(iso);
}

/* Earlier bindings: batchAddFixedView returned a typed view of the
 * thread's response buffer. */
static const int64_t *old_view;
static void old_view_turn1(isolate *iso) {
  uint8_t *req = acquire(iso, 64 + 2 * 8 * 4);
  size_t len = calc_calculator_layout_batch_add_fixed(req, 4);
  int64_t *pa = (int64_t *)(void *)(req + 8), *pb = pa + 5; /* header 8 bytes, then 8 more for b's */
  for (int i = 0; i < 4; i++) pa[i] = pb[i] = i;
  cg_bytes *resp = (cg_bytes *)(void *)iso->scratch;
  size_t n;
  CHECK(calc_calculator_dispatch(CALC_CALCULATOR_OP_BATCH_ADD_FIXED, req, len, resp) == CG_OK, "fixed");
  CHECK(calc_calculator_view_batch_add_fixed(*resp, &old_view, &n) == CG_OK, "view");
}

static void old_view_turn2(isolate *iso) {
  (void)iso;
  volatile int64_t x = old_view[1]; /* the thread that owned it has exited */
  (void)x;
}

int main(int argc, char **argv) {
  isolate iso = {0};
  iso.scratch = malloc(24);
  iso.a = malloc(N * 8);
  iso.b = malloc(N * 8);
  iso.sum = malloc(N * 8);
  iso.sum_ptr = malloc(N * 8);
  for (size_t i = 0; i < N; i++) {
    iso.a[i] = (int64_t)(i * 7919) - 5000;
    iso.b[i] = (int64_t)(i * 104729) % 9973;
  }
  if (argc > 1 && strcmp(argv[1], "old-view") == 0) {
    on_new_thread(old_view_turn1, &iso);
    on_new_thread(old_view_turn2, &iso);
    puts("old-view: read after the hop without a report (not an ASan build?)");
    return 0;
  }
  on_new_thread(turn1, &iso);   /* the thread exits: its buffers are freed */
  on_new_thread(turn2, &iso);   /* another thread, another buffer */
  turn2(&iso);                  /* and the main thread */
  on_new_thread(turn1, &iso);
  verify(&iso);
  free(iso.scratch);
  free(iso.pool);
  free(iso.a);
  free(iso.b);
  free(iso.sum);
  free(iso.sum_ptr);
  free(iso.factorial_copy);
  printf("replay: %d failures\n", failures);
  return failures != 0;
}
