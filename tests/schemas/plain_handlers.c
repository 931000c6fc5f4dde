/* The handlers of plain.proto's package-less HTTPEcho service, shared by the
 * unseen-schema suite (test_kitchen.c), the dispatch fuzzer and the
 * WebAssembly module of the unseen schemas (tests/wasm). */
#include <string.h>

#include "plain.calcgen.h"

cg_status http_echo_echo(const Ping *req, Ping *resp, cg_arena *arena) {
  resp->text = cg_arena_strdup(arena, req->text);
  resp->count = req->count;
  return resp->text ? CG_OK : cg_arena_failure(arena);
}

cg_status http_echo_count(const Ping *req, Ping *resp, cg_arena *arena) {
  (void)arena;
  resp->count = (int32_t)strlen(req->text);
  return req->count < 0 ? 42 : CG_OK; /* 42 is no cg_status: becomes CG_ERR_HANDLER */
}
