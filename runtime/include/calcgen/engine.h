/* The async engine: worker threads that run ops submitted by hosts, and the
 * rings between them (docs/engine.md has the whole model).
 *
 * An engine owns a pool of worker threads. A host (one per event loop,
 * isolate or client thread; any number of threads may share one) owns a
 * fixed number of slots: each submission takes one, a worker runs it, and
 * the slot comes back to the host as a completion (tag, status, response).
 * The completion stays valid, and its slot taken, until the host releases
 * it: that is the memory rule, and the bound. A host never has more than
 * `capacity` calls in flight or completed-but-unreleased; a submission past
 * that is refused with CG_ERR_LIMIT (or waits, with cg_submit_wait), so
 * nothing is dropped, and each submission completes exactly once: with its
 * result, or with CG_ERR_CANCELLED when it was cancelled before it ran.
 *
 * Completions reach the host in one of three ways, chosen per host: polled
 * (cg_host_poll, cg_host_wait), signalled (an eventfd an event loop watches,
 * or a notify function called on a worker thread, after which the host
 * polls), or delivered to a callback on a worker thread (the response is
 * valid during the callback only).
 *
 * Unary ops keep the synchronous P_dispatch path; the engine calls that same
 * function on a worker. Steady state allocates nothing per call: slot
 * buffers grow to the largest request and response seen and are kept. */
#ifndef CALCGEN_ENGINE_H
#define CALCGEN_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "calcgen/bytes.h"
#include "calcgen/status.h"
#include "calcgen/visibility.h"

/* The engine needs threads: WebAssembly builds have none, and generated
 * code leaves out its engine glue there. */
#if defined(__wasi__) || defined(__EMSCRIPTEN__)
#define CG_HAVE_ENGINE 0
#else
#define CG_HAVE_ENGINE 1
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cg_engine cg_engine;
typedef struct cg_host cg_host;
typedef struct cg_stream cg_stream;

/* What an op of a service is; generated P_op_kind() answers it. */
typedef enum cg_op_kind {
  CG_OP_UNKNOWN = 0,
  CG_OP_UNARY = 1,
  CG_OP_SERVER_STREAM = 2, /* one request, any number of responses */
  CG_OP_CLIENT_STREAM = 3, /* any number of requests, one response */
  CG_OP_BIDI_STREAM = 4    /* both */
} cg_op_kind;

/* A service as the engine sees it; generated P_service() returns its own. */
typedef struct cg_service {
  const char *name; /* the full name, "calc.Calculator" */
  uint64_t schema_hash;
  cg_status (*dispatch)(uint32_t op, const uint8_t *req, size_t req_len, cg_bytes *resp);
  cg_op_kind (*op_kind)(uint32_t op);
  /* Runs a streaming op's handler on `stream`; a client stream's response
   * is left in *resp as dispatch leaves it (NULL when no op streams). */
  cg_status (*run_stream)(uint32_t op, cg_stream *stream, cg_bytes *resp);
  /* Runs n (<= CG_RUN_MANY_MAX) requests of single kernel op `op` as one
   * batch kernel call: response i is written at results + i *
   * CG_RUN_MANY_RESULT (lens[i] bytes). CG_OK only when every request
   * decoded and every element succeeded; otherwise nothing is to be used and
   * the engine dispatches each request on its own (so each gets exactly its
   * own status). CG_ERR_UNKNOWN_OP for an op it does not batch. NULL when
   * the service has no such op. */
  cg_status (*run_many)(uint32_t op, size_t n, const cg_bytes *reqs, uint8_t *results, size_t *lens);
} cg_service;

#define CG_RUN_MANY_MAX 64
#define CG_RUN_MANY_RESULT 32 /* bytes of one single op's response at most (CG_SCALAR_FIELD_MAX) */

typedef struct cg_engine_config {
  unsigned workers;      /* worker threads (default: one per online CPU, at most 64) */
  unsigned max_hosts;    /* hosts open at once (default 64) */
  size_t max_inflight;   /* slots of all hosts together (default 65536) */
  unsigned max_streams;  /* streaming calls running at once (default 256); each has a thread */
  /* Auto-batching: a worker that finds several submissions of one single
   * kernel op waiting runs up to this many (at most CG_RUN_MANY_MAX) as one
   * batch kernel call, with each call's own result and status (0: off). */
  unsigned auto_batch;
} cg_engine_config;

/* cfg NULL or zero members take defaults. */
CG_API cg_status cg_engine_create(const cg_engine_config *cfg, cg_engine **out);

typedef enum cg_shutdown {
  CG_SHUTDOWN_DRAIN = 0,  /* run everything already submitted, and let streams end */
  CG_SHUTDOWN_CANCEL = 1  /* complete what has not started with CG_ERR_CANCELLED, cancel streams */
} cg_shutdown;

/* Stops taking submissions (CG_ERR_CLOSED from then on), drains or cancels
 * what was submitted, and stops the workers once every submission has its
 * completion. *cancelled (may be NULL) gets the number of submissions that
 * were cancelled rather than run. The hosts stay open: their completions
 * can still be polled and released. A second call does nothing. Must not
 * be called from a worker (a callback or a handler): CG_ERR_INVALID_ARGUMENT. */
CG_API cg_status cg_engine_shutdown(cg_engine *e, cg_shutdown how, size_t *cancelled);

/* Shuts down (draining) if that was not done, closes the hosts still open
 * and frees the engine. NULL is ignored. */
CG_API cg_status cg_engine_destroy(cg_engine *e);

/* The number of worker threads. */
CG_API unsigned cg_engine_workers(const cg_engine *e);

/* How many calls ran inside auto-batched kernel calls so far. */
CG_API uint64_t cg_engine_batched(const cg_engine *e);

typedef struct cg_completion {
  uint64_t tag;        /* the submission's */
  cg_status status;    /* of the call; of the stream for a CG_COMPLETION_END */
  uint32_t flags;      /* CG_COMPLETION_* */
  cg_bytes response;   /* the serialized response (empty on failure) */
  const char *error;   /* the detail when status != CG_OK, else "" */
  int64_t error_index; /* cg_last_error_index() of the failed call, else -1 */
  uint32_t slot;       /* the engine's; cg_host_release() reads it */
  uint32_t reserved;
} cg_completion;

/* A unary call's completion has CG_COMPLETION_END. A stream delivers each
 * message as a completion with CG_COMPLETION_MESSAGE (status CG_OK), then
 * one with CG_COMPLETION_END carrying the stream's status (and, for a
 * client stream, its response). */
#define CG_COMPLETION_MESSAGE 1u
#define CG_COMPLETION_END 2u

typedef struct cg_host_config {
  uint32_t capacity; /* slots (rounded up to a power of two; default 1024) */
  int eventfd;       /* non-zero: create an eventfd (Linux), readable while completions wait */
  uint32_t stream_window; /* messages each way per stream (default 16; see calcgen/stream.h) */
  /* Called on a worker thread when a completion arrives in an empty queue
   * the host has seen empty (edge-triggered, like the eventfd): the host
   * should then poll until cg_host_poll returns 0. */
  void (*notify)(void *ud);
  /* When set, completions go here on the worker thread instead of the
   * queue, and their slot is released when it returns (the response is
   * valid during the call only). It may submit; it must not close the
   * host, shut down or destroy the engine. */
  void (*callback)(void *ud, const cg_completion *c);
  void *ud;
} cg_host_config;

CG_API cg_status cg_host_open(cg_engine *e, const cg_host_config *cfg, cg_host **out);

/* Stops taking submissions, cancels what has not started, waits for what is
 * running, discards completions not yet released and frees the host. NULL is
 * ignored. Not from a worker thread (CG_ERR_INVALID_ARGUMENT). */
CG_API cg_status cg_host_close(cg_host *h);

/* Submits a unary op. The request is copied; `req` may be reused as soon as
 * this returns. CG_ERR_LIMIT when all slots are taken, CG_ERR_CLOSED after
 * shutdown or close, CG_ERR_UNKNOWN_OP for an id the service lacks,
 * CG_ERR_INVALID_ARGUMENT for a streaming op (open it with cg_stream_open)
 * or bad arguments; the detail is in cg_last_error(). Thread-safe. */
CG_API cg_status cg_submit(cg_host *h, const cg_service *svc, uint32_t op, const uint8_t *req,
                           size_t req_len, uint64_t tag);

/* cg_submit that waits up to timeout_ms (< 0: forever) for a free slot. */
CG_API cg_status cg_submit_wait(cg_host *h, const cg_service *svc, uint32_t op, const uint8_t *req,
                                size_t req_len, uint64_t tag, int timeout_ms);

/* Takes up to `max` completions without waiting; returns how many. Each stays
 * valid until released. Thread-safe (any thread may poll and release). */
CG_API size_t cg_host_poll(cg_host *h, cg_completion *out, size_t max);

/* cg_host_poll that waits up to timeout_ms (< 0: forever) for at least one. */
CG_API size_t cg_host_wait(cg_host *h, cg_completion *out, size_t max, int timeout_ms);

/* Gives the slots of n completions back. Releasing one twice, or one of
 * another host, is refused with CG_ERR_INVALID_ARGUMENT (and releases none
 * from that one on). */
CG_API cg_status cg_host_release(cg_host *h, const cg_completion *c, size_t n);

/* The host's eventfd (cg_host_config.eventfd), or -1. */
CG_API int cg_host_fd(const cg_host *h);

/* Cancels every call of this host with `tag` that has not started (its
 * completion has CG_ERR_CANCELLED) and every open stream with it (the
 * handler sees cg_stream_cancelled(), its sends and receives fail, and the
 * stream ends with CG_ERR_CANCELLED). CG_OK when something was cancelled;
 * CG_ERR_INVALID_ARGUMENT when nothing was (the call already ran, is running,
 * or no call has that tag). */
CG_API cg_status cg_host_cancel(cg_host *h, uint64_t tag);

/* Slots in use: submitted and not yet released. */
CG_API size_t cg_host_in_use(const cg_host *h);

#ifdef __cplusplus
}
#endif
#endif
