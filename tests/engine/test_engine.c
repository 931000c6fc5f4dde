/* The async engine with unary ops (the calculator): submission, the three
 * ways completions arrive, bounds, cancellation, shutdown, misuse, the
 * memory rule, allocations and allocation failures. */
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "calculator.calcgen.h"
#include "test_alloc.h"

#define C(name) calc_calculator_##name

static cg_engine *engine(unsigned workers) {
  cg_engine_config cfg = {.workers = workers};
  cg_engine *e;
  assert_int_equal(cg_engine_create(&cfg, &e), CG_OK);
  return e;
}

static cg_host *host(cg_engine *e, uint32_t capacity) {
  cg_host_config cfg = {.capacity = capacity};
  cg_host *h;
  assert_int_equal(cg_host_open(e, &cfg, &h), CG_OK);
  return h;
}

static void submit_add(cg_host *h, int64_t a, int64_t b, uint64_t tag) {
  Calc__BinaryOp req = CALC__BINARY_OP__INIT;
  req.a = a;
  req.b = b;
  assert_int_equal(C(submit_add)(h, &req, tag), CG_OK);
}

static int64_t add_result(const cg_completion *c, cg_arena *arena) {
  Calc__Value *v;
  assert_int_equal(C(result_add)(c, &v, arena), CG_OK);
  return v->value;
}

/* Waits for one completion (5 s at most). */
static cg_completion next(cg_host *h) {
  cg_completion c;
  assert_int_equal(cg_host_wait(h, &c, 1, 5000), 1);
  return c;
}

static void roundtrip(void **state) {
  (void)state;
  cg_engine *e = engine(2);
  cg_host *h = host(e, 64);
  cg_arena *arena = cg_arena_create(NULL);
  enum { N = 5000 };
  static int seen[N];
  memset(seen, 0, sizeof seen);
  size_t submitted = 0, done = 0;
  while (done < N) {
    while (submitted < N && cg_host_in_use(h) < 64) {
      submit_add(h, (int64_t)submitted * 3, -7, submitted);
      submitted++;
    }
    cg_completion cs[16];
    size_t n = cg_host_wait(h, cs, 16, 5000);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
      assert_int_equal(cs[i].status, CG_OK);
      assert_int_equal(cs[i].flags, CG_COMPLETION_END);
      assert_string_equal(cs[i].error, "");
      assert_int_equal(cs[i].error_index, -1);
      assert_true(cs[i].tag < N);
      assert_int_equal(seen[cs[i].tag]++, 0); /* each exactly once */
      assert_int_equal(add_result(&cs[i], arena), (int64_t)cs[i].tag * 3 - 7);
      cg_arena_reset(arena);
    }
    assert_int_equal(cg_host_release(h, cs, n), CG_OK);
    done += n;
  }
  assert_int_equal(cg_host_in_use(h), 0);
  assert_int_equal(cg_host_poll(h, (cg_completion[1]){{0}}, 1), 0);
  cg_arena_destroy(arena);
  assert_int_equal(cg_host_close(h), CG_OK);
  assert_int_equal(cg_engine_destroy(e), CG_OK);
}

static void failures_arrive_as_completions(void **state) {
  (void)state;
  cg_engine *e = engine(1);
  cg_host *h = host(e, 8);
  Calc__BinaryOp div = CALC__BINARY_OP__INIT;
  div.a = 1;
  assert_int_equal(C(submit_divide)(h, &div, 1), CG_OK);
  cg_completion c = next(h);
  assert_int_equal(c.status, CG_ERR_DIVIDE_BY_ZERO);
  assert_non_null(strstr(c.error, "Divide"));
  assert_int_equal(c.response.len, 0);
  cg_arena *arena = cg_arena_create(NULL);
  Calc__Value *v = (Calc__Value *)1;
  assert_int_equal(C(result_divide)(&c, &v, arena), CG_ERR_DIVIDE_BY_ZERO);
  assert_null(v);
  assert_string_equal(cg_last_error(), c.error);
  assert_int_equal(cg_host_release(h, &c, 1), CG_OK);
  /* a batch names its failing element */
  int64_t a[5] = {1, 2, INT64_MAX, 4, 5}, b[5] = {1, 1, 1, 1, 1};
  Calc__BatchOperation batch = CALC__BATCH_OPERATION__INIT;
  batch.n_a = batch.n_b = 5;
  batch.a = a;
  batch.b = b;
  assert_int_equal(C(submit_batch_add_checked)(h, &batch, 2), CG_OK);
  c = next(h);
  assert_int_equal(c.status, CG_ERR_OVERFLOW);
  assert_int_equal(c.error_index, 2);
  assert_int_equal(C(result_batch_add_checked)(&c, &(Calc__BatchResult *){NULL}, arena), CG_ERR_OVERFLOW);
  assert_int_equal(cg_last_error_index(), 2);
  assert_int_equal(cg_host_release(h, &c, 1), CG_OK);
  cg_arena_destroy(arena);
  cg_engine_destroy(e); /* closes the host */
}

static void refusals(void **state) {
  (void)state;
  cg_engine *e = engine(1);
  cg_host *h = host(e, 4);
  const cg_service *svc = C(service)();
  assert_string_equal(svc->name, "calc.Calculator");
  assert_true(svc->schema_hash == C(schema_hash)());
  assert_int_equal(cg_submit(h, svc, 999, NULL, 0, 1), CG_ERR_UNKNOWN_OP);
  assert_non_null(strstr(cg_last_error(), "999"));
  assert_int_equal(cg_submit(NULL, svc, 1, NULL, 0, 1), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_submit(h, NULL, 1, NULL, 0, 1), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_submit(h, svc, 1, NULL, 3, 1), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_stream_open(h, svc, 1, NULL, 0, 1), CG_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(cg_last_error(), "unary"));
  cg_limits saved = cg_get_limits(), small = saved;
  small.max_request = 16;
  cg_set_limits(&small);
  uint8_t big[17] = {0};
  assert_int_equal(cg_submit(h, svc, 1, big, sizeof big, 1), CG_ERR_LIMIT);
  cg_set_limits(&saved);
  assert_int_equal(cg_host_in_use(h), 0); /* nothing taken by a refusal */
  assert_int_equal(cg_host_open(NULL, NULL, &h), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_host_open(e, &(cg_host_config){.capacity = (1u << 24) + 1}, &h), CG_ERR_LIMIT);
  assert_int_equal(cg_engine_create(NULL, NULL), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_engine_shutdown(e, (cg_shutdown)7, NULL), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_host_poll(NULL, NULL, 1), 0);
  assert_int_equal(cg_host_fd(NULL), -1);
  assert_int_equal(cg_host_close(NULL), CG_OK);
  assert_int_equal(cg_engine_destroy(NULL), CG_OK);
  cg_engine_destroy(e);
}

typedef struct releaser {
  cg_host *h;
  cg_completion c;
} releaser;

static void *release_later(void *arg) {
  releaser *r = arg;
  struct timespec ts = {0, 30 * 1000000L};
  nanosleep(&ts, NULL);
  assert_int_equal(cg_host_release(r->h, &r->c, 1), CG_OK);
  return NULL;
}

static void a_full_host_refuses_then_waits(void **state) {
  (void)state;
  cg_engine *e = engine(2);
  cg_host *h = host(e, 4);
  cg_completion cs[4];
  for (int i = 0; i < 4; i++) submit_add(h, i, i, (uint64_t)i);
  for (int i = 0; i < 4; i++) cs[i] = next(h);
  Calc__BinaryOp req = CALC__BINARY_OP__INIT;
  /* all four slots hold completions the host has not released */
  assert_int_equal(C(submit_add)(h, &req, 9), CG_ERR_LIMIT);
  assert_non_null(strstr(cg_last_error(), "4 slots"));
  uint8_t bytes[4] = {0x08, 0x01, 0x10, 0x02};
  assert_int_equal(cg_submit_wait(h, C(service)(), 1, bytes, 4, 9, 20), CG_ERR_LIMIT);
  releaser r = {h, cs[0]};
  pthread_t t;
  pthread_create(&t, NULL, release_later, &r);
  assert_int_equal(cg_submit_wait(h, C(service)(), 1, bytes, 4, 9, -1), CG_OK); /* until the release */
  pthread_join(t, NULL);
  cg_completion c = next(h);
  assert_int_equal(c.tag, 9);
  cg_arena *arena = cg_arena_create(NULL);
  assert_int_equal(add_result(&c, arena), 3);
  cg_arena_destroy(arena);
  assert_int_equal(cg_host_release(h, cs + 1, 3), CG_OK);
  assert_int_equal(cg_host_release(h, &c, 1), CG_OK);
  assert_int_equal(cg_host_in_use(h), 0);
  cg_engine_destroy(e);
}

static void release_misuse_is_refused(void **state) {
  (void)state;
  cg_engine *e = engine(1);
  cg_host *a = host(e, 4), *b = host(e, 4);
  submit_add(a, 1, 1, 1);
  submit_add(b, 1, 1, 1);
  cg_completion ca = next(a), cb = next(b);
  assert_int_equal(cg_host_release(b, &ca, 1), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_host_release(a, &ca, 1), CG_OK);
  assert_int_equal(cg_host_release(a, &ca, 1), CG_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(cg_last_error(), "released already"));
  submit_add(a, 2, 2, 2); /* the same slot again: the stale completion still does not release it */
  cg_completion c2 = next(a);
  assert_int_equal(cg_host_release(a, &ca, 1), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_host_release(a, &c2, 1), CG_OK);
  assert_int_equal(cg_host_release(b, &cb, 1), CG_OK);
  assert_int_equal(cg_host_release(a, NULL, 1), CG_ERR_INVALID_ARGUMENT);
  cg_engine_destroy(e);
}

static void eventfd_signals_and_clears(void **state) {
  (void)state;
  cg_engine *e = engine(2);
  cg_host *h;
  assert_int_equal(cg_host_open(e, &(cg_host_config){.capacity = 64, .eventfd = 1}, &h), CG_OK);
  int fd = cg_host_fd(h);
  assert_true(fd >= 0);
  struct pollfd p = {fd, POLLIN, 0};
  assert_int_equal(poll(&p, 1, 0), 0);
  for (int i = 0; i < 40; i++) submit_add(h, i, 1, (uint64_t)i);
  int got = 0;
  cg_completion cs[8];
  while (got < 40) {
    assert_int_equal(poll(&p, 1, 5000), 1); /* readable while anything waits */
    size_t n;
    while ((n = cg_host_poll(h, cs, 8)) > 0) { /* at most 8 at a time: the fd stays readable */
      got += (int)n;
      assert_int_equal(cg_host_release(h, cs, n), CG_OK);
    }
  }
  assert_int_equal(got, 40);
  assert_int_equal(cg_host_poll(h, cs, 8), 0);
  assert_int_equal(poll(&p, 1, 0), 0); /* drained: quiet */
  cg_engine_destroy(e);
}

static atomic_int notified;
static void on_notify(void *ud) {
  assert_ptr_equal(ud, &notified);
  atomic_fetch_add(&notified, 1);
}

static void notify_is_edge_triggered(void **state) {
  (void)state;
  cg_engine *e = engine(2);
  cg_host *h;
  assert_int_equal(cg_host_open(e, &(cg_host_config){.notify = on_notify, .ud = &notified}, &h), CG_OK);
  for (int round = 0; round < 20; round++) {
    atomic_store(&notified, 0);
    for (int i = 0; i < 10; i++) submit_add(h, i, round, (uint64_t)i);
    int got = 0;
    while (got < 10) {
      while (!atomic_load(&notified)) {
      }
      atomic_store(&notified, 0);
      cg_completion cs[16];
      size_t n;
      while ((n = cg_host_poll(h, cs, 16)) > 0) {
        got += (int)n;
        cg_host_release(h, cs, n);
      }
    }
  }
  cg_engine_destroy(e);
}

typedef struct sink {
  atomic_long count, sum;
  atomic_int blocked, release;
  cg_status close_from_callback;
  cg_host *self;
} sink;

static void on_complete(void *ud, const cg_completion *c) {
  sink *s = ud;
  cg_arena *arena = cg_arena_create(NULL);
  Calc__Value *v;
  if (c->status == CG_OK && C(result_add)(c, &v, arena) == CG_OK) atomic_fetch_add(&s->sum, v->value);
  cg_arena_destroy(arena);
  if (c->tag == 0xB10C) { /* hold this worker until told */
    s->close_from_callback = cg_host_close(s->self);
    atomic_store(&s->blocked, 1);
    while (!atomic_load(&s->release)) {
    }
  }
  atomic_fetch_add(&s->count, 1);
}

static void callback_mode(void **state) {
  (void)state;
  cg_engine *e = engine(2);
  static sink s;
  memset(&s, 0, sizeof s);
  cg_host *h;
  assert_int_equal(cg_host_open(e, &(cg_host_config){.capacity = 16, .callback = on_complete, .ud = &s}, &h), CG_OK);
  s.self = h;
  long want = 0;
  for (int i = 0; i < 2000; i++) {
    Calc__BinaryOp req = CALC__BINARY_OP__INIT;
    req.a = i;
    req.b = 1;
    while (C(submit_add)(h, &req, (uint64_t)i) == CG_ERR_LIMIT) {
    }
    want += i + 1;
  }
  while (atomic_load(&s.count) < 2000) {
  }
  assert_int_equal(atomic_load(&s.sum), want);
  assert_int_equal(cg_host_poll(h, (cg_completion[1]){{0}}, 1), 0); /* nothing queued */
  cg_completion c;
  assert_int_equal(cg_host_wait(h, &c, 1, 10), 0);
  assert_int_equal(cg_host_open(e, &(cg_host_config){.callback = on_complete, .eventfd = 1}, &h),
                   CG_ERR_INVALID_ARGUMENT);
  cg_engine_destroy(e);
}

/* One worker, held inside a callback: what is submitted meanwhile stays pending. */
static void hold_worker(cg_engine *e, sink *s, cg_host **holder) {
  memset(s, 0, sizeof *s);
  assert_int_equal(cg_host_open(e, &(cg_host_config){.callback = on_complete, .ud = s}, holder), CG_OK);
  s->self = *holder;
  submit_add(*holder, 0, 0, 0xB10C);
  while (!atomic_load(&s->blocked)) {
  }
  assert_int_equal(s->close_from_callback, CG_ERR_INVALID_ARGUMENT); /* not from a worker */
}

static void cancel_pending(void **state) {
  (void)state;
  cg_engine *e = engine(1);
  static sink s;
  cg_host *holder, *h = host(e, 16);
  hold_worker(e, &s, &holder);
  submit_add(h, 1, 1, 7);
  submit_add(h, 2, 2, 8);
  assert_int_equal(cg_host_cancel(h, 7), CG_OK);
  assert_int_equal(cg_host_cancel(h, 7), CG_ERR_INVALID_ARGUMENT); /* already cancelled */
  assert_int_equal(cg_host_cancel(h, 99), CG_ERR_INVALID_ARGUMENT);
  atomic_store(&s.release, 1);
  cg_completion a = next(h), b = next(h);
  assert_int_equal(a.tag, 7);
  assert_int_equal(a.status, CG_ERR_CANCELLED);
  assert_int_equal(b.tag, 8);
  assert_int_equal(b.status, CG_OK);
  assert_int_equal(cg_host_cancel(h, 8), CG_ERR_INVALID_ARGUMENT); /* it ran */
  cg_host_release(h, &a, 1);
  cg_host_release(h, &b, 1);
  cg_engine_destroy(e);
}

typedef struct shutdown_args {
  cg_engine *e;
  cg_shutdown how;
  size_t cancelled;
  cg_status st;
} shutdown_args;

static void *shut(void *arg) {
  shutdown_args *a = arg;
  a->st = cg_engine_shutdown(a->e, a->how, &a->cancelled);
  return NULL;
}

static void shutdown_cancels_or_drains(void **state) {
  (void)state;
  for (int how = 0; how < 2; how++) {
    cg_engine *e = engine(1);
    static sink s;
    cg_host *holder, *h = host(e, 128);
    hold_worker(e, &s, &holder);
    for (int i = 0; i < 100; i++) submit_add(h, i, 1, (uint64_t)i);
    shutdown_args a = {e, how ? CG_SHUTDOWN_CANCEL : CG_SHUTDOWN_DRAIN, 99, -1};
    pthread_t t;
    pthread_create(&t, NULL, shut, &a);
    /* the engine stops taking work at once */
    Calc__BinaryOp req = CALC__BINARY_OP__INIT;
    cg_status st;
    size_t extra = 0; /* submitted before shutdown began */
    while ((st = C(submit_add)(h, &req, 1000)) == CG_OK || st == CG_ERR_LIMIT) extra += st == CG_OK;
    assert_int_equal(st, CG_ERR_CLOSED);
    atomic_store(&s.release, 1);
    pthread_join(t, NULL);
    assert_int_equal(a.st, CG_OK);
    size_t ok = 0, cancelled = 0;
    cg_completion c;
    while (cg_host_poll(h, &c, 1)) {
      if (c.tag < 100 && c.status == CG_OK) ok++;
      if (c.tag < 100 && c.status != CG_OK) cancelled++;
      assert_true(c.status == CG_OK || c.status == CG_ERR_CANCELLED);
      cg_host_release(h, &c, 1);
    }
    assert_int_equal(ok + cancelled, 100);
    assert_int_equal(cancelled, how ? 100 : 0);
    assert_int_equal(a.cancelled, how ? 100 + extra : 0);
    assert_int_equal(cg_engine_shutdown(e, CG_SHUTDOWN_DRAIN, NULL), CG_OK); /* again: nothing to do */
    assert_int_equal(cg_host_open(e, NULL, &h), CG_ERR_CLOSED);
    cg_engine_destroy(e);
  }
}

static void close_discards_what_it_holds(void **state) {
  (void)state;
  cg_engine *e = engine(2);
  cg_host *h = host(e, 32);
  for (int i = 0; i < 32; i++) submit_add(h, i, i, (uint64_t)i);
  cg_completion c = next(h); /* one taken, not released */
  (void)c;
  assert_int_equal(cg_host_close(h), CG_OK);
  h = host(e, 32); /* the index and the slots are reused */
  submit_add(h, 5, 6, 1);
  c = next(h);
  assert_int_equal(c.status, CG_OK);
  cg_host_release(h, &c, 1);
  cg_engine_destroy(e);
}

typedef struct blocked {
  cg_host *h;
  cg_status st;
  size_t n;
} blocked;

static void *submit_blocked(void *arg) {
  blocked *b = arg;
  uint8_t bytes[4] = {0x08, 0x01, 0x10, 0x02};
  b->st = cg_submit_wait(b->h, C(service)(), 1, bytes, 4, 77, -1);
  return NULL;
}

static void *wait_blocked(void *arg) {
  blocked *b = arg;
  cg_completion c;
  b->n = cg_host_wait(b->h, &c, 1, -1);
  return NULL;
}

/* Threads blocked on a host (a submit waiting for a slot, a wait for a
 * completion) are released by shutdown and close instead of holding them up. */
static void shutdown_and_close_wake_blocked_threads(void **state) {
  (void)state;
  cg_engine *e = engine(1);
  cg_host *h = host(e, 1);
  submit_add(h, 1, 2, 1);
  cg_completion held = next(h); /* the host's one slot, not released */
  blocked b = {h, -1, 9};
  pthread_t t;
  pthread_create(&t, NULL, submit_blocked, &b);
  struct timespec ts = {0, 20 * 1000000L};
  nanosleep(&ts, NULL);
  assert_int_equal(cg_engine_shutdown(e, CG_SHUTDOWN_CANCEL, NULL), CG_OK);
  pthread_join(t, NULL);
  assert_int_equal(b.st, CG_ERR_CLOSED);
  cg_host_release(h, &held, 1);
  pthread_create(&t, NULL, wait_blocked, &b);
  nanosleep(&ts, NULL);
  assert_int_equal(cg_host_close(h), CG_OK); /* the waiter returns empty-handed */
  pthread_join(t, NULL);
  assert_int_equal(b.n, 0);
  cg_engine_destroy(e);
}

/* Auto-batching: single adds waiting together run as one kernel call, each
 * with its own result; a group with a failing element runs one by one, so
 * each call still gets exactly its own status. */
static void auto_batching(void **state) {
  (void)state;
  cg_engine *e;
  assert_int_equal(cg_engine_create(&(cg_engine_config){.workers = 1, .auto_batch = 64}, &e), CG_OK);
  static sink s;
  cg_host *holder, *h = host(e, 1024);
  hold_worker(e, &s, &holder);
  for (int i = 0; i < 600; i++) {
    Calc__BinaryOp req = CALC__BINARY_OP__INIT;
    req.a = (int64_t)i * 1000003;
    req.b = i % 250 == 7 ? INT64_MAX : -i; /* AddChecked overflows at those */
    assert_int_equal(C(submit_add_checked)(h, &req, (uint64_t)i), CG_OK);
  }
  Calc__BinaryOp div = CALC__BINARY_OP__INIT;
  div.a = 5;
  assert_int_equal(C(submit_divide)(h, &div, 1000), CG_OK); /* by zero, among them */
  atomic_store(&s.release, 1);
  cg_arena *arena = cg_arena_create(NULL);
  for (int got = 0; got < 601; got++) {
    cg_completion c = next(h);
    if (c.tag == 1000) {
      assert_int_equal(c.status, CG_ERR_DIVIDE_BY_ZERO);
    } else if (c.tag % 250 == 7) {
      assert_int_equal(c.status, CG_ERR_OVERFLOW);
      assert_non_null(strstr(c.error, "AddChecked"));
    } else {
      Calc__Value *v;
      assert_int_equal(C(result_add_checked)(&c, &v, arena), CG_OK);
      int64_t i = (int64_t)c.tag;
      assert_true(v->value == i * 1000003 - i);
      cg_arena_reset(arena);
    }
    cg_host_release(h, &c, 1);
  }
  cg_arena_destroy(arena);
  assert_true(cg_engine_batched(e) >= 256); /* the groups without an overflow */
  print_message("%llu of 600 calls ran in batch kernel calls\n", (unsigned long long)cg_engine_batched(e));
  cg_engine_destroy(e);
}

static void limits_on_hosts(void **state) {
  (void)state;
  cg_engine *e;
  assert_int_equal(cg_engine_create(&(cg_engine_config){.workers = 1, .max_hosts = 2, .max_inflight = 64}, &e), CG_OK);
  assert_int_equal(cg_engine_workers(e), 1);
  cg_host *a, *b, *c;
  assert_int_equal(cg_host_open(e, &(cg_host_config){.capacity = 65}, &a), CG_ERR_LIMIT); /* 128 rounded */
  assert_int_equal(cg_host_open(e, &(cg_host_config){.capacity = 32}, &a), CG_OK);
  assert_int_equal(cg_host_open(e, &(cg_host_config){.capacity = 64}, &b), CG_ERR_LIMIT);
  assert_non_null(strstr(cg_last_error(), "max_inflight"));
  assert_int_equal(cg_host_open(e, &(cg_host_config){.capacity = 32}, &b), CG_OK);
  assert_int_equal(cg_host_open(e, &(cg_host_config){.capacity = 1}, &c), CG_ERR_LIMIT);
  assert_non_null(strstr(cg_last_error(), "max_hosts"));
  cg_host_close(a);
  assert_int_equal(cg_host_open(e, &(cg_host_config){.capacity = 1}, &c), CG_OK);
  cg_engine_destroy(e);
}

static void steady_state_allocates_nothing(void **state) {
  (void)state;
  test_alloc_install();
  cg_engine *e = engine(2);
  cg_host *h = host(e, 64);
  cg_completion cs[64];
  for (int round = 0; round < 3; round++) {
    test_alloc_stats before = test_alloc_stats_now();
    for (int k = 0; k < 200; k++) {
      for (int i = 0; i < 64; i++) submit_add(h, i, k, (uint64_t)i);
      size_t got = 0;
      while (got < 64) {
        size_t n = cg_host_wait(h, cs, 64, 5000);
        assert_true(n > 0);
        assert_int_equal(cg_host_release(h, cs, n), CG_OK);
        got += n;
      }
    }
    test_alloc_stats after = test_alloc_stats_now();
    if (round) assert_int_equal(after.allocs - before.allocs, 0); /* round 0 warms the workers up */
  }
  cg_engine_destroy(e);
  cg_thread_release();
  test_alloc_uninstall();
}

static void allocation_failures_are_clean(void **state) {
  (void)state;
  test_alloc_install();
  int completed = 0;
  for (long n = 0; n < 40; n++) {
    test_alloc_fail_after(n);
    cg_engine *e;
    cg_status st = cg_engine_create(&(cg_engine_config){.workers = 2, .max_inflight = 64}, &e);
    if (st != CG_OK) {
      assert_int_equal(st, CG_ERR_NO_MEMORY);
      assert_null(e);
      continue;
    }
    cg_host *h;
    st = cg_host_open(e, &(cg_host_config){.capacity = 8}, &h);
    if (st == CG_OK) {
      Calc__BinaryOp req = CALC__BINARY_OP__INIT;
      req.a = 2;
      req.b = 3;
      st = C(submit_add)(h, &req, 1);
      if (st == CG_OK) {
        cg_completion c = next(h);
        assert_true(c.status == CG_OK || c.status == CG_ERR_NO_MEMORY);
        if (c.status == CG_OK) completed++;
        cg_host_release(h, &c, 1);
      } else {
        assert_int_equal(st, CG_ERR_NO_MEMORY);
      }
    } else {
      assert_int_equal(st, CG_ERR_NO_MEMORY);
    }
    cg_engine_destroy(e);
    test_alloc_fail_after(-1);
    cg_thread_release();
  }
  assert_true(completed > 0);
  test_alloc_uninstall(); /* asserts nothing leaked */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(roundtrip),
      cmocka_unit_test(failures_arrive_as_completions),
      cmocka_unit_test(refusals),
      cmocka_unit_test(a_full_host_refuses_then_waits),
      cmocka_unit_test(release_misuse_is_refused),
      cmocka_unit_test(eventfd_signals_and_clears),
      cmocka_unit_test(notify_is_edge_triggered),
      cmocka_unit_test(callback_mode),
      cmocka_unit_test(cancel_pending),
      cmocka_unit_test(shutdown_cancels_or_drains),
      cmocka_unit_test(close_discards_what_it_holds),
      cmocka_unit_test(shutdown_and_close_wake_blocked_threads),
      cmocka_unit_test(auto_batching),
      cmocka_unit_test(limits_on_hosts),
      cmocka_unit_test(steady_state_allocates_nothing),
      cmocka_unit_test(allocation_failures_are_clean),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
