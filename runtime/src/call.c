#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_internal.h"
#include "call_internal.h"
#include "status_internal.h"
#include "calcgen/call.h"

/* Per-thread state. The struct lives in TLS; its heap parts are freed when
 * the thread exits (a pthread key destructor), by cg_thread_release(), or
 * when the library is unloaded (every thread's, from a registry: a thread that
 * outlives a dlclose must find nothing of ours left to run or to free). */
typedef struct buffer {
  uint8_t *data;
  size_t cap;
} buffer;

/* What one level of calls uses: a handler that calls another op of the
 * library (through the host API) runs that call one level deeper, on memory
 * of its own, so the outer call's request, arena and response stay intact. */
typedef struct level {
  cg_arena *arena;
  buffer resp; /* the dispatch side's response */
  buffer req;  /* the host side's request */
  /* When the call's request lies in `resp` (a host passing a response it got
   * back to the next call), the response goes to a new buffer, and the old
   * one waits here until the call ends. */
  buffer retired;
} level;

typedef struct thread_state {
  /* The outermost level in TLS, the nested ones on the heap when first used:
   * a small TLS block stays in the static TLS that dlopen'ed libraries get,
   * where each access is a load rather than a TLS-descriptor call. */
  level top;
  level *nested; /* CG_MAX_NESTED_CALLS - 1 levels, or NULL */
  const int *depth; /* this thread's cg__thread.depth (the unloader reads it) */
  size_t retain;   /* buffers up to this size are kept (the arena's retain) */
  int registered;
  struct thread_state *prev, *next; /* the registry */
} thread_state;

static _Thread_local thread_state tls;
_Thread_local cg__hot cg__thread;

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t key;
static int key_ok;

/* Registered thread states; the lock is held briefly (a thread's first
 * allocation, its exit, unload) and released around fork (see below). */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static thread_state *registry;

/* Limits are read on every call without a lock and written rarely: each
 * member is its own atomic, so no lock can be held across a fork. */
static cg_limits limits = {CG_DEFAULT_MAX_REQUEST, CG_DEFAULT_MAX_RESPONSE, {0, 0, 0},
                           CG_DEFAULT_MAX_BATCH, CG_DEFAULT_MAX_DEPTH};

static void release_buffer(buffer *b) {
  cg__free(b->data, b->cap);
  b->data = NULL;
  b->cap = 0;
}

static void release_level(level *l) {
  cg_arena_destroy(l->arena);
  l->arena = NULL;
  release_buffer(&l->resp);
  release_buffer(&l->req);
  release_buffer(&l->retired);
}

static void release(thread_state *t) {
  release_level(&t->top);
  if (t->nested) {
    for (int i = 0; i < CG_MAX_NESTED_CALLS - 1; i++) release_level(&t->nested[i]);
    cg__free(t->nested, (CG_MAX_NESTED_CALLS - 1) * sizeof *t->nested);
    t->nested = NULL;
  }
}

/* Level i (0: the outermost), or NULL when the nested levels cannot be had. */
static level *level_at(thread_state *t, int i) {
  if (i <= 0) return &t->top;
  if (!t->nested) {
    size_t size = (CG_MAX_NESTED_CALLS - 1) * sizeof *t->nested;
    t->nested = cg__alloc(size);
    if (!t->nested) return NULL;
    memset(t->nested, 0, size);
  }
  return &t->nested[(i < CG_MAX_NESTED_CALLS ? i : CG_MAX_NESTED_CALLS - 1) - 1];
}

static void unlink_state(thread_state *t) {
  if (t->prev) t->prev->next = t->next;
  else registry = t->next;
  if (t->next) t->next->prev = t->prev;
  t->prev = t->next = NULL;
  t->registered = 0;
}

static void on_thread_exit(void *p) {
  thread_state *t = p;
  pthread_mutex_lock(&registry_lock);
  if (t->registered) unlink_state(t);
  pthread_mutex_unlock(&registry_lock);
  release(t);
}

static void fork_prepare(void) { pthread_mutex_lock(&registry_lock); }
static void fork_parent(void) { pthread_mutex_unlock(&registry_lock); }
/* The child has one thread, this one: the other threads' states are left
 * alone (one may have been mid-release) and forgotten. */
static void fork_child(void) {
  thread_state *self = &tls;
  int mine = self->registered;
  registry = NULL;
  if (mine) {
    self->prev = self->next = NULL;
    registry = self;
  }
  pthread_mutex_unlock(&registry_lock);
}

/* Set by an exit handler: at exit() it runs before the library destructors
 * (handlers run last-registered first, and the C library registers the one
 * that runs destructors before main), at dlclose() after ours (glibc runs a
 * library's atexit handlers after its destructors). So unload() can tell
 * the two apart. It is registered when the runtime is loaded, so that a
 * process exiting while its threads make their first calls is seen too,
 * and again at the first registration, for a library loaded before the C
 * library registered its own handler (a DT_NEEDED library). */
static int exiting;
static void on_process_exit(void) { __atomic_store_n(&exiting, 1, __ATOMIC_RELAXED); }
__attribute__((constructor)) static void watch_exit(void) { atexit(on_process_exit); }

static void make_key(void) {
  key_ok = pthread_key_create(&key, on_thread_exit) == 0;
  pthread_atfork(fork_prepare, fork_parent, fork_child);
  atexit(on_process_exit);
}

static void ensure_registered(thread_state *t) {
  if (t->registered) return;
  pthread_once(&key_once, make_key);
  if (!key_ok || pthread_setspecific(key, t) != 0) return;
  t->depth = &cg__thread.depth;
  pthread_mutex_lock(&registry_lock);
  t->next = registry;
  t->prev = NULL;
  if (registry) registry->prev = t;
  registry = t;
  t->registered = 1;
  pthread_mutex_unlock(&registry_lock);
}

/* At dlclose: free every thread's memory and delete the key, so a thread
 * exiting later runs no destructor of ours (the code is gone) and repeated
 * dlopen/dlclose cycles use no more keys or memory. A thread still inside a
 * call keeps its memory (leaked rather than freed under it). At exit nothing
 * is freed: other threads may still be calling, and the code stays. */
__attribute__((destructor)) static void unload(void) {
  if (__atomic_load_n(&exiting, __ATOMIC_RELAXED)) return;
  pthread_mutex_lock(&registry_lock);
  thread_state *t = registry;
  while (t) {
    thread_state *next = t->next;
    if (!t->depth || *t->depth == 0) release(t); /* no call may run during dlclose */
    t->prev = t->next = NULL;
    t->registered = 0;
    t = next;
  }
  registry = NULL;
  pthread_mutex_unlock(&registry_lock);
  if (key_ok) pthread_key_delete(key);
  key_ok = 0;
}

void cg_set_limits(const cg_limits *in) {
  cg_limits l = in ? *in : (cg_limits){0, 0, {0, 0, 0}, 0, 0};
  if (!l.max_request) l.max_request = CG_DEFAULT_MAX_REQUEST;
  if (!l.max_response) l.max_response = CG_DEFAULT_MAX_RESPONSE;
  if (!l.max_batch) l.max_batch = CG_DEFAULT_MAX_BATCH;
  if (!l.max_depth) l.max_depth = CG_DEFAULT_MAX_DEPTH;
  if (l.max_depth > CG_MAX_DEPTH_CEILING) l.max_depth = CG_MAX_DEPTH_CEILING;
  if (l.max_batch > CG_MAX_BATCH_CEILING) l.max_batch = CG_MAX_BATCH_CEILING;
  __atomic_store_n(&limits.max_request, l.max_request, __ATOMIC_RELAXED);
  __atomic_store_n(&limits.max_response, l.max_response, __ATOMIC_RELAXED);
  __atomic_store_n(&limits.max_batch, l.max_batch, __ATOMIC_RELAXED);
  __atomic_store_n(&limits.max_depth, l.max_depth, __ATOMIC_RELAXED);
  __atomic_store_n(&limits.arena.initial, l.arena.initial, __ATOMIC_RELAXED);
  __atomic_store_n(&limits.arena.retain, l.arena.retain, __ATOMIC_RELAXED);
  __atomic_store_n(&limits.arena.cap, l.arena.cap, __ATOMIC_RELAXED);
}

cg_limits cg_get_limits(void) {
  cg_limits l;
  l.max_request = __atomic_load_n(&limits.max_request, __ATOMIC_RELAXED);
  l.max_response = __atomic_load_n(&limits.max_response, __ATOMIC_RELAXED);
  l.max_batch = __atomic_load_n(&limits.max_batch, __ATOMIC_RELAXED);
  l.max_depth = __atomic_load_n(&limits.max_depth, __ATOMIC_RELAXED);
  l.arena.initial = __atomic_load_n(&limits.arena.initial, __ATOMIC_RELAXED);
  l.arena.retain = __atomic_load_n(&limits.arena.retain, __ATOMIC_RELAXED);
  l.arena.cap = __atomic_load_n(&limits.arena.cap, __ATOMIC_RELAXED);
  return l;
}

/* The hot path reads the limits without the lock: they are plain sizes,
 * written rarely, and a call that races a change may use either value. */
static size_t max_request(void) { return __atomic_load_n(&limits.max_request, __ATOMIC_RELAXED); }
static size_t max_response(void) { return __atomic_load_n(&limits.max_response, __ATOMIC_RELAXED); }
size_t cg_max_batch(void) { return __atomic_load_n(&limits.max_batch, __ATOMIC_RELAXED); }
unsigned cg_max_depth(void) { return __atomic_load_n(&limits.max_depth, __ATOMIC_RELAXED); }
size_t cg_max_request(void) { return __atomic_load_n(&limits.max_request, __ATOMIC_RELAXED); }

/* The level the current call uses (depth d): 0 outside any call (tests and
 * tools that use the runtime directly) and for the outermost call. */
static level *current(thread_state *t, int d) { return level_at(t, d - 1); }

static cg_status no_level(void) {
  return cg_fail(CG_ERR_NO_MEMORY, "cannot allocate the state of nested calls");
}

cg_status cg_call_enter(const uint8_t **req, size_t req_len, cg_bytes *resp, const char *who) {
  static const uint8_t empty[1];
  cg__hot *h = cg__hot_state();
  int d = h->depth + 1;
  h->depth = d;
  /* A new outermost call forgets every earlier error; a nested one only
   * those of earlier nested calls, not its handler's own. */
  cg__clear_errors_from(h, d == 1 ? 0 : d);
  if (resp == NULL) return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: resp is NULL", who);
  resp->data = NULL;
  resp->len = 0;
  if (d > CG_MAX_NESTED_CALLS)
    return cg_fail(CG_ERR_LIMIT, "%s: calls nested %d deep (handlers calling ops); the limit is %d", who,
                   d, CG_MAX_NESTED_CALLS);
  if (req_len > max_request())
    return cg_fail(CG_ERR_LIMIT, "%s: request of %zu bytes exceeds the limit of %zu bytes", who, req_len,
                   max_request());
  if (*req == NULL) {
    if (req_len != 0)
      return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: req is NULL but req_len is %zu", who, req_len);
    *req = empty; /* handlers always see a pointer */
  }
  h->req[d - 1] = *req; /* response_buffer() checks it against the response buffer */
  return CG_OK;
}

/* The response buffer of a level whose call has ended or moved on. */
static __attribute__((noinline, cold)) void release_retired(cg__hot *h, int l) {
  level *lv = level_at(&tls, l); /* exists: it holds the retired buffer */
  if (lv) release_buffer(&lv->retired);
  h->retired &= ~(1u << l);
}

/* The end of a call whose level has a retired response buffer to free. */
static __attribute__((noinline, cold)) cg_status leave_retired(cg__hot *h, int d, cg_status st) {
  if (d <= CG_MAX_NESTED_CALLS && (h->retired >> (d - 1) & 1)) release_retired(h, d - 1);
  h->depth = d - 1;
  if (st == CG_OK) cg__clear_errors_from(h, d == 1 ? 0 : d);
  return st;
}

cg_status cg_call_leave(cg_status st) {
  cg__hot *h = cg__hot_state();
  int d = h->depth;
  if (__builtin_expect(d <= 0, 0)) return st; /* not inside a call: nothing to end */
  if (__builtin_expect(h->retired != 0, 0)) return leave_retired(h, d, st);
  h->depth = d - 1;
  /* A call that succeeded leaves no error of its own or of its nested calls. */
  if (st == CG_OK) cg__clear_errors_from(h, d == 1 ? 0 : d);
  return st;
}

cg_status cg_call_arena(cg_arena **arena) {
  thread_state *t = &tls;
  level *l = current(t, cg__thread.depth);
  if (!l) return no_level();
  if (!l->arena) {
    ensure_registered(t);
    cg_arena_config cfg = cg_get_limits().arena;
    l->arena = cg_arena_create(&cfg);
    if (!l->arena) return cg_fail(CG_ERR_NO_MEMORY, "cannot allocate the thread's arena");
    t->retain = cg_arena_get_config(l->arena).retain;
  } else {
    cg_arena_reset(l->arena);
  }
  *arena = l->arena;
  return CG_OK;
}

/* Keeps a buffer up to the arena's retain size; gives back a larger one as
 * soon as a smaller request no longer needs it. `len` is what the limit
 * applies to, `room` (at least len) what the writer needs. */
static cg_status reserve(thread_state *t, buffer *b, size_t len, size_t room, size_t limit,
                         const char *what, buffer *keep_old, uint8_t **out) {
  if (len > limit)
    return cg_fail(CG_ERR_LIMIT, "%s of %zu bytes exceeds the limit of %zu bytes", what, len, limit);
  size_t retain = t->retain ? t->retain : CG_ARENA_DEFAULT_RETAIN;
  if (b->data && room <= b->cap && (b->cap <= retain || room > retain / 2) && !keep_old) {
    *out = b->data; /* the common case: the kept buffer fits */
    return CG_OK;
  }
  size_t cap = 256;
  while (cap < room && cap <= SIZE_MAX / 2) cap *= 2;
  if (cap > limit && room <= limit) cap = limit;
  if (cap < room) cap = room;
  uint8_t *p = cg__alloc(cap);
  if (!p) return cg_fail(CG_ERR_NO_MEMORY, "cannot allocate a %zu-byte %s buffer", cap, what);
  ensure_registered(t);
  if (keep_old) { /* the request still lives in it: free it when the call ends */
    release_buffer(keep_old);
    *keep_old = *b;
    b->data = NULL;
    b->cap = 0;
  }
  release_buffer(b);
  b->data = p;
  b->cap = cap;
  *out = p;
  return CG_OK;
}

/* The level's response buffer, never the one the call's request lies in. */
static cg_status response_buffer(size_t len, size_t room, uint8_t **out) {
  thread_state *t = &tls;
  cg__hot *h = cg__hot_state();
  int d = h->depth;
  level *l = current(t, d);
  if (!l) return no_level();
  const uint8_t *r = d >= 1 && d <= CG_MAX_NESTED_CALLS ? h->req[d - 1] : NULL;
  int aliased = r && l->resp.data && r >= l->resp.data && r < l->resp.data + l->resp.cap;
  if (aliased && l->retired.data) release_retired(h, d - 1); /* an earlier one of this call's */
  buffer *keep_old = aliased ? &l->retired : NULL;
  cg_status st = reserve(t, &l->resp, len, room < len ? len : room, max_response(), "response", keep_old, out);
  if (st == CG_OK && keep_old && l->retired.data) h->retired |= 1u << (d - 1);
  return st;
}

cg_status cg_response_buffer(size_t len, uint8_t **out) { return response_buffer(len, len, out); }

cg_status cg__response_buffer_room(size_t len, size_t room, uint8_t **out) {
  return response_buffer(len, room, out);
}

cg_status cg_request_buffer(size_t len, uint8_t **out) {
  thread_state *t = &tls;
  /* The host side encodes the request of the call it is about to make: one
   * level below the current one. */
  int d = cg__thread.depth;
  if (d >= CG_MAX_NESTED_CALLS)
    return cg_fail(CG_ERR_LIMIT, "calls nested %d deep (handlers calling ops); the limit is %d", d + 1,
                   CG_MAX_NESTED_CALLS);
  level *l = level_at(t, d);
  if (!l) return no_level();
  return reserve(t, &l->req, len, len, max_request(), "request", NULL, out);
}

void cg_thread_release(void) {
  if (cg__thread.depth == 0) release(&tls); /* inside a handler the memory is in use */
}

static size_t level_footprint(const level *l) {
  return (l->arena ? cg_arena_footprint(l->arena) : 0) + l->resp.cap + l->req.cap + l->retired.cap;
}

size_t cg_thread_footprint(void) {
  size_t n = level_footprint(&tls.top);
  if (tls.nested)
    for (int i = 0; i < CG_MAX_NESTED_CALLS - 1; i++) n += level_footprint(&tls.nested[i]);
  return n;
}

void *cg__call_alloc(cg_arena *arena, size_t size, const char *op) {
  void *p = cg_arena_alloc(arena, size);
  if (!p) {
    cg_status why = cg_arena_failure(arena);
    if (why == CG_ERR_LIMIT)
      cg_fail(why, "%s: %zu more bytes would pass the arena cap of %zu bytes", op, size,
              cg_arena_get_config(arena).cap);
    else
      cg_fail(why, "%s: out of memory allocating %zu bytes", op, size);
  }
  return p;
}

cg_status cg_handler_result(cg_status st, cg_arena *arena, const char *op) {
  if (st == CG_OK) {
    cg_status why = cg_arena_failure(arena);
    if (why == CG_OK) return CG_OK;
    return cg_fail(why, "%s: the handler's arena allocation failed (%s)", op, cg_status_name(why));
  }
  if (st < 0 || st >= CG_STATUS_COUNT || st == CG_OK)
    return cg_fail(CG_ERR_HANDLER, "%s: handler returned status %d, which is not a cg_status", op,
                   (int)st);
  /* A nested call's failure passed on as it came keeps that call's detail. */
  cg__hot *h = cg__hot_state();
  if (h->error_level - 1 > h->depth && h->error_status == st) return st;
  return cg_fail(st, "%s: handler failed with %s", op, cg_status_name(st));
}
