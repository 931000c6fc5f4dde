/* Runtime-internal parts of the call state (call.c). */
#ifndef CALCGEN_SRC_CALL_INTERNAL_H
#define CALCGEN_SRC_CALL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "calcgen/arena.h"
#include "calcgen/status.h"

/* cg_response_buffer for a response of `len` bytes (what max_response limits)
 * written by an encoder that needs `room` bytes to write it. */
cg_status cg__response_buffer_room(size_t len, size_t room, uint8_t **out);

/* cg_arena_alloc that records why it failed ("<op>: ..."). */
void *cg__call_alloc(cg_arena *arena, size_t size, const char *op);

#endif
