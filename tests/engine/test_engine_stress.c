/* The engine under load: HOSTS client threads, each with its own host,
 * submit CALLS single and batch ops apiece (every fourth fails on purpose),
 * while a cancelling thread cancels tags at random; half the hosts wait on
 * cg_host_wait, half on their eventfd. Every submission must complete exactly
 * once, with the right result, or with CG_ERR_CANCELLED when it was cancelled
 * in time. Also built under ThreadSanitizer (run_tsan_engine.sh).
 *   test_engine_stress [CALLS_PER_HOST] [WORKERS]   (default 1,000,000, CPU count) */
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculator.calcgen.h"

enum { HOSTS = 8, CAPACITY = 256, BATCH = 16 };
static long calls = 1000000;
static cg_engine *engine;
static cg_host *hosts[HOSTS];
static atomic_int running_hosts;
static atomic_long cancel_requests, cancelled_seen;
static _Atomic unsigned char *asked[HOSTS]; /* tags a cancel was accepted for */

/* Operands are a function of (host, tag): the checker recomputes them. */
static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

typedef struct client {
  int index;
  long failures, completed, errors;
  uint8_t *seen;
} client;

#define FAIL(...)                                   \
  do {                                              \
    if (c->failures++ < 5) fprintf(stderr, __VA_ARGS__); \
  } while (0)

static void submit(client *c, uint64_t tag) {
  uint64_t r = mix(tag * HOSTS + (uint64_t)c->index);
  int64_t a = (int64_t)r, b = (int64_t)mix(r);
  cg_status st;
  if (tag % 4 == 3) { /* Divide by zero */
    Calc__BinaryOp req = CALC__BINARY_OP__INIT;
    req.a = a;
    st = calc_calculator_submit_divide(hosts[c->index], &req, tag);
  } else if (tag % 4 == 2) {
    int64_t xa[BATCH], xb[BATCH];
    for (int i = 0; i < BATCH; i++) xa[i] = a + i, xb[i] = b - i;
    Calc__BatchOperation req = CALC__BATCH_OPERATION__INIT;
    req.n_a = req.n_b = BATCH;
    req.a = xa;
    req.b = xb;
    st = calc_calculator_submit_batch_add(hosts[c->index], &req, tag);
  } else {
    Calc__BinaryOp req = CALC__BINARY_OP__INIT;
    req.a = a;
    req.b = b;
    st = calc_calculator_submit_add(hosts[c->index], &req, tag);
  }
  if (st != CG_OK) FAIL("host %d: submit %" PRIu64 ": %s %s\n", c->index, tag, cg_status_name(st), cg_last_error());
}

static void check(client *c, const cg_completion *k, cg_arena *arena) {
  uint64_t tag = k->tag;
  if (tag >= (uint64_t)calls || c->seen[tag]++) {
    FAIL("host %d: tag %" PRIu64 " delivered twice or unknown\n", c->index, tag);
    return;
  }
  c->completed++;
  if (k->status == CG_ERR_CANCELLED) {
    atomic_fetch_add(&cancelled_seen, 1);
    /* the canceller marks a tag before it cancels; one cancelled unasked was hit by mistake */
    if (!atomic_load(&asked[c->index][tag])) FAIL("host %d: tag %" PRIu64 " cancelled, never asked\n", c->index, tag);
    return;
  }
  uint64_t r = mix(tag * HOSTS + (uint64_t)c->index);
  int64_t a = (int64_t)r, b = (int64_t)mix(r);
  if (tag % 4 == 3) {
    if (k->status != CG_ERR_DIVIDE_BY_ZERO || !strstr(k->error, "Divide"))
      FAIL("host %d: tag %" PRIu64 ": expected division by zero, got %s\n", c->index, tag, cg_status_name(k->status));
    c->errors++;
  } else if (tag % 4 == 2) {
    Calc__BatchResult *v;
    cg_status st = calc_calculator_result_batch_add(k, &v, arena);
    if (st != CG_OK || v->n_values != BATCH) {
      FAIL("host %d: tag %" PRIu64 ": batch %s\n", c->index, tag, cg_status_name(st));
      return;
    }
    for (int i = 0; i < BATCH; i++)
      if (v->values[i] != (int64_t)((uint64_t)(a + i) + (uint64_t)(b - i)))
        FAIL("host %d: tag %" PRIu64 ": element %d wrong\n", c->index, tag, i);
  } else {
    Calc__Value *v;
    cg_status st = calc_calculator_result_add(k, &v, arena);
    if (st != CG_OK || v->value != (int64_t)((uint64_t)a + (uint64_t)b))
      FAIL("host %d: tag %" PRIu64 ": add %s\n", c->index, tag, cg_status_name(st));
  }
  cg_arena_reset(arena);
}

static void *client_main(void *arg) {
  client *c = arg;
  cg_host *h = hosts[c->index];
  int fd = cg_host_fd(h);
  cg_arena *arena = cg_arena_create(NULL);
  cg_completion ks[64];
  uint64_t next_tag = 0;
  while (c->completed < calls) {
    while (next_tag < (uint64_t)calls && cg_host_in_use(h) < CAPACITY) submit(c, next_tag++);
    size_t n;
    if (fd >= 0) {
      struct pollfd p = {fd, POLLIN, 0};
      if (poll(&p, 1, 5000) != 1) {
        FAIL("host %d: eventfd stayed quiet for 5 s\n", c->index);
        break;
      }
      n = cg_host_poll(h, ks, 64);
    } else {
      n = cg_host_wait(h, ks, 64, 5000);
      if (!n) {
        FAIL("host %d: nothing completed for 5 s\n", c->index);
        break;
      }
    }
    for (size_t i = 0; i < n; i++) check(c, &ks[i], arena);
    if (n && cg_host_release(h, ks, n) != CG_OK) FAIL("host %d: release: %s\n", c->index, cg_last_error());
  }
  cg_arena_destroy(arena);
  cg_thread_release();
  atomic_fetch_sub(&running_hosts, 1);
  return NULL;
}

static void *canceller(void *arg) {
  (void)arg;
  uint64_t s = 12345;
  while (atomic_load(&running_hosts)) {
    s = mix(s);
    int host = (int)(s % HOSTS);
    uint64_t tag = (s >> 8) % (uint64_t)calls;
    if (atomic_exchange(&asked[host][tag], 1)) continue; /* each tag once */
    if (cg_host_cancel(hosts[host], tag) == CG_OK) atomic_fetch_add(&cancel_requests, 1);
  }
  cg_thread_release();
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1) calls = atol(argv[1]);
  unsigned workers = argc > 2 ? (unsigned)atoi(argv[2]) : 0;
  if (cg_engine_create(&(cg_engine_config){.workers = workers}, &engine) != CG_OK) {
    fprintf(stderr, "engine: %s\n", cg_last_error());
    return 1;
  }
  for (int i = 0; i < HOSTS; i++)
    if (cg_host_open(engine, &(cg_host_config){.capacity = CAPACITY, .eventfd = i % 2}, &hosts[i]) != CG_OK) {
      fprintf(stderr, "host: %s\n", cg_last_error());
      return 1;
    }
  client clients[HOSTS];
  pthread_t threads[HOSTS], cancel_thread;
  atomic_store(&running_hosts, HOSTS);
  for (int i = 0; i < HOSTS; i++) {
    asked[i] = calloc((size_t)calls, 1);
    clients[i] = (client){.index = i, .seen = calloc((size_t)calls, 1)};
    pthread_create(&threads[i], NULL, client_main, &clients[i]);
  }
  pthread_create(&cancel_thread, NULL, canceller, NULL);
  long failures = 0, completed = 0, errors = 0;
  for (int i = 0; i < HOSTS; i++) {
    pthread_join(threads[i], NULL);
    failures += clients[i].failures;
    completed += clients[i].completed;
    errors += clients[i].errors;
    for (long t = 0; t < calls; t++)
      if (clients[i].seen[t] != 1) {
        if (failures++ < 5) fprintf(stderr, "host %d: tag %ld completed %d times\n", i, t, clients[i].seen[t]);
      }
    free(clients[i].seen);
  }
  pthread_join(cancel_thread, NULL);
  for (int i = 0; i < HOSTS; i++) free((void *)asked[i]);
  size_t cancelled_by_shutdown;
  cg_engine_shutdown(engine, CG_SHUTDOWN_DRAIN, &cancelled_by_shutdown);
  printf("%d hosts x %ld calls on %u workers: %ld completed, %ld expected errors, %ld cancels accepted, %ld "
         "cancelled, %ld failures\n",
         HOSTS, calls, cg_engine_workers(engine), completed, errors, atomic_load(&cancel_requests), atomic_load(&cancelled_seen),
         failures);
  cg_engine_destroy(engine);
  return failures || completed != HOSTS * calls || atomic_load(&cancel_requests) != atomic_load(&cancelled_seen);
}
