/* User handlers for the unseen schemas' module (kitchen.proto,
 * unusual/proto2.proto; plain.proto's are tests/schemas/plain_handlers.c)
 * that the JavaScript bindings are compared on, wasm against native. They
 * echo, or fail, so that both sides have responses and handler errors to
 * agree on. */
#include "kitchen.calcgen.h"
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

cg_status legacy_legacy_echo(const Legacy__Pair *req, Legacy__Pair *resp, cg_arena *arena) {
  (void)arena;
  *resp = *req;
  return CG_OK;
}
