/* The engine's rings in shared memory: a client in another process submits
 * calls and streams to a service that a server process runs on its engine
 * (docs/engine.md, "Across processes").
 *
 * A region (memfd or POSIX shared memory) holds two slot pools and four
 * lock-free rings, none of them with a pointer: request slots go client ->
 * server (submissions, stream writes, close-send, cancels), completion slots
 * server -> client (results, stream messages, ends). Each side sleeps on a
 * futex word of the region when it has nothing to do.
 *
 * One client at a time. Either side may die at any moment: the server sees
 * a dead client within about 10 ms, cancels what it was running for it,
 * resets the region and serves the next client; a client sees a dead server
 * as quickly, and its calls in flight come back as CG_ERR_CLOSED ends (none
 * is lost, none hangs); it can then connect to a restarted server. */
#ifndef CALCGEN_SHM_H
#define CALCGEN_SHM_H

#include <stddef.h>
#include <stdint.h>

#include "calcgen/engine.h"
#include "calcgen/status.h"
#include "calcgen/visibility.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cg_shm_server cg_shm_server;
typedef struct cg_shm_client cg_shm_client;

typedef struct cg_shm_config {
  uint32_t slots;      /* slots in each direction (a power of two; default 256) */
  uint32_t slot_bytes; /* the largest request or response (default 64 KiB) */
} cg_shm_config;

/* Creates a region: a POSIX shared memory object `name` ("/calcgen-demo";
 * an existing one is replaced) or, with name NULL, an anonymous memfd to
 * pass to a child. *fd is the caller's to close. */
CG_API cg_status cg_shm_create(const char *name, const cg_shm_config *cfg, int *fd);

/* Serves the region on `engine` for one service: a thread of its own moves
 * requests to a host of the engine and completions back. A region whose
 * previous server stopped or died is taken over when no client is attached
 * (CG_ERR_LIMIT while a live server or client holds it). */
CG_API cg_status cg_shm_serve(cg_engine *engine, const cg_service *svc, int fd, cg_shm_server **out);

/* Stops serving: the calls of the client are cancelled, the client sees the
 * server gone. NULL is ignored. */
CG_API cg_status cg_shm_server_stop(cg_shm_server *s);

/* How many clients the server has seen leave or die (and cleaned up after). */
CG_API uint64_t cg_shm_server_clients_lost(const cg_shm_server *s);

/* Attaches to a served region as its one client (CG_ERR_LIMIT while another
 * client holds it, or the server has not yet reclaimed a dead one's state:
 * retry; CG_ERR_CLOSED when no live server serves it). */
CG_API cg_status cg_shm_connect(int fd, cg_shm_client **out);
/* Leaves the region (what is in flight is cancelled, as for a client that
 * died), waiting up to a second for a live server to make it ready for the
 * next client. */
CG_API cg_status cg_shm_disconnect(cg_shm_client *c);

/* As cg_submit / cg_stream_open / cg_stream_write / cg_stream_close_send /
 * cg_host_cancel, across the region (the request is copied into it; the
 * region's slot_bytes bounds it). They return CG_ERR_CLOSED once the server
 * is gone, CG_ERR_LIMIT when no request slot is free. A write's outcome
 * beyond that (a full window, a stream that ended) arrives as the stream's
 * end, not here. */
CG_API cg_status cg_shm_submit(cg_shm_client *c, uint32_t op, const uint8_t *req, size_t len, uint64_t tag);
CG_API cg_status cg_shm_stream_open(cg_shm_client *c, uint32_t op, const uint8_t *req, size_t len, uint64_t tag);
CG_API cg_status cg_shm_stream_write(cg_shm_client *c, uint64_t tag, const uint8_t *msg, size_t len);
CG_API cg_status cg_shm_stream_close_send(cg_shm_client *c, uint64_t tag);
CG_API cg_status cg_shm_cancel(cg_shm_client *c, uint64_t tag);

/* Completions, with the engine's memory rule: each views the region until
 * released. cg_shm_wait returns 0 after timeout_ms, or at once when the
 * server is gone (then calls in flight come back as CG_ERR_CLOSED ends). */
CG_API size_t cg_shm_poll(cg_shm_client *c, cg_completion *out, size_t max);
CG_API size_t cg_shm_wait(cg_shm_client *c, cg_completion *out, size_t max, int timeout_ms);
CG_API cg_status cg_shm_release(cg_shm_client *c, const cg_completion *done, size_t n);

/* CG_OK while the server the client connected to serves the region, else
 * CG_ERR_CLOSED. */
CG_API cg_status cg_shm_server_status(cg_shm_client *c);

#ifdef __cplusplus
}
#endif
#endif
