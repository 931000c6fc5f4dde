#include <pthread.h>
#include <stdint.h>

#include "alloc_internal.h"
#include "status_internal.h"
#include "calcgen/call.h"

/* Per-thread state. The struct lives in TLS; its heap parts are registered
 * with a pthread key so they are freed when the thread exits. */
typedef struct buffer {
  uint8_t *data;
  size_t cap;
} buffer;

typedef struct thread_state {
  cg_arena *arena;
  buffer resp; /* the dispatch side's response */
  buffer req;  /* the host side's request */
  size_t retain; /* buffers up to this size are kept (the arena's retain) */
  int registered;
} thread_state;

static _Thread_local thread_state tls;

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t key;
static int key_ok;

static pthread_mutex_t limits_lock = PTHREAD_MUTEX_INITIALIZER;
static cg_limits limits = {CG_DEFAULT_MAX_REQUEST, CG_DEFAULT_MAX_RESPONSE, {0, 0, 0},
                           CG_DEFAULT_MAX_BATCH, CG_DEFAULT_MAX_DEPTH};

static void release_buffer(buffer *b) {
  cg__free(b->data, b->cap);
  b->data = NULL;
  b->cap = 0;
}

static void release(thread_state *t) {
  cg_arena_destroy(t->arena);
  t->arena = NULL;
  release_buffer(&t->resp);
  release_buffer(&t->req);
}


static void on_thread_exit(void *p) { release(p); }

static void make_key(void) { key_ok = pthread_key_create(&key, on_thread_exit) == 0; }

static void ensure_registered(thread_state *t) {
  if (t->registered) return;
  pthread_once(&key_once, make_key);
  if (key_ok && pthread_setspecific(key, t) == 0) t->registered = 1;
}

void cg_set_limits(const cg_limits *in) {
  cg_limits l = in ? *in : (cg_limits){0, 0, {0, 0, 0}, 0, 0};
  if (!l.max_request) l.max_request = CG_DEFAULT_MAX_REQUEST;
  if (!l.max_response) l.max_response = CG_DEFAULT_MAX_RESPONSE;
  if (!l.max_batch) l.max_batch = CG_DEFAULT_MAX_BATCH;
  if (!l.max_depth) l.max_depth = CG_DEFAULT_MAX_DEPTH;
  pthread_mutex_lock(&limits_lock);
  /* Calls read these without the lock; store them atomically. */
  __atomic_store_n(&limits.max_request, l.max_request, __ATOMIC_RELAXED);
  __atomic_store_n(&limits.max_response, l.max_response, __ATOMIC_RELAXED);
  __atomic_store_n(&limits.max_batch, l.max_batch, __ATOMIC_RELAXED);
  __atomic_store_n(&limits.max_depth, l.max_depth, __ATOMIC_RELAXED);
  limits.arena = l.arena; /* read under the lock only */
  pthread_mutex_unlock(&limits_lock);
}

cg_limits cg_get_limits(void) {
  pthread_mutex_lock(&limits_lock);
  cg_limits l = limits;
  pthread_mutex_unlock(&limits_lock);
  return l;
}

/* The hot path reads the limits without the lock: they are plain sizes,
 * written rarely, and a call that races a change may use either value. */
static size_t max_request(void) { return __atomic_load_n(&limits.max_request, __ATOMIC_RELAXED); }
static size_t max_response(void) { return __atomic_load_n(&limits.max_response, __ATOMIC_RELAXED); }
size_t cg_max_batch(void) { return __atomic_load_n(&limits.max_batch, __ATOMIC_RELAXED); }
unsigned cg_max_depth(void) { return __atomic_load_n(&limits.max_depth, __ATOMIC_RELAXED); }

cg_status cg_call_start(size_t request_len) {
  cg__clear_error();
  if (request_len > max_request())
    return cg_fail(CG_ERR_LIMIT, "request of %zu bytes exceeds the limit of %zu bytes",
                   request_len, max_request());
  return CG_OK;
}

cg_status cg_call_arena(cg_arena **arena) {
  thread_state *t = &tls;
  if (!t->arena) {
    ensure_registered(t);
    cg_arena_config cfg = cg_get_limits().arena;
    t->arena = cg_arena_create(&cfg);
    if (!t->arena) return cg_fail(CG_ERR_NO_MEMORY, "cannot allocate the thread's arena");
    t->retain = cg_arena_get_config(t->arena).retain;
  } else {
    cg_arena_reset(t->arena);
  }
  *arena = t->arena;
  return CG_OK;
}

cg_status cg_call_begin(size_t request_len, cg_arena **arena) {
  cg_status st = cg_call_start(request_len);
  return st != CG_OK ? st : cg_call_arena(arena);
}

/* Keeps a buffer up to the arena's retain size; gives back a larger one as
 * soon as a smaller request no longer needs it. */
static cg_status reserve(thread_state *t, buffer *b, size_t len, const char *what, uint8_t **out) {
  size_t limit = max_response();
  if (len > limit)
    return cg_fail(CG_ERR_LIMIT, "%s of %zu bytes exceeds the limit of %zu bytes", what, len, limit);
  size_t retain = t->retain ? t->retain : CG_ARENA_DEFAULT_RETAIN;
  if (b->data && len <= b->cap && (b->cap <= retain || len > retain / 2)) {
    *out = b->data; /* the common case: the kept buffer fits */
    return CG_OK;
  }
  size_t cap = 256;
  while (cap < len) cap *= 2;
  if (cap > limit) cap = len;
  uint8_t *p = cg__alloc(cap);
  if (!p) return cg_fail(CG_ERR_NO_MEMORY, "cannot allocate a %zu-byte %s buffer", cap, what);
  ensure_registered(t);
  release_buffer(b);
  b->data = p;
  b->cap = cap;
  *out = p;
  return CG_OK;
}

cg_status cg_response_buffer(size_t len, uint8_t **out) {
  return reserve(&tls, &tls.resp, len, "response", out);
}

cg_status cg_request_buffer(size_t len, uint8_t **out) {
  return reserve(&tls, &tls.req, len, "request", out);
}

void cg_thread_release(void) { release(&tls); }

size_t cg_thread_footprint(void) {
  return (tls.arena ? cg_arena_footprint(tls.arena) : 0) + tls.resp.cap + tls.req.cap;
}
