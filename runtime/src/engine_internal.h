/* The engine's state, shared by engine.c (workers, lifecycle), host.c's
 * neighbours engine_host.c (slots, submission, completion) and stream.c. */
#ifndef CALCGEN_SRC_ENGINE_INTERNAL_H
#define CALCGEN_SRC_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "calcgen/engine.h"
#include "calcgen/stream.h"
#include "ring.h"
#include "spin.h"

#define CG__ENGINE_ERROR_CAP 256

typedef struct cg__buf {
  uint8_t *data;
  size_t len, cap;
} cg__buf;

/* Grows b to hold len bytes (kept for the next use); 0 when memory runs out. */
int cg__buf_reserve(cg__buf *b, size_t len);
void cg__buf_free(cg__buf *b);

/* A slot's life: FREE -> PENDING (submitted) -> RUNNING -> DONE (in the
 * completion queue or with the host) -> FREE (released). PENDING ->
 * CANCELLED when cancelled before a worker takes it; the worker then
 * completes it without running it. Stream messages go FREE -> DONE. */
enum { CG__FREE, CG__PENDING, CG__RUNNING, CG__CANCELLED, CG__DONE };

typedef struct cg__slot {
  /* (generation << 8) | state, in one word so that a compare-and-swap on
   * the state also checks it is the same take of the slot (a cancel or a
   * release racing with the slot's reuse then fails instead of hitting the
   * next call). The generation counts takes; a completion carries it. */
  _Atomic uint64_t word;
  uint32_t op;
  _Atomic uint64_t tag; /* cancel reads it while the slot may change hands */
  const cg_service *svc;
  cg_stream *stream; /* a stream's open request, or a message of it */
  uint32_t flags;    /* CG_COMPLETION_* */
  cg_status status;
  int64_t error_index;
  cg__buf req, resp;
  char error[CG__ENGINE_ERROR_CAP];
} cg__slot;

struct cg_host {
  cg_engine *engine;
  uint32_t index;    /* in engine->hosts */
  uint32_t capacity;
  cg_host_config cfg;
  cg__slot *slots;
  cg__ring *free;    /* indices of free slots */
  cg__ring *done;    /* indices of completed slots, for poll */
  _Atomic int closing;
  _Atomic size_t running;  /* submitted, not yet completed */
  _Atomic size_t in_use;   /* taken, not yet released */
  _Atomic int notified;    /* an edge was signalled and not yet consumed by a poll */
  _Atomic size_t inside;   /* submits and stream writes in progress (close waits for them) */
  _Atomic unsigned open_streams;
  _Atomic unsigned waiters;
  int efd;
  pthread_mutex_t lock; /* waiters' sleep, the stream list */
  pthread_cond_t cv;
  cg_stream *streams;   /* open streams (under lock) */
  cg_stream *spare;     /* ended streams kept for reuse (under lock) */
};

/* Threads that run streaming handlers, one stream each at a time; started
 * on demand up to max_streams and kept until shutdown. */
typedef struct cg__stream_threads {
  pthread_mutex_t lock;
  pthread_cond_t cv;
  cg_stream *head, *tail; /* streams waiting for a thread */
  unsigned queued;        /* how many */
  unsigned idle, count;
  pthread_t *threads;     /* max_streams */
  int stopping;
} cg__stream_threads;

struct cg_engine {
  cg_engine_config cfg;
  pthread_t *threads;
  unsigned started;
  cg__ring *queue; /* (host index << 32) | slot index */
  size_t reserved; /* slots given to open hosts (under lock) */
  _Atomic(cg_host *) *hosts; /* cfg.max_hosts entries (written under lock) */
  _Atomic int accepting;
  _Atomic int cancel_all;
  _Atomic int stopping;
  _Atomic int shut;
  _Atomic size_t active;    /* submissions and open streams without their final completion */
  _Atomic size_t cancelled; /* completed with CG_ERR_CANCELLED by shutdown's cancel */
  _Atomic uint64_t batched; /* calls run inside auto-batched kernel calls */
  _Atomic unsigned sleepers;
  _Atomic unsigned streams; /* open streams */
  pthread_mutex_t lock;
  pthread_cond_t work_cv; /* workers sleep here */
  pthread_cond_t idle_cv; /* shutdown and close wait here */
  cg__stream_threads st;
};

static inline int cg__slot_state(cg__slot *s) { return (int)(atomic_load(&s->word) & 0xff); }
static inline uint32_t cg__slot_gen(cg__slot *s) { return (uint32_t)(atomic_load(&s->word) >> 8); }
/* Sets the state, keeping the generation (only the slot's owner does). */
static inline void cg__slot_set(cg__slot *s, int state) {
  uint64_t w = atomic_load(&s->word);
  atomic_store(&s->word, (w & ~(uint64_t)0xff) | (uint64_t)state);
}
/* from -> to if the slot is still in take `gen`. */
static inline int cg__slot_cas(cg__slot *s, uint32_t gen, int from, int to) {
  uint64_t expect = ((uint64_t)gen << 8) | (uint64_t)from;
  return atomic_compare_exchange_strong(&s->word, &expect, ((uint64_t)gen << 8) | (uint64_t)to);
}

/* Pushes onto a ring that cannot be full (it has a cell for every value
 * that can be in it): a push that finds the next cell not yet given back
 * by a reader of the previous lap waits for that reader. */
static inline void cg__ring_push_sure(cg__ring *r, uint64_t value) {
  while (!cg__ring_push(r, value)) cg__cpu_relax();
}

/* Is the calling thread one of an engine's workers or stream threads? */
int cg__on_engine_thread(void);
void cg__set_engine_thread(int on);

/* Clears the calling thread's error before an engine entry point records one. */
void cg__engine_clear_error(void);

/* Takes a free slot of h (0 with none); the slot is zeroed but keeps its buffers. */
int cg__slot_take(cg_host *h, uint32_t *index);
/* Records `st` and the calling thread's error detail into the slot. */
void cg__slot_fail(cg__slot *s, cg_status st, const char *detail, int64_t index);
/* Delivers a done slot: to the callback (then releases it) or to the queue. */
void cg__complete(cg_host *h, uint32_t index);
/* Wakes one sleeping worker, if any. */
void cg__wake_worker(cg_engine *e);
/* Ends one submission or stream for shutdown's accounting. */
void cg__engine_done(cg_engine *e);
/* Wakes threads waiting on h (close, cg_host_wait). */
void cg__host_broadcast(cg_host *h);

/* stream.c: runs a slot that opens a stream; cancels h's streams with tag
 * (all of them with all != 0); returns how many. */
cg_status cg__stream_start(cg_host *h, uint32_t index);
/* Ends a stream that never ran (cancelled before a worker took it). */
void cg__stream_abandon(cg_host *h, uint32_t index);
cg_status cg__stream_threads_init(cg_engine *e);
/* engine_host.c: the checks and slot of a submission (not yet queued). */
cg_status cg__submit(cg_host *h, const cg_service *svc, uint32_t op, const uint8_t *req,
                     size_t req_len, uint64_t tag, int timeout_ms, int stream, uint32_t *taken);
void cg__enqueue(cg_host *h, uint32_t index);
/* cg_stream_open that waits up to timeout_ms (< 0: forever) for a slot. */
cg_status cg__stream_open_wait(cg_host *h, const cg_service *svc, uint32_t op, const uint8_t *req,
                               size_t req_len, uint64_t tag, int timeout_ms);
/* Waits until a slot is free or the deadline passes; cancelled: a flag that ends the wait. */
int cg__slot_take_wait(cg_host *h, uint32_t *index, const _Atomic int *cancelled);
size_t cg__stream_cancel(cg_host *h, uint64_t tag, int all);
void cg__stream_released(cg_stream *s);
void cg__stream_threads_stop(cg_engine *e);
/* Frees h's stream objects (at close, when none runs). */
void cg__streams_free(cg_host *h);

#endif
