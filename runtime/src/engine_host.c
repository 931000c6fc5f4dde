/* Hosts: their slots, submission, completion delivery, poll and release. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/eventfd.h>
#endif

#include "alloc_internal.h"
#include "calcgen/call.h"
#include "engine_internal.h"

/* Waits on h->cv (h->lock held) until woken or past the deadline; 0 when
 * the deadline has passed. */
static int wait_until(cg_host *h, const struct timespec *deadline) {
  if (!deadline) return pthread_cond_wait(&h->cv, &h->lock), 1;
  return pthread_cond_timedwait(&h->cv, &h->lock, deadline) != ETIMEDOUT;
}

void cg__host_broadcast(cg_host *h) {
  atomic_thread_fence(memory_order_seq_cst);
  if (atomic_load(&h->waiters)) {
    pthread_mutex_lock(&h->lock);
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->lock);
  }
}

int cg__slot_take(cg_host *h, uint32_t *index) {
  uint64_t v;
  while (!cg__ring_pop(h->free, &v)) {
    /* in_use falls only once a slot is back in the ring: below capacity, one
     * is on its way (its releaser is between its push and its store) */
    if (atomic_load(&h->in_use) >= h->capacity) return 0;
    cg__cpu_relax();
  }
  atomic_fetch_add(&h->in_use, 1);
  cg__slot *s = &h->slots[v];
  uint64_t w = atomic_load(&s->word); /* a new take: FREE, the next generation (32 bits, wrapping) */
  atomic_store(&s->word, (uint64_t)(uint32_t)((uint32_t)(w >> 8) + 1u) << 8 | CG__FREE);
  s->op = 0;
  atomic_store_explicit(&s->tag, 0, memory_order_relaxed);
  s->svc = NULL;
  s->stream = NULL;
  s->flags = 0;
  s->status = CG_OK;
  s->error_index = -1;
  s->error[0] = '\0';
  s->req.len = s->resp.len = 0;
  *index = (uint32_t)v;
  return 1;
}

int cg__slot_take_wait(cg_host *h, uint32_t *index, const _Atomic int *cancelled) {
  while (!cg__slot_take(h, index)) {
    if (atomic_load(cancelled) || atomic_load(&h->closing)) return 0;
    struct timespec deadline;
    cg__deadline_after(&deadline, 10);
    pthread_mutex_lock(&h->lock);
    atomic_fetch_add(&h->waiters, 1);
    atomic_thread_fence(memory_order_seq_cst);
    if (!cg__slot_take(h, index)) {
      wait_until(h, &deadline);
      atomic_fetch_sub(&h->waiters, 1);
      pthread_mutex_unlock(&h->lock);
      continue;
    }
    atomic_fetch_sub(&h->waiters, 1);
    pthread_mutex_unlock(&h->lock);
    return 1;
  }
  return 1;
}

static void slot_put_back(cg_host *h, uint32_t index) {
  cg__slot_set(&h->slots[index], CG__FREE);
  cg__ring_push_sure(h->free, index);
  atomic_fetch_sub(&h->in_use, 1);
  cg__host_broadcast(h);
}

void cg__slot_fail(cg__slot *s, cg_status st, const char *detail, int64_t index) {
  s->status = st;
  s->error_index = index;
  s->resp.len = 0;
  size_t n = strlen(detail);
  if (n >= sizeof s->error) n = sizeof s->error - 1;
  memcpy(s->error, detail, n);
  s->error[n] = '\0';
}

static void fill(cg_host *h, uint32_t index, cg_completion *c) {
  cg__slot *s = &h->slots[index];
  c->tag = atomic_load_explicit(&s->tag, memory_order_relaxed);
  c->status = s->status;
  c->flags = s->flags;
  c->response = (cg_bytes){s->resp.len ? s->resp.data : NULL, s->resp.len};
  c->error = s->error;
  c->error_index = s->status == CG_OK ? -1 : s->error_index;
  c->slot = index;
  c->reserved = cg__slot_gen(s);
}

/* The edge for an event loop: the eventfd or the notify function, once per
 * time the host has seen its queue empty. */
static void signal_edge(cg_host *h) {
  if ((h->efd >= 0 || h->cfg.notify) && !atomic_exchange(&h->notified, 1)) {
#if defined(__linux__)
    if (h->efd >= 0) {
      uint64_t one = 1;
      while (write(h->efd, &one, sizeof one) < 0 && errno == EINTR) {
      }
    }
#endif
    if (h->cfg.notify) h->cfg.notify(h->cfg.ud);
  }
}

static void signal_host(cg_host *h) {
  signal_edge(h);
  cg__host_broadcast(h);
}

static void release_one(cg_host *h, uint32_t index) {
  cg_stream *st = h->slots[index].stream;
  uint32_t flags = h->slots[index].flags;
  slot_put_back(h, index);
  if (st && (flags & CG_COMPLETION_MESSAGE)) cg__stream_released(st);
}

void cg__complete(cg_host *h, uint32_t index) {
  cg__slot *s = &h->slots[index];
  cg_engine *e = h->engine;
  int final = (s->flags & CG_COMPLETION_END) != 0;
  if (final && s->status == CG_ERR_CANCELLED && atomic_load(&e->cancel_all)) atomic_fetch_add(&e->cancelled, 1);
  cg__slot_set(s, CG__DONE);
  if (h->cfg.callback) {
    cg_completion c;
    fill(h, index, &c);
    h->cfg.callback(h->cfg.ud, &c);
    release_one(h, index);
  } else {
    cg__ring_push_sure(h->done, index);
    signal_host(h);
  }
  if (final) { /* h may be freed by a close from here on */
    atomic_fetch_sub(&h->running, 1);
    cg__engine_done(e);
  }
}

/* Takes a slot for a submission, waiting up to timeout_ms for one. */
static cg_status take_waiting(cg_host *h, int timeout_ms, uint32_t *index, const char *who) {
  if (cg__slot_take(h, index)) return CG_OK;
  if (timeout_ms == 0)
    return cg_fail(CG_ERR_LIMIT, "%s: all %u slots of the host are in use (submitted or not yet released)",
                   who, h->capacity);
  struct timespec deadline;
  if (timeout_ms > 0) cg__deadline_after(&deadline, timeout_ms);
  cg_status st = CG_OK;
  pthread_mutex_lock(&h->lock);
  atomic_fetch_add(&h->waiters, 1);
  atomic_thread_fence(memory_order_seq_cst);
  while (!cg__slot_take(h, index)) {
    if (atomic_load(&h->closing) || !atomic_load(&h->engine->accepting)) {
      st = cg_fail(CG_ERR_CLOSED, "%s: closed while waiting for a slot", who);
      break;
    }
    if (!wait_until(h, timeout_ms > 0 ? &deadline : NULL) && !cg__slot_take(h, index)) {
      st = cg_fail(CG_ERR_LIMIT, "%s: no slot of the host's %u came free within %d ms", who,
                   h->capacity, timeout_ms);
      break;
    }
  }
  atomic_fetch_sub(&h->waiters, 1);
  pthread_mutex_unlock(&h->lock);
  return st;
}

cg_status cg__submit(cg_host *h, const cg_service *svc, uint32_t op, const uint8_t *req,
                     size_t req_len, uint64_t tag, int timeout_ms, int stream, uint32_t *taken) {
  const char *who = stream ? "cg_stream_open" : "cg_submit";
  if (!h || !svc || !svc->dispatch || !svc->op_kind)
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: %s is NULL", who, !h ? "host" : "service");
  if (!req && req_len) return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: req is NULL with req_len %zu", who, req_len);
  cg_op_kind kind = svc->op_kind(op);
  if (kind == CG_OP_UNKNOWN)
    return cg_fail(CG_ERR_UNKNOWN_OP, "%s: %s has no op %u", who, svc->name, op);
  if (stream != (kind != CG_OP_UNARY))
    return cg_fail(CG_ERR_INVALID_ARGUMENT, stream ? "%s: op %u of %s is unary; submit it with cg_submit"
                                                   : "%s: op %u of %s streams; open it with cg_stream_open",
                   who, op, svc->name);
  if (stream && !svc->run_stream)
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: %s has no stream runner", who, svc->name);
  if (req_len > cg_max_request())
    return cg_fail(CG_ERR_LIMIT, "%s: request of %zu bytes is over max_request (%zu)", who, req_len,
                   cg_max_request());
  cg_engine *e = h->engine;
  atomic_fetch_add(&e->active, 1);
  if (!atomic_load(&e->accepting) || atomic_load(&h->closing)) {
    cg__engine_done(e);
    return cg_fail(CG_ERR_CLOSED, "%s: the %s is closed", who, atomic_load(&h->closing) ? "host" : "engine");
  }
  uint32_t index;
  cg_status st = take_waiting(h, timeout_ms, &index, who);
  if (st != CG_OK) {
    cg__engine_done(e);
    return st;
  }
  cg__slot *s = &h->slots[index];
  if (!cg__buf_reserve(&s->req, req_len)) {
    slot_put_back(h, index);
    cg__engine_done(e);
    return cg_fail(CG_ERR_NO_MEMORY, "%s: no memory for a request of %zu bytes", who, req_len);
  }
  if (req_len) memcpy(s->req.data, req, req_len);
  s->req.len = req_len;
  s->op = op;
  s->svc = svc;
  atomic_store_explicit(&s->tag, tag, memory_order_relaxed);
  if (taken) *taken = index;
  atomic_fetch_add(&h->running, 1);
  cg__slot_set(s, CG__PENDING);
  return CG_OK;
}

void cg__enqueue(cg_host *h, uint32_t index) {
  cg_engine *e = h->engine;
  cg__ring_push_sure(e->queue, ((uint64_t)h->index << 32) | index); /* hosts reserve their cells */
  cg__wake_worker(e);
}

cg_status cg_submit(cg_host *h, const cg_service *svc, uint32_t op, const uint8_t *req, size_t req_len,
                    uint64_t tag) {
  return cg_submit_wait(h, svc, op, req, req_len, tag, 0);
}

cg_status cg_submit_wait(cg_host *h, const cg_service *svc, uint32_t op, const uint8_t *req,
                         size_t req_len, uint64_t tag, int timeout_ms) {
  cg__engine_clear_error();
  if (h) atomic_fetch_add(&h->inside, 1);
  uint32_t index;
  cg_status st = cg__submit(h, svc, op, req, req_len, tag, timeout_ms, 0, &index);
  if (st == CG_OK) cg__enqueue(h, index);
  if (h) atomic_fetch_sub(&h->inside, 1);
  return st;
}

size_t cg_host_poll(cg_host *h, cg_completion *out, size_t max) {
  if (!h || !out) return 0;
  if (atomic_load(&h->notified)) {
#if defined(__linux__)
    if (h->efd >= 0) {
      uint64_t v;
      while (read(h->efd, &v, sizeof v) < 0 && errno == EINTR) {
      }
    }
#endif
    atomic_store(&h->notified, 0);
    atomic_thread_fence(memory_order_seq_cst);
  }
  size_t n = 0;
  uint64_t v;
  while (n < max && cg__ring_pop(h->done, &v)) fill(h, (uint32_t)v, &out[n++]);
  if (n == max && cg__ring_count(h->done)) signal_edge(h); /* more wait: keep the fd readable */
  return n;
}

/* How long cg_host_wait polls before it sleeps (see CG__SPIN_NS). */
#define CG__WAIT_SPIN_NS 20000

size_t cg_host_wait(cg_host *h, cg_completion *out, size_t max, int timeout_ms) {
  size_t n = cg_host_poll(h, out, max);
  if (n || timeout_ms == 0 || !h || !out || !max) return n;
  if ((n = (size_t)cg__spin_until((int)cg_host_poll(h, out, max), CG__WAIT_SPIN_NS))) return n;
  struct timespec deadline;
  if (timeout_ms > 0) cg__deadline_after(&deadline, timeout_ms);
  pthread_mutex_lock(&h->lock);
  atomic_fetch_add(&h->waiters, 1);
  atomic_thread_fence(memory_order_seq_cst);
  while (!(n = cg_host_poll(h, out, max)) && !atomic_load(&h->closing))
    if (!wait_until(h, timeout_ms > 0 ? &deadline : NULL)) {
      n = cg_host_poll(h, out, max);
      break;
    }
  atomic_fetch_sub(&h->waiters, 1);
  pthread_mutex_unlock(&h->lock);
  return n;
}

cg_status cg_host_release(cg_host *h, const cg_completion *c, size_t n) {
  cg__engine_clear_error();
  if (!h || (!c && n)) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_host_release: %s is NULL", h ? "c" : "host");
  for (size_t i = 0; i < n; i++) {
    uint32_t index = c[i].slot;
    if (index >= h->capacity || !cg__slot_cas(&h->slots[index], c[i].reserved, CG__DONE, CG__RUNNING))
      return cg_fail(CG_ERR_INVALID_ARGUMENT,
                     "cg_host_release: completion %zu (tag %llu) is not this host's, or was released already",
                     i, (unsigned long long)c[i].tag);
    release_one(h, index);
  }
  return CG_OK;
}

int cg_host_fd(const cg_host *h) { return h ? h->efd : -1; }

size_t cg_host_in_use(const cg_host *h) { return h ? atomic_load(&h->in_use) : 0; }

cg_status cg_host_cancel(cg_host *h, uint64_t tag) {
  cg__engine_clear_error();
  if (!h) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_host_cancel: host is NULL");
  size_t n = 0;
  for (uint32_t i = 0; i < h->capacity; i++) {
    cg__slot *s = &h->slots[i];
    uint64_t w = atomic_load(&s->word);
    /* the tag is read between two reads of the word: the CAS fails if the
     * slot was released and taken again meanwhile */
    if ((w & 0xff) == CG__PENDING && atomic_load_explicit(&s->tag, memory_order_relaxed) == tag &&
        cg__slot_cas(s, (uint32_t)(w >> 8), CG__PENDING, CG__CANCELLED))
      n++;
  }
  n += cg__stream_cancel(h, tag, 0);
  if (n) return CG_OK;
  return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_host_cancel: no call with tag %llu is waiting to run or streaming",
                 (unsigned long long)tag);
}

static void free_host(cg_host *h) {
  cg__streams_free(h);
  if (h->slots)
    for (uint32_t i = 0; i < h->capacity; i++) {
      cg__buf_free(&h->slots[i].req);
      cg__buf_free(&h->slots[i].resp);
    }
  cg__free(h->slots, sizeof *h->slots * h->capacity);
  if (h->free) cg__free(h->free, cg__ring_size(h->capacity));
  if (h->done) cg__free(h->done, cg__ring_size(h->capacity));
#if defined(__linux__)
  if (h->efd >= 0) close(h->efd);
#endif
  pthread_mutex_destroy(&h->lock);
  pthread_cond_destroy(&h->cv);
  cg__free(h, sizeof *h);
}

cg_status cg_host_open(cg_engine *e, const cg_host_config *cfg, cg_host **out) {
  cg__engine_clear_error();
  if (!e || !out) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_host_open: %s is NULL", e ? "out" : "engine");
  *out = NULL;
  cg_host_config c = cfg ? *cfg : (cg_host_config){0};
  if (c.capacity > (1u << 24)) return cg_fail(CG_ERR_LIMIT, "cg_host_open: capacity is at most 2^24");
  uint32_t cap = 1;
  while (cap < (c.capacity ? c.capacity : 1024u)) cap <<= 1;
  if (c.callback && (c.eventfd || c.notify))
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_host_open: a callback host has no queue to signal");
#if !defined(__linux__)
  if (c.eventfd) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_host_open: eventfd needs Linux");
#endif
  if (!atomic_load(&e->accepting)) return cg_fail(CG_ERR_CLOSED, "cg_host_open: the engine is shut down");
  cg_host *h = cg__alloc(sizeof *h);
  if (!h) return cg_fail(CG_ERR_NO_MEMORY, "cg_host_open: out of memory");
  memset(h, 0, sizeof *h);
  h->engine = e;
  h->capacity = cap;
  h->cfg = c;
  h->efd = -1;
  pthread_mutex_init(&h->lock, NULL);
  cg__cond_init(&h->cv);
  h->slots = cg__alloc(sizeof *h->slots * cap);
  if (h->slots) memset(h->slots, 0, sizeof *h->slots * cap);
  h->free = cg__alloc(cg__ring_size(cap));
  h->done = cg__alloc(cg__ring_size(cap));
  if (!h->slots || !h->free || !h->done) {
    if (!h->slots) h->capacity = 0;
    free_host(h);
    return cg_fail(CG_ERR_NO_MEMORY, "cg_host_open: out of memory for %u slots", cap);
  }
  cg__ring_init(h->free, cap);
  cg__ring_init(h->done, cap);
  for (uint32_t i = 0; i < cap; i++) {
    atomic_init(&h->slots[i].word, (uint64_t)(uint32_t)(i * 0x9E3779B9u) << 8 | CG__FREE);
    cg__ring_push(h->free, i);
  }
#if defined(__linux__)
  if (c.eventfd && (h->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
    free_host(h);
    return cg_fail(CG_ERR_NO_MEMORY, "cg_host_open: eventfd: %s", strerror(errno));
  }
#endif
  pthread_mutex_lock(&e->lock);
  cg_status st = CG_OK;
  unsigned index = 0;
  while (index < e->cfg.max_hosts && atomic_load(&e->hosts[index])) index++;
  if (index == e->cfg.max_hosts)
    st = cg_fail(CG_ERR_LIMIT, "cg_host_open: all %u hosts of the engine are open (max_hosts)", e->cfg.max_hosts);
  else if (e->reserved + cap > e->cfg.max_inflight)
    st = cg_fail(CG_ERR_LIMIT, "cg_host_open: %u more slots would pass the engine's max_inflight (%zu, %zu taken)",
                 cap, e->cfg.max_inflight, e->reserved);
  if (st == CG_OK) {
    e->reserved += cap;
    h->index = index;
    for (uint32_t i = 0; i < cap; i++) atomic_fetch_xor(&h->slots[i].word, (uint64_t)(uint32_t)(index << 20) << 8);
    atomic_store(&e->hosts[index], h);
  }
  pthread_mutex_unlock(&e->lock);
  if (st != CG_OK) {
    free_host(h);
    return st;
  }
  *out = h;
  return CG_OK;
}

cg_status cg_host_close(cg_host *h) {
  if (!h) return CG_OK;
  cg__engine_clear_error();
  if (cg__on_engine_thread())
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_host_close: called from an engine thread");
  cg_engine *e = h->engine;
  atomic_store(&h->closing, 1);
  for (;;) { /* submits in progress finish (or see closing) before the cancels below */
    for (uint32_t i = 0; i < h->capacity; i++) {
      cg__slot *s = &h->slots[i];
      uint64_t w = atomic_load(&s->word);
      if ((w & 0xff) == CG__PENDING) cg__slot_cas(s, (uint32_t)(w >> 8), CG__PENDING, CG__CANCELLED);
    }
    cg__stream_cancel(h, 0, 1);
    cg__host_broadcast(h); /* submitters, writers and waiters give up */
    if (!atomic_load(&h->inside)) break;
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
  }
  /* What has been submitted completes on a worker (cancelled if it had not
   * started); close is rare, so it sleeps rather than have every
   * completion signal it. */
  while (atomic_load(&h->running) || atomic_load(&h->waiters) || atomic_load(&h->inside)) {
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
  }
  /* A waiter counts itself out before it unlocks: let it finish unlocking. */
  pthread_mutex_lock(&h->lock);
  pthread_mutex_unlock(&h->lock);
  pthread_mutex_lock(&e->lock);
  atomic_store(&e->hosts[h->index], NULL);
  e->reserved -= h->capacity;
  pthread_mutex_unlock(&e->lock);
  free_host(h);
  return CG_OK;
}
