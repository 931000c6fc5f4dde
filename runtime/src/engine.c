/* The engine: worker threads, the shared submission queue, shutdown. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alloc_internal.h"
#include "engine_internal.h"
#include "status_internal.h"

#define CG__DEFAULT_MAX_HOSTS 64u
#define CG__DEFAULT_MAX_INFLIGHT ((size_t)1 << 16)
#define CG__DEFAULT_MAX_STREAMS 256u
#define CG__MAX_WORKERS 64u
/* How long a worker polls an empty queue before it sleeps: a call that
 * comes within it costs no wake-up (a futex wake and a reschedule). */
#define CG__SPIN_NS 50000

static _Thread_local int engine_thread;

int cg__on_engine_thread(void) { return engine_thread; }
void cg__set_engine_thread(int on) { engine_thread = on; }

void cg__engine_clear_error(void) {
  cg__hot *h = cg__hot_state();
  cg__clear_errors_from(h, h->depth);
}

int cg__buf_reserve(cg__buf *b, size_t len) {
  if (len <= b->cap) return 1;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < len) cap = cap > SIZE_MAX / 2 ? len : cap * 2;
  uint8_t *p = cg__alloc(cap);
  if (!p) return 0;
  cg__free(b->data, b->cap);
  b->data = p;
  b->cap = cap;
  return 1;
}

void cg__buf_free(cg__buf *b) {
  cg__free(b->data, b->cap);
  *b = (cg__buf){0};
}

static uint64_t pow2_at_least(uint64_t n) {
  uint64_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

void cg__wake_worker(cg_engine *e) {
  atomic_thread_fence(memory_order_seq_cst);
  if (atomic_load(&e->sleepers)) {
    pthread_mutex_lock(&e->lock);
    pthread_cond_signal(&e->work_cv);
    pthread_mutex_unlock(&e->lock);
  }
}

void cg__engine_done(cg_engine *e) {
  if (atomic_fetch_sub(&e->active, 1) == 1) {
    pthread_mutex_lock(&e->lock);
    pthread_cond_broadcast(&e->idle_cv);
    pthread_mutex_unlock(&e->lock);
  }
}

static cg_host *entry_host(cg_engine *e, uint64_t entry) {
  /* The host stays while it has a submission running (close waits). */
  return atomic_load_explicit(&e->hosts[entry >> 32], memory_order_acquire);
}

/* Takes a pending slot to run; 0 when it was cancelled (it is then completed
 * as such, or its stream ended). */
static int claim(cg_engine *e, cg_host *h, uint32_t index) {
  cg__slot *s = &h->slots[index];
  uint32_t gen = cg__slot_gen(s);
  if (!atomic_load(&e->cancel_all) && !atomic_load(&h->closing) && cg__slot_cas(s, gen, CG__PENDING, CG__RUNNING))
    return 1;
  cg__slot_set(s, CG__RUNNING);
  if (s->stream) {
    cg__stream_abandon(h, index);
    return 0;
  }
  cg__slot_fail(s, CG_ERR_CANCELLED, "cancelled before it ran", -1);
  s->flags = CG_COMPLETION_END;
  cg__complete(h, index);
  return 0;
}

/* Completes a claimed unary slot with `r` (a view to copy) or the thread's error. */
static void respond(cg_host *h, uint32_t index, cg_status st, cg_bytes r) {
  cg__slot *s = &h->slots[index];
  s->flags = CG_COMPLETION_END;
  if (st != CG_OK) {
    cg__slot_fail(s, st, cg_last_error(), cg_last_error_index());
  } else if (!cg__buf_reserve(&s->resp, r.len)) {
    cg__slot_fail(s, CG_ERR_NO_MEMORY, "engine: no memory for the response", -1);
  } else {
    if (r.len) memcpy(s->resp.data, r.data, r.len);
    s->resp.len = r.len;
  }
  cg__complete(h, index);
}

static const uint8_t nothing[1];

/* Runs a claimed unary slot: dispatch on this thread, the response copied
 * into the slot (the dispatch's view is this thread's buffer). */
static void execute(cg_host *h, uint32_t index) {
  cg__slot *s = &h->slots[index];
  cg_bytes r = {0};
  cg_status st = s->svc->dispatch(s->op, s->req.len ? s->req.data : NULL, s->req.len, &r);
  respond(h, index, st, r);
}

static void run_entry(cg_engine *e, uint64_t entry) {
  cg_host *h = entry_host(e, entry);
  uint32_t index = (uint32_t)entry;
  if (!claim(e, h, index)) return;
  if (h->slots[index].stream) { /* the stream's thread completes it */
    cg__stream_start(h, index);
    return;
  }
  execute(h, index);
}

/* Auto-batching: of n entries taken together, those that call the same
 * single kernel op as the first batchable one run as one batch kernel call;
 * the rest (and all of them, when that call fails) run one by one. */
static void run_group(cg_engine *e, const uint64_t *entries, size_t n) {
  cg_host *hosts[CG_RUN_MANY_MAX];
  uint32_t index[CG_RUN_MANY_MAX];
  cg_bytes reqs[CG_RUN_MANY_MAX];
  size_t lens[CG_RUN_MANY_MAX], m = 0;
  static _Thread_local uint8_t results[CG_RUN_MANY_MAX * CG_RUN_MANY_RESULT];
  const cg_service *svc = NULL;
  uint32_t op = 0;
  for (size_t i = 0; i < n; i++) {
    cg_host *h = entry_host(e, entries[i]);
    uint32_t k = (uint32_t)entries[i];
    cg__slot *s = &h->slots[k];
    /* a pending slot's svc, op and stream are its submitter's, written before it was queued */
    int candidate = !s->stream && s->svc->run_many && (!svc || (s->svc == svc && s->op == op));
    if (!candidate) {
      run_entry(e, entries[i]);
      continue;
    }
    if (!claim(e, h, k)) continue;
    svc = s->svc;
    op = s->op;
    hosts[m] = h;
    index[m] = k;
    reqs[m] = (cg_bytes){s->req.len ? s->req.data : nothing, s->req.len};
    m++;
  }
  if (m >= 2 && svc->run_many(op, m, reqs, results, lens) == CG_OK) {
    atomic_fetch_add(&e->batched, m);
    for (size_t i = 0; i < m; i++)
      respond(hosts[i], index[i], CG_OK, (cg_bytes){results + i * CG_RUN_MANY_RESULT, lens[i]});
    return;
  }
  for (size_t i = 0; i < m; i++) execute(hosts[i], index[i]);
}

static void *worker_main(void *arg) {
  cg_engine *e = arg;
  cg__set_engine_thread(1);
  for (;;) {
    uint64_t entry;
    int got = cg__spin_until(cg__ring_pop(e->queue, &entry), CG__SPIN_NS);
    if (got) {
      unsigned max = e->cfg.auto_batch;
      if (max < 2) {
        run_entry(e, entry);
        continue;
      }
      uint64_t group[CG_RUN_MANY_MAX];
      size_t n = 1;
      group[0] = entry;
      while (n < max && cg__ring_pop(e->queue, &group[n])) n++;
      run_group(e, group, n);
      continue;
    }
    pthread_mutex_lock(&e->lock);
    atomic_fetch_add(&e->sleepers, 1);
    atomic_thread_fence(memory_order_seq_cst);
    got = cg__ring_pop(e->queue, &entry);
    if (!got && !atomic_load(&e->stopping)) {
      pthread_cond_wait(&e->work_cv, &e->lock);
      got = cg__ring_pop(e->queue, &entry);
    }
    atomic_fetch_sub(&e->sleepers, 1);
    int stop = !got && atomic_load(&e->stopping);
    pthread_mutex_unlock(&e->lock);
    if (got) run_entry(e, entry);
    if (stop) break;
  }
  cg_thread_release();
  return NULL;
}

static void free_engine(cg_engine *e) {
  if (e->queue) cg__free(e->queue, cg__ring_size(e->cfg.max_inflight));
  cg__free(e->hosts, sizeof *e->hosts * e->cfg.max_hosts);
  cg__free(e->threads, sizeof *e->threads * e->cfg.workers);
  cg__stream_threads_stop(e);
  pthread_mutex_destroy(&e->lock);
  pthread_cond_destroy(&e->work_cv);
  pthread_cond_destroy(&e->idle_cv);
  cg__free(e, sizeof *e);
}

static void stop_workers(cg_engine *e) {
  pthread_mutex_lock(&e->lock);
  atomic_store(&e->stopping, 1);
  pthread_cond_broadcast(&e->work_cv);
  pthread_mutex_unlock(&e->lock);
  for (unsigned i = 0; i < e->started; i++) pthread_join(e->threads[i], NULL);
  e->started = 0;
  cg__stream_threads_stop(e);
}

cg_status cg_engine_create(const cg_engine_config *cfg, cg_engine **out) {
  cg__engine_clear_error();
  if (!out) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_engine_create: out is NULL");
  *out = NULL;
  cg_engine_config c = cfg ? *cfg : (cg_engine_config){0};
  if (!c.workers) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    c.workers = n < 1 ? 1u : (unsigned)n;
  }
  if (c.workers > CG__MAX_WORKERS) c.workers = CG__MAX_WORKERS;
  if (!c.max_hosts) c.max_hosts = CG__DEFAULT_MAX_HOSTS;
  if (!c.max_inflight) c.max_inflight = CG__DEFAULT_MAX_INFLIGHT;
  if (!c.max_streams) c.max_streams = CG__DEFAULT_MAX_STREAMS;
  if (c.auto_batch > CG_RUN_MANY_MAX) c.auto_batch = CG_RUN_MANY_MAX;
  if (c.max_hosts > 65536 || c.max_inflight > ((size_t)1 << 30))
    return cg_fail(CG_ERR_LIMIT, "cg_engine_create: max_hosts is at most 65536 and max_inflight 2^30");
  c.max_inflight = (size_t)pow2_at_least(c.max_inflight);
  cg_engine *e = cg__alloc(sizeof *e);
  if (!e) return cg_fail(CG_ERR_NO_MEMORY, "cg_engine_create: out of memory");
  memset(e, 0, sizeof *e);
  e->cfg = c;
  pthread_mutex_init(&e->lock, NULL);
  pthread_cond_init(&e->work_cv, NULL);
  pthread_cond_init(&e->idle_cv, NULL);
  e->queue = cg__alloc(cg__ring_size(c.max_inflight));
  e->hosts = cg__alloc(sizeof *e->hosts * c.max_hosts);
  e->threads = cg__alloc(sizeof *e->threads * c.workers);
  if (!e->queue || !e->hosts || !e->threads || cg__stream_threads_init(e) != CG_OK) {
    free_engine(e);
    return cg_fail(CG_ERR_NO_MEMORY, "cg_engine_create: out of memory");
  }
  cg__ring_init(e->queue, c.max_inflight);
  for (unsigned i = 0; i < c.max_hosts; i++) atomic_init(&e->hosts[i], NULL);
  atomic_store(&e->accepting, 1);
  for (; e->started < c.workers; e->started++) {
    if (pthread_create(&e->threads[e->started], NULL, worker_main, e) != 0) {
      stop_workers(e);
      free_engine(e);
      return cg_fail(CG_ERR_NO_MEMORY, "cg_engine_create: cannot start worker threads");
    }
  }
  *out = e;
  return CG_OK;
}

unsigned cg_engine_workers(const cg_engine *e) { return e ? e->cfg.workers : 0; }

uint64_t cg_engine_batched(const cg_engine *e) { return e ? atomic_load(&e->batched) : 0; }

cg_status cg_engine_shutdown(cg_engine *e, cg_shutdown how, size_t *cancelled) {
  cg__engine_clear_error();
  if (cancelled) *cancelled = 0;
  if (!e) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_engine_shutdown: engine is NULL");
  if (how != CG_SHUTDOWN_DRAIN && how != CG_SHUTDOWN_CANCEL)
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_engine_shutdown: unknown mode %d", (int)how);
  if (cg__on_engine_thread())
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_engine_shutdown: called from an engine thread");
  if (atomic_exchange(&e->shut, 1)) return CG_OK;
  atomic_store(&e->accepting, 0);
  if (how == CG_SHUTDOWN_CANCEL) atomic_store(&e->cancel_all, 1);
  pthread_mutex_lock(&e->lock);
  for (unsigned i = 0; i < e->cfg.max_hosts; i++) {
    cg_host *h = atomic_load(&e->hosts[i]);
    if (!h) continue;
    if (how == CG_SHUTDOWN_CANCEL) cg__stream_cancel(h, 0, 1);
    cg__host_broadcast(h); /* submitters waiting for a slot give up */
  }
  pthread_mutex_unlock(&e->lock);
  pthread_mutex_lock(&e->lock);
  while (atomic_load(&e->active)) pthread_cond_wait(&e->idle_cv, &e->lock);
  pthread_mutex_unlock(&e->lock);
  stop_workers(e);
  if (cancelled) *cancelled = atomic_load(&e->cancelled);
  return CG_OK;
}

cg_status cg_engine_destroy(cg_engine *e) {
  if (!e) return CG_OK;
  cg__engine_clear_error();
  if (cg__on_engine_thread())
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_engine_destroy: called from an engine thread");
  cg_engine_shutdown(e, CG_SHUTDOWN_DRAIN, NULL);
  for (unsigned i = 0; i < e->cfg.max_hosts; i++) {
    cg_host *h = atomic_load(&e->hosts[i]);
    if (h) cg_host_close(h);
  }
  free_engine(e);
  return CG_OK;
}
