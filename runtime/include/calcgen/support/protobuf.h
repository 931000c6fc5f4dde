/* Glue between the calcgen runtime and protobuf-c, for generated code. */
#ifndef CALCGEN_SUPPORT_PROTOBUF_H
#define CALCGEN_SUPPORT_PROTOBUF_H

#include <protobuf-c/protobuf-c.h>

#include "calcgen/arena.h"
#include "calcgen/bytes.h"
#include "calcgen/status.h"
#include "calcgen/visibility.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A ProtobufCAllocator drawing from `a`. protobuf-c's free calls are no-ops:
 * the memory goes back when the arena is reset. */
CG_API ProtobufCAllocator cg_protobuf_allocator(cg_arena *a);

/* Decodes `len` bytes (data may be NULL when len is 0) as `desc` into the
 * arena and points *out at the message. On failure records the error: the
 * arena's CG_ERR_LIMIT / CG_ERR_NO_MEMORY when it ran out, CG_ERR_DECODE
 * otherwise. `op` names the operation in the detail, `side` ("request" or
 * "response") what was decoded. */
CG_API cg_status cg_protobuf_decode(const ProtobufCMessageDescriptor *desc, cg_arena *a,
                                    const uint8_t *data, size_t len, const char *op, const char *side,
                                    ProtobufCMessage **out);

/* CG_ERR_HANDLER naming the field when a proto2 `required` message or string
 * field of `msg`, or of any message it holds, is NULL (the handler never set
 * it); CG_OK otherwise. Generated dispatch calls it before encoding the
 * response of a user op whose response type reaches a required field. */
CG_API cg_status cg_protobuf_check_required(const ProtobufCMessage *msg, const char *op);

typedef struct cg_stream cg_stream;
/* cg_stream_send of `msg` packed straight into the completion (generated
 * P_<method>_send call it). */
CG_API cg_status cg_stream_send_message(cg_stream *s, const ProtobufCMessage *msg);

/* Encodes `msg` into this thread's response buffer and points *resp at it. */
CG_API cg_status cg_protobuf_respond(const ProtobufCMessage *msg, cg_bytes *resp);

#ifdef __cplusplus
}
#endif
#endif
