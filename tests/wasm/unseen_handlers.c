/* User handlers for the unseen schemas' module (kitchen.proto, plain.proto,
 * unusual/proto2.proto) that the JavaScript bindings are compared on, wasm
 * against native. They echo or count, and fail on some inputs, so that both
 * sides have responses and handler errors to agree on. */
#include <string.h>

#include "kitchen.calcgen.h"
#include "plain.calcgen.h"
#include "proto2.calcgen.h"

cg_status deep_pkg_v1_keywords_switch(const Test__Common__Nested *req, Test__Common__Nested *resp,
                                      cg_arena *arena) {
  (void)arena;
  *resp = *req; /* the request outlives the encoding of the response */
  return CG_OK;
}

cg_status deep_pkg_v1_keywords_new(const Test__Common__Nested *req, Test__Common__KeywordResult *resp,
                                   cg_arena *arena) {
  (void)req, (void)resp, (void)arena;
  return CG_OK;
}

cg_status deep_pkg_v1_keywords_count(const Test__Common__Tree *req, Test__Common__KeywordResult *resp,
                                     cg_arena *arena) {
  (void)req, (void)resp, (void)arena;
  return cg_fail(CG_ERR_INVALID_ARGUMENT, "Count: not counted here");
}

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

cg_status legacy_legacy_echo(const Legacy__Pair *req, Legacy__Pair *resp, cg_arena *arena) {
  (void)arena;
  *resp = *req;
  return CG_OK;
}
