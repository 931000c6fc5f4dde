/* Streaming methods through the engine (calcgen/engine.h).
 *
 * A host opens a stream with cg_stream_open; its handler runs on a thread of
 * its own for the stream's whole life. The handler emits messages with
 * cg_stream_send (generated P_<method>_send) and, for client and bidi
 * streams, reads the host's with cg_stream_recv (P_<method>_recv). The host
 * receives each message as a completion with the stream's tag and
 * CG_COMPLETION_MESSAGE, in order, then one CG_COMPLETION_END with the
 * stream's status (and a client stream's response).
 *
 * Backpressure: each direction holds at most `window` messages
 * (cg_host_config.stream_window): a send waits while that many of its
 * messages are delivered but not released by the host, and a host write
 * waits (or times out) while that many wait for the handler. A slow reader
 * therefore bounds the writer's memory.
 *
 * Cancellation: the host cancels with cg_host_cancel(tag) (or by closing,
 * or by shutting the engine down with CG_SHUTDOWN_CANCEL); the handler's
 * blocked sends and receives return CG_ERR_CANCELLED at once,
 * cg_stream_cancelled() turns true, and the stream ends with
 * CG_ERR_CANCELLED. The handler ends a stream early by returning a status:
 * messages already sent are delivered, then the end with that status, and
 * the host's further writes get CG_ERR_CLOSED. */
#ifndef CALCGEN_STREAM_H
#define CALCGEN_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "calcgen/arena.h"
#include "calcgen/bytes.h"
#include "calcgen/engine.h"
#include "calcgen/status.h"
#include "calcgen/visibility.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- host side ---- */

/* Opens a streaming op. A server stream takes its one request here; client
 * and bidi streams take none (req_len 0) and get theirs by cg_stream_write.
 * The tag names the stream in writes, cancel and completions: it must not
 * be that of another open stream of the host. Errors as cg_submit, and
 * CG_ERR_LIMIT past the engine's max_streams. */
CG_API cg_status cg_stream_open(cg_host *h, const cg_service *svc, uint32_t op, const uint8_t *req,
                                size_t req_len, uint64_t tag);

/* Sends one message to a client or bidi stream's handler (copied). Waits up
 * to timeout_ms (< 0: forever; 0: CG_ERR_LIMIT at once) while the window is
 * full. CG_ERR_CLOSED once the handler has returned or the host closed its
 * side; CG_ERR_CANCELLED after a cancel. */
CG_API cg_status cg_stream_write(cg_host *h, uint64_t tag, const uint8_t *msg, size_t len, int timeout_ms);

/* Says the host will write no more: the handler's next receive past the
 * messages already written sees the end. */
CG_API cg_status cg_stream_close_send(cg_host *h, uint64_t tag);

/* ---- handler side (on the stream's thread) ---- */

/* The request a server stream was opened with. */
CG_API cg_bytes cg_stream_request(const cg_stream *s);

/* Emits one message (copied). Waits while the window is full;
 * CG_ERR_CANCELLED once the stream is cancelled, CG_ERR_INVALID_ARGUMENT on
 * a client stream (its one response is the handler's). */
CG_API cg_status cg_stream_send(cg_stream *s, const uint8_t *msg, size_t len);

/* Takes the host's next message: msg->data is non-NULL for a message (of
 * msg->len bytes, valid until the next receive), NULL at the end of the
 * host's messages. Waits for one; CG_ERR_CANCELLED once cancelled. */
CG_API cg_status cg_stream_recv(cg_stream *s, cg_bytes *msg);

/* Memory for the message last received (generated receivers decode into
 * it); reset by each receive. */
CG_API cg_arena *cg_stream_arena(cg_stream *s);

/* Non-zero once the host cancelled the stream or the engine is cancelling. */
CG_API int cg_stream_cancelled(const cg_stream *s);

#ifdef __cplusplus
}
#endif
#endif
