/* Streaming calls: the stream object, its two bounded directions, the
 * threads that run streaming handlers. */
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "alloc_internal.h"
#include "calcgen/call.h"
#include "calcgen/support/protobuf.h"
#include "engine_internal.h"

struct cg_stream {
  cg_host *host;
  const cg_service *svc;
  uint32_t op, slot; /* the open request's slot, which carries the end */
  cg_op_kind kind;
  uint64_t tag;
  pthread_mutex_t lock;
  pthread_cond_t cv;
  unsigned window;
  unsigned out_pending; /* messages delivered, not yet released */
  unsigned refs;        /* the handler's, each unreleased message's, each host call inside (under lock) */
  cg__buf *in;          /* window buffers: the host's messages, a ring */
  unsigned in_head, in_count;
  int in_closed; /* the host wrote its last */
  _Atomic int finished; /* the handler returned */
  _Atomic int cancelled;
  cg__buf cur;   /* the message the handler holds */
  cg_arena *arena;
  cg_stream *next;      /* the host's open list or spare list; the engine's queue */
  cg_stream *job_next;
};

static const uint8_t nothing[1];

/* ---- the stream object ---- */

static void stream_free(cg_stream *s) {
  for (unsigned i = 0; i < s->window; i++) cg__buf_free(&s->in[i]);
  cg__free(s->in, sizeof *s->in * s->window);
  cg__buf_free(&s->cur);
  cg_arena_destroy(s->arena);
  pthread_mutex_destroy(&s->lock);
  pthread_cond_destroy(&s->cv);
  cg__free(s, sizeof *s);
}

void cg__streams_free(cg_host *h) {
  for (int list = 0; list < 2; list++) {
    cg_stream *s = list ? h->spare : h->streams;
    while (s) {
      cg_stream *next = s->next;
      stream_free(s);
      s = next;
    }
  }
  h->streams = h->spare = NULL;
}

/* A spare stream of h with the right window, or a new one; NULL without memory. */
static cg_stream *stream_get(cg_host *h, unsigned window) {
  pthread_mutex_lock(&h->lock);
  cg_stream *s = h->spare;
  if (s) h->spare = s->next;
  pthread_mutex_unlock(&h->lock);
  if (s && s->window == window) return s;
  if (s) stream_free(s);
  s = cg__alloc(sizeof *s);
  if (!s) return NULL;
  memset(s, 0, sizeof *s);
  pthread_mutex_init(&s->lock, NULL);
  cg__cond_init(&s->cv);
  s->window = window;
  s->in = cg__alloc(sizeof *s->in * window);
  if (s->in) memset(s->in, 0, sizeof *s->in * window);
  else s->window = 0;
  s->arena = cg_arena_create(NULL);
  if (!s->in || !s->arena) {
    stream_free(s);
    return NULL;
  }
  return s;
}

static void unlink_stream(cg_host *h, cg_stream *s) {
  for (cg_stream **p = &h->streams; *p; p = &(*p)->next)
    if (*p == s) {
      *p = s->next;
      return;
    }
}

/* Drops one reference; the last (with the handler finished) makes the
 * stream a spare of its host. */
static void stream_unref(cg_stream *s) {
  cg_host *h = s->host;
  pthread_mutex_lock(&h->lock);
  pthread_mutex_lock(&s->lock);
  int last = --s->refs == 0;
  pthread_mutex_unlock(&s->lock);
  if (last) {
    unlink_stream(h, s);
    s->next = h->spare;
    h->spare = s;
  }
  pthread_mutex_unlock(&h->lock);
}

/* The open stream of h with tag, with a reference taken; NULL if none. */
static cg_stream *stream_find(cg_host *h, uint64_t tag) {
  pthread_mutex_lock(&h->lock);
  cg_stream *s = h->streams;
  while (s && (s->tag != tag || atomic_load(&s->finished))) s = s->next;
  if (s) {
    pthread_mutex_lock(&s->lock);
    s->refs++;
    pthread_mutex_unlock(&s->lock);
  }
  pthread_mutex_unlock(&h->lock);
  return s;
}

void cg__stream_released(cg_stream *s) {
  pthread_mutex_lock(&s->lock);
  s->out_pending--;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->lock);
  stream_unref(s);
}

size_t cg__stream_cancel(cg_host *h, uint64_t tag, int all) {
  size_t n = 0;
  pthread_mutex_lock(&h->lock);
  for (cg_stream *s = h->streams; s; s = s->next) {
    if ((!all && s->tag != tag) || atomic_load(&s->finished) || atomic_load(&s->cancelled)) continue;
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->cancelled, 1);
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->lock);
    n++;
  }
  pthread_cond_broadcast(&h->cv); /* sends waiting for a slot */
  pthread_mutex_unlock(&h->lock);
  return n;
}

/* ---- ending a stream ---- */

/* Writes the end into the open slot and delivers it (h may be freed after). */
static void finish(cg_host *h, cg_stream *s, cg_status st, const char *detail, int64_t index,
                   cg_bytes resp) {
  cg__slot *slot = &h->slots[s->slot];
  if (atomic_load(&s->cancelled) && st != CG_ERR_CANCELLED) {
    st = CG_ERR_CANCELLED;
    detail = "the stream was cancelled";
    index = -1;
  }
  slot->flags = CG_COMPLETION_END;
  if (st == CG_OK && !cg__buf_reserve(&slot->resp, resp.len)) {
    st = CG_ERR_NO_MEMORY;
    detail = "engine: no memory for the response";
  }
  if (st != CG_OK) {
    cg__slot_fail(slot, st, detail, index);
  } else {
    if (resp.len) memcpy(slot->resp.data, resp.data, resp.len);
    slot->resp.len = resp.len;
  }
  pthread_mutex_lock(&s->lock);
  atomic_store(&s->finished, 1);
  pthread_cond_broadcast(&s->cv); /* host writes waiting for room give up */
  pthread_mutex_unlock(&s->lock);
  cg_engine *e = h->engine;
  uint32_t index_slot = s->slot;
  stream_unref(s);
  atomic_fetch_sub(&h->open_streams, 1);
  atomic_fetch_sub(&e->streams, 1);
  cg__complete(h, index_slot);
}

void cg__stream_abandon(cg_host *h, uint32_t index) {
  cg_stream *s = h->slots[index].stream;
  finish(h, s, CG_ERR_CANCELLED, "cancelled before it ran", -1, (cg_bytes){0});
}

static void run_stream(cg_stream *s) {
  cg_host *h = s->host;
  if (atomic_load(&s->cancelled)) {
    finish(h, s, CG_ERR_CANCELLED, "cancelled before it ran", -1, (cg_bytes){0});
    return;
  }
  cg_bytes resp = {0};
  cg_status st = s->svc->run_stream(s->op, s, &resp);
  finish(h, s, st, st == CG_OK ? "" : cg_last_error(), st == CG_OK ? -1 : cg_last_error_index(), resp);
}

/* ---- the threads ---- */

static void *stream_thread(void *arg) {
  cg_engine *e = arg;
  cg__stream_threads *t = &e->st;
  cg__set_engine_thread(1);
  pthread_mutex_lock(&t->lock);
  for (;;) {
    while (!t->head && !t->stopping) {
      t->idle++;
      pthread_cond_wait(&t->cv, &t->lock);
      t->idle--;
    }
    if (!t->head) break;
    cg_stream *s = t->head;
    t->head = s->job_next;
    if (!t->head) t->tail = NULL;
    t->queued--;
    pthread_mutex_unlock(&t->lock);
    run_stream(s);
    pthread_mutex_lock(&t->lock);
  }
  pthread_mutex_unlock(&t->lock);
  cg_thread_release();
  return NULL;
}

cg_status cg__stream_threads_init(cg_engine *e) {
  cg__stream_threads *t = &e->st;
  pthread_mutex_init(&t->lock, NULL);
  pthread_cond_init(&t->cv, NULL);
  t->threads = cg__alloc(sizeof *t->threads * e->cfg.max_streams);
  return t->threads ? CG_OK : CG_ERR_NO_MEMORY;
}

void cg__stream_threads_stop(cg_engine *e) {
  cg__stream_threads *t = &e->st;
  if (!t->threads) return;
  pthread_mutex_lock(&t->lock);
  t->stopping = 1;
  pthread_cond_broadcast(&t->cv);
  pthread_mutex_unlock(&t->lock);
  for (unsigned i = 0; i < t->count; i++) pthread_join(t->threads[i], NULL);
  t->count = 0;
  cg__free(t->threads, sizeof *t->threads * e->cfg.max_streams);
  t->threads = NULL;
  pthread_mutex_destroy(&t->lock);
  pthread_cond_destroy(&t->cv);
}

cg_status cg__stream_start(cg_host *h, uint32_t index) {
  cg_engine *e = h->engine;
  cg__stream_threads *t = &e->st;
  cg_stream *s = h->slots[index].stream;
  pthread_mutex_lock(&t->lock);
  /* Every open stream counts against max_streams, so there is a thread for
   * each: an idle one no queued stream has claimed yet, or a new one. */
  t->queued++;
  if (t->idle < t->queued && t->count < e->cfg.max_streams) {
    if (pthread_create(&t->threads[t->count], NULL, stream_thread, e) == 0) t->count++;
  }
  if (!t->count) {
    t->queued--;
    pthread_mutex_unlock(&t->lock);
    finish(h, s, CG_ERR_NO_MEMORY, "engine: cannot start a stream thread", -1, (cg_bytes){0});
    return CG_ERR_NO_MEMORY;
  }
  s->job_next = NULL;
  if (t->tail) t->tail->job_next = s;
  else t->head = s;
  t->tail = s;
  pthread_cond_signal(&t->cv);
  pthread_mutex_unlock(&t->lock);
  return CG_OK;
}

/* ---- host side ---- */

cg_status cg_stream_open(cg_host *h, const cg_service *svc, uint32_t op, const uint8_t *req, size_t req_len,
                         uint64_t tag) {
  return cg__stream_open_wait(h, svc, op, req, req_len, tag, 0);
}

cg_status cg__stream_open_wait(cg_host *h, const cg_service *svc, uint32_t op, const uint8_t *req, size_t req_len,
                               uint64_t tag, int timeout_ms) {
  cg__engine_clear_error();
  if (h && svc && svc->op_kind && req_len) {
    cg_op_kind k = svc->op_kind(op);
    if (k == CG_OP_CLIENT_STREAM || k == CG_OP_BIDI_STREAM)
      return cg_fail(CG_ERR_INVALID_ARGUMENT,
                     "cg_stream_open: op %u of %s takes its requests by cg_stream_write, not at open", op, svc->name);
  }
  if (h) {
    cg_stream *open = stream_find(h, tag);
    if (open) {
      stream_unref(open);
      return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_stream_open: a stream with tag %llu is open on this host",
                     (unsigned long long)tag);
    }
  }
  cg_engine *e = h ? h->engine : NULL;
  if (e && atomic_fetch_add(&e->streams, 1) >= e->cfg.max_streams) {
    atomic_fetch_sub(&e->streams, 1);
    return cg_fail(CG_ERR_LIMIT, "cg_stream_open: %u streams are open (the engine's max_streams)", e->cfg.max_streams);
  }
  /* A stream holds its open slot for its whole life; half the host's slots
   * stay for messages and calls, so open streams cannot starve each other. */
  if (h && atomic_fetch_add(&h->open_streams, 1) >= h->capacity / 2) {
    atomic_fetch_sub(&h->open_streams, 1);
    atomic_fetch_sub(&e->streams, 1);
    return cg_fail(CG_ERR_LIMIT, "cg_stream_open: %u streams are open on this host, half its %u slots",
                   h->capacity / 2, h->capacity);
  }
  uint32_t index;
  if (h) atomic_fetch_add(&h->inside, 1);
  cg_status st = cg__submit(h, svc, op, req, req_len, tag, timeout_ms, 1, &index);
  if (st != CG_OK) {
    if (h) {
      atomic_fetch_sub(&h->open_streams, 1);
      atomic_fetch_sub(&e->streams, 1);
      atomic_fetch_sub(&h->inside, 1);
    }
    return st;
  }
  cg_stream *s = stream_get(h, h->cfg.stream_window ? h->cfg.stream_window : 16u);
  if (!s) {
    /* The slot is taken and counted; end it here as a failed call. */
    atomic_fetch_sub(&h->open_streams, 1);
    atomic_fetch_sub(&e->streams, 1);
    atomic_fetch_sub(&h->inside, 1);
    cg__slot *slot = &h->slots[index];
    cg__slot_set(slot, CG__RUNNING);
    slot->flags = CG_COMPLETION_END;
    cg__slot_fail(slot, CG_ERR_NO_MEMORY, "cg_stream_open: no memory for the stream", -1);
    cg__complete(h, index);
    return CG_OK; /* the completion says it */
  }
  s->host = h;
  s->svc = svc;
  s->op = op;
  s->slot = index;
  s->kind = svc->op_kind(op);
  s->tag = tag;
  s->out_pending = 0;
  s->refs = 1;
  s->in_head = s->in_count = 0;
  s->in_closed = s->kind == CG_OP_SERVER_STREAM;
  atomic_store(&s->finished, 0);
  atomic_store(&s->cancelled, 0);
  s->cur.len = 0;
  pthread_mutex_lock(&h->lock);
  s->next = h->streams;
  h->streams = s;
  pthread_mutex_unlock(&h->lock);
  h->slots[index].stream = s;
  cg__enqueue(h, index);
  atomic_fetch_sub(&h->inside, 1);
  return CG_OK;
}

/* The open client or bidi stream of h with tag, a reference taken and the
 * call counted in h->inside (close waits for it); end with host_done(). */
static cg_status host_stream(cg_host *h, uint64_t tag, const char *who, cg_stream **out) {
  if (!h) return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: host is NULL", who);
  atomic_fetch_add(&h->inside, 1);
  *out = stream_find(h, tag);
  if (!*out) {
    atomic_fetch_sub(&h->inside, 1);
    return cg_fail(CG_ERR_CLOSED, "%s: no open stream has tag %llu", who, (unsigned long long)tag);
  }
  if ((*out)->kind == CG_OP_SERVER_STREAM) {
    stream_unref(*out);
    atomic_fetch_sub(&h->inside, 1);
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: stream %llu is a server stream; it takes no messages", who,
                   (unsigned long long)tag);
  }
  return CG_OK;
}

static void host_done(cg_host *h, cg_stream *s) {
  stream_unref(s);
  atomic_fetch_sub(&h->inside, 1);
}

cg_status cg_stream_write(cg_host *h, uint64_t tag, const uint8_t *msg, size_t len, int timeout_ms) {
  cg__engine_clear_error();
  if (!msg && len) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_stream_write: msg is NULL with len %zu", len);
  if (len > cg_max_request())
    return cg_fail(CG_ERR_LIMIT, "cg_stream_write: message of %zu bytes is over max_request (%zu)", len,
                   cg_max_request());
  cg_stream *s;
  cg_status st = host_stream(h, tag, "cg_stream_write", &s);
  if (st != CG_OK) return st;
  struct timespec deadline;
  if (timeout_ms > 0) cg__deadline_after(&deadline, timeout_ms);
  pthread_mutex_lock(&s->lock);
  for (;;) {
    if (atomic_load(&s->cancelled)) {
      st = cg_fail(CG_ERR_CANCELLED, "cg_stream_write: stream %llu was cancelled", (unsigned long long)tag);
    } else if (atomic_load(&s->finished) || s->in_closed) {
      st = cg_fail(CG_ERR_CLOSED, "cg_stream_write: stream %llu %s", (unsigned long long)tag,
                   atomic_load(&s->finished) ? "has ended" : "was closed for sending");
    } else if (s->in_count == s->window) {
      if (timeout_ms == 0) {
        st = cg_fail(CG_ERR_LIMIT, "cg_stream_write: stream %llu has %u messages waiting (its window)",
                     (unsigned long long)tag, s->window);
      } else if (timeout_ms < 0) {
        pthread_cond_wait(&s->cv, &s->lock);
        continue;
      } else if (pthread_cond_timedwait(&s->cv, &s->lock, &deadline) == 0 || s->in_count < s->window) {
        continue;
      } else {
        st = cg_fail(CG_ERR_LIMIT, "cg_stream_write: stream %llu had no room within %d ms",
                     (unsigned long long)tag, timeout_ms);
      }
    } else {
      cg__buf *b = &s->in[(s->in_head + s->in_count) % s->window];
      if (!cg__buf_reserve(b, len)) {
        st = cg_fail(CG_ERR_NO_MEMORY, "cg_stream_write: no memory for a message of %zu bytes", len);
      } else {
        if (len) memcpy(b->data, msg, len);
        b->len = len;
        s->in_count++;
        pthread_cond_broadcast(&s->cv);
      }
    }
    break;
  }
  pthread_mutex_unlock(&s->lock);
  host_done(h, s);
  return st;
}

cg_status cg_stream_close_send(cg_host *h, uint64_t tag) {
  cg__engine_clear_error();
  cg_stream *s;
  cg_status st = host_stream(h, tag, "cg_stream_close_send", &s);
  if (st != CG_OK) return st;
  pthread_mutex_lock(&s->lock);
  s->in_closed = 1;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->lock);
  host_done(h, s);
  return CG_OK;
}

/* ---- handler side ---- */

cg_bytes cg_stream_request(const cg_stream *s) {
  if (!s) return (cg_bytes){0};
  const cg__slot *slot = &s->host->slots[s->slot];
  return (cg_bytes){slot->req.len ? slot->req.data : NULL, slot->req.len};
}

cg_arena *cg_stream_arena(cg_stream *s) { return s ? s->arena : NULL; }

int cg_stream_cancelled(const cg_stream *s) { return s && atomic_load(&s->cancelled); }

/* Waits for room in the window and a free slot of the host; on CG_OK the
 * slot is taken and the window counts the message. */
static cg_status reserve_message(cg_stream *s, uint32_t *index) {
  if (!s) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_stream_send: stream is NULL");
  if (s->kind == CG_OP_CLIENT_STREAM)
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_stream_send: a client stream answers once, by its handler's response");
  pthread_mutex_lock(&s->lock);
  while (s->out_pending >= s->window && !atomic_load(&s->cancelled)) pthread_cond_wait(&s->cv, &s->lock);
  int cancelled = atomic_load(&s->cancelled);
  if (!cancelled) {
    s->out_pending++;
    s->refs++;
  }
  pthread_mutex_unlock(&s->lock);
  if (cancelled) return cg_fail(CG_ERR_CANCELLED, "the stream was cancelled");
  if (cg__slot_take_wait(s->host, index, &s->cancelled)) return CG_OK;
  cg__stream_released(s);
  return cg_fail(CG_ERR_CANCELLED, "the stream was cancelled");
}

/* A slot for a message of len bytes (the window and a slot waited for, its
 * buffer grown); on failure nothing is held. */
static cg_status message_slot(cg_stream *s, size_t len, uint32_t *index) {
  cg_status st = reserve_message(s, index);
  if (st != CG_OK) return st;
  cg__slot *slot = &s->host->slots[*index];
  if (cg__buf_reserve(&slot->resp, len)) return CG_OK;
  /* Give the slot back as if the host had released it. */
  slot->flags = CG_COMPLETION_MESSAGE;
  slot->stream = s;
  cg__slot_set(slot, CG__DONE);
  cg_completion c = {.slot = *index, .reserved = cg__slot_gen(slot)};
  cg_host_release(s->host, &c, 1);
  return cg_fail(CG_ERR_NO_MEMORY, "cg_stream_send: no memory for a message of %zu bytes", len);
}

/* Delivers the message of len bytes now in slot `index`. */
static cg_status deliver(cg_stream *s, uint32_t index, size_t len) {
  cg__slot *slot = &s->host->slots[index];
  slot->resp.len = len;
  slot->op = s->op;
  slot->svc = s->svc;
  atomic_store_explicit(&slot->tag, s->tag, memory_order_relaxed);
  slot->stream = s;
  slot->flags = CG_COMPLETION_MESSAGE;
  cg__complete(s->host, index);
  return CG_OK;
}

cg_status cg_stream_send(cg_stream *s, const uint8_t *msg, size_t len) {
  if (!msg && len) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_stream_send: msg is NULL with len %zu", len);
  uint32_t index;
  cg_status st = message_slot(s, len, &index);
  if (st != CG_OK) return st;
  if (len) memcpy(s->host->slots[index].resp.data, msg, len);
  return deliver(s, index, len);
}

cg_status cg_stream_send_message(cg_stream *s, const ProtobufCMessage *msg) {
  if (!msg) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_stream_send: message is NULL");
  size_t len = protobuf_c_message_get_packed_size(msg);
  uint32_t index;
  cg_status st = message_slot(s, len, &index);
  if (st != CG_OK) return st;
  return deliver(s, index, len ? protobuf_c_message_pack(msg, s->host->slots[index].resp.data) : 0);
}

cg_status cg_stream_recv(cg_stream *s, cg_bytes *msg) {
  if (!s || !msg) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_stream_recv: %s is NULL", s ? "msg" : "stream");
  *msg = (cg_bytes){0};
  if (s->kind == CG_OP_SERVER_STREAM)
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_stream_recv: a server stream's one request is cg_stream_request()");
  cg_arena_reset(s->arena);
  pthread_mutex_lock(&s->lock);
  while (!s->in_count && !s->in_closed && !atomic_load(&s->cancelled)) pthread_cond_wait(&s->cv, &s->lock);
  cg_status st = CG_OK;
  if (atomic_load(&s->cancelled)) {
    st = CG_ERR_CANCELLED;
  } else if (s->in_count) {
    cg__buf t = s->cur; /* swap: the ring keeps the old buffer for a later message */
    s->cur = s->in[s->in_head];
    s->in[s->in_head] = t;
    s->in_head = (s->in_head + 1) % s->window;
    s->in_count--;
    pthread_cond_broadcast(&s->cv);
    *msg = (cg_bytes){s->cur.len ? s->cur.data : nothing, s->cur.len};
  }
  pthread_mutex_unlock(&s->lock);
  if (st != CG_OK) return cg_fail(st, "the stream was cancelled");
  return CG_OK;
}
