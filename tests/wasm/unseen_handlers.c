/* User handlers for the unseen schemas' module (kitchen.proto; plain.proto's
 * and unusual/proto2.proto's are in tests/schemas)
 * that the JavaScript bindings are compared on, wasm against native. They
 * echo, or fail, so that both sides have responses and handler errors to
 * agree on. */
#include "kitchen.calcgen.h"

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
