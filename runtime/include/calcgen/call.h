/* What generated dispatch code needs from the runtime for one call.
 *
 * Each thread owns one arena (decoded messages, scratch arrays) and one
 * response buffer. A call resets the arena when it uses it; the bytes a
 * dispatch returns view a buffer of the thread's and stay valid until the
 * next call on the same thread. Both are created on a thread's first call and
 * freed when the thread exits (or by cg_thread_release()). */
#ifndef CALCGEN_CALL_H
#define CALCGEN_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "calcgen/arena.h"
#include "calcgen/bytes.h"
#include "calcgen/kernels.h"
#include "calcgen/status.h"
#include "calcgen/visibility.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What one call may use; every limit is answered with CG_ERR_LIMIT and a
 * detail naming it. See docs/security.md. */
typedef struct cg_limits {
  size_t max_request;  /* bytes of one request (default 64 MiB) */
  size_t max_response; /* bytes of one response (default 64 MiB) */
  cg_arena_config arena; /* per-thread arena; zero members take defaults */
  size_t max_batch;    /* elements of one repeated field (default 16 Mi) */
  unsigned max_depth;  /* nesting of messages in a request (default 32) */
} cg_limits;

#define CG_DEFAULT_MAX_REQUEST ((size_t)64 << 20)
#define CG_DEFAULT_MAX_RESPONSE ((size_t)64 << 20)
#define CG_DEFAULT_MAX_BATCH ((size_t)16 << 20)
#define CG_DEFAULT_MAX_DEPTH 32u
/* max_depth is clamped to this: protobuf-c decodes nested messages by
 * recursion, so deeper nesting would be bounded by the stack, not by us. */
#define CG_MAX_DEPTH_CEILING 100u
/* max_batch is clamped to this: element counts up to it cannot make a
 * request or response size wrap around. */
#define CG_MAX_BATCH_CEILING (SIZE_MAX >> 5)
/* A handler may call ops of the library (through the host API); each such
 * call runs one level deeper with its own arena and buffers, up to this many
 * levels in all (CG_ERR_LIMIT beyond). */
#define CG_MAX_NESTED_CALLS 8

/* Process-wide; zero members take defaults. Each member is set on its own
 * (two threads setting limits at once may leave a mix of both). Threads pick up a new arena
 * configuration on their next cg_thread_release() or at their first call. */
CG_API void cg_set_limits(const cg_limits *limits);
CG_API cg_limits cg_get_limits(void);
/* The limits in force, read without locking (for generated code). */
CG_API size_t cg_max_batch(void);
CG_API unsigned cg_max_depth(void);
/* max_request: hosts that copy requests in (the JavaScript bindings) check it first. */
CG_API size_t cg_max_request(void);

/* The frame of one dispatch, for generated code. cg_call_enter starts a call
 * one level deeper than the thread's current one; it checks that resp is not
 * NULL (and empties it), the nesting (at most CG_MAX_NESTED_CALLS levels),
 * the request size, and that *req is NULL only with req_len 0 (then *req
 * becomes a pointer to nothing). `who` names the entry point in the detail.
 * Whatever it returned, cg_call_leave(st) ends the call and returns st.
 * Errors remember the depth they were recorded at: an outermost call starts
 * with none, a call that succeeds leaves none of its own or of its nested
 * calls', and a handler's own error takes precedence over that of a nested
 * call it went on from. A request that lies in the thread's response buffer
 * (a response passed straight back) stays intact: the response goes to a new
 * buffer, and the old one is freed when the call ends. */
CG_API cg_status cg_call_enter(const uint8_t **req, size_t req_len, cg_bytes *resp, const char *who);
CG_API cg_status cg_call_leave(cg_status st);

/* Resets (or creates) the thread's arena; on CG_OK *arena is ready to use.
 * Generated handlers call it only for ops that decode into the arena: an op
 * over scalars alone never touches it. */
CG_API cg_status cg_call_arena(cg_arena **arena);

/* Points *out at a response buffer of at least `len` bytes owned by this
 * thread. CG_ERR_LIMIT past max_response, CG_ERR_NO_MEMORY when memory runs
 * out (the error recorded either way). */
CG_API cg_status cg_response_buffer(size_t len, uint8_t **out);

/* Normalises a user handler's return: a code outside cg_status becomes
 * CG_ERR_HANDLER; a failure without a recorded detail gets one; CG_OK with a
 * failed arena allocation becomes that failure (the response may point at
 * memory that was never given). */
CG_API cg_status cg_handler_result(cg_status st, cg_arena *arena, const char *op);

/* Host side: a per-thread buffer for encoding requests, apart from the
 * response buffer (a dispatch overwrites that one). Same limits. */
CG_API cg_status cg_request_buffer(size_t len, uint8_t **out);

/* Frees this thread's arenas, response and request buffers now; inside a
 * call (from a handler) it does nothing, the memory being in use. */
CG_API void cg_thread_release(void);

/* Bytes this thread's arena and response buffer hold now. */
CG_API size_t cg_thread_footprint(void);

#ifdef __cplusplus
}
#endif
#endif
