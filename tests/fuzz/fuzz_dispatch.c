/* Fuzz target: the dispatch entry point of every service of the calculator
 * and of the unseen kitchen schema (nested messages, strings, bytes,
 * repeated fields, recursion) and a package-less one. Byte 0 picks the
 * service, bytes 1-2 the op id (valid ones and a few past them), the rest
 * is the request. Whatever the bytes: a status in range, a detail on
 * failure, and on success a response that decodes as the op's type. Where
 * threads exist, each input runs again with batches forced onto the pool in
 * pieces of a few bytes: the same status, words, index and response bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculator.calcgen.h"
#include "kitchen.calcgen.h"
#include "plain.calcgen.h"
#ifndef __wasi__
#include "batch_wide_internal.h"
#endif

typedef struct op_row {
  uint32_t id;
  const ProtobufCMessageDescriptor *resp;
} op_row;

#define ROW(id, Name, name, UPPER, Req, Resp, reqd, respd) {id, &respd},
static const op_row calc_ops[] = {CALC_CALCULATOR_OPS(ROW)};
static const op_row numbers_ops[] = {DEEP_PKG_V1_NUMBERS_OPS(ROW)};
static const op_row keywords_ops[] = {DEEP_PKG_V1_KEYWORDS_OPS(ROW)};
static const op_row echo_ops[] = {HTTP_ECHO_OPS(ROW)};
#undef ROW

typedef struct service {
  cg_status (*dispatch)(uint32_t, const uint8_t *, size_t, cg_bytes *);
  const op_row *ops;
  size_t n_ops;
} service;

#define SERVICE(d, ops) {d, ops, sizeof ops / sizeof ops[0]}
static const service services[] = {
    SERVICE(calc_calculator_dispatch, calc_ops), SERVICE(deep_pkg_v1_numbers_dispatch, numbers_ops),
    SERVICE(deep_pkg_v1_keywords_dispatch, keywords_ops), SERVICE(http_echo_dispatch, echo_ops)};

/* The unseen schema's user handlers (the calculator's come from examples/). */
cg_status deep_pkg_v1_keywords_switch(const Test__Common__Nested *req, Test__Common__Nested *resp,
                                      cg_arena *arena) {
  (void)arena;
  *resp = *req; /* echo: request memory lives until the response is encoded */
  resp->base.descriptor = &test__common__nested__descriptor;
  return CG_OK;
}

cg_status deep_pkg_v1_keywords_new(const Test__Common__Nested *req, Test__Common__KeywordResult *resp,
                                   cg_arena *arena) {
  (void)arena;
  resp->return_ = (int64_t)req->n_more + (int64_t)req->blob.len;
  return CG_OK;
}

static int64_t nodes(const Test__Common__Tree *t) {
  int64_t n = 1;
  for (size_t i = 0; i < t->n_children; i++) n += nodes(t->children[i]);
  return n;
}

cg_status deep_pkg_v1_keywords_count(const Test__Common__Tree *req, Test__Common__KeywordResult *resp,
                                     cg_arena *arena) {
  (void)arena;
  resp->return_ = nodes(req);
  return CG_OK;
}

/* HTTPEcho's handlers: tests/schemas/plain_handlers.c. */

#ifndef __wasi__
/* The input again with every batch on the pool, in pieces of 2 elements or
 * 4 bytes, so even a fuzzer's short batches are split. */
static void same_on_threads(const service *svc, uint32_t op, const uint8_t *data, size_t size, cg_status st,
                            cg_bytes resp) {
  static uint8_t want[4096 * 11 + 64];
  static char error[512];
  size_t want_len = 0;
  int64_t index = st != CG_OK ? cg_last_error_index() : -1;
  if (st == CG_OK) {
    if (resp.len > sizeof want) return;
    want_len = resp.len;
    if (want_len) memcpy(want, resp.data, want_len);
  } else {
    snprintf(error, sizeof error, "%s", cg_last_error());
  }
  cg__batch_wide_tune(4, 2);
  cg_backend_force(CG_BACKEND_THREADS);
  cg_bytes again;
  cg_status st2 = svc->dispatch(op, size > 3 ? data + 3 : NULL, size - 3, &again);
  int same = st2 == st;
  if (same && st == CG_OK) same = again.len == want_len && (!want_len || memcmp(again.data, want, want_len) == 0);
  if (same && st != CG_OK) same = cg_last_error_index() == index && strcmp(cg_last_error(), error) == 0;
  if (!same) {
    fprintf(stderr, "MISMATCH on threads: op %u status %d vs %d, detail [%s] vs [%s]\n", op, st2, st,
            st2 == CG_OK ? "" : cg_last_error(), st == CG_OK ? "" : error);
    abort();
  }
  cg_backend_force(CG_BACKEND_AUTO);
  cg__batch_wide_tune(0, 0);
  /* The caller checks the first call's response or error, which the pool's
   * run replaced: once more as it was (a fuzzer's input stays under every
   * default threshold, so on one core). */
  cg_bytes r;
  if (svc->dispatch(op, size > 3 ? data + 3 : NULL, size - 3, &r) != st) abort();
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3) return 0;
  const service *svc = &services[data[0] % (sizeof services / sizeof services[0])];
  unsigned pick = (unsigned)data[1] | (unsigned)data[2] << 8;
  uint32_t op = pick % (svc->n_ops + 2) < svc->n_ops ? svc->ops[pick % (svc->n_ops + 2)].id : pick;
  const ProtobufCMessageDescriptor *resp_desc = NULL;
  for (size_t i = 0; i < svc->n_ops; i++)
    if (svc->ops[i].id == op) resp_desc = svc->ops[i].resp;
  cg_bytes resp;
  cg_status st = svc->dispatch(op, size > 3 ? data + 3 : NULL, size - 3, &resp);
  if (st < CG_OK || st >= CG_STATUS_COUNT) abort();
#ifndef __wasi__
  same_on_threads(svc, op, data, size, st, resp);
#endif
  if (st != CG_OK) {
    if (!cg_last_error()[0] || resp.data || resp.len) abort();
    return 0;
  }
  if (!resp_desc) abort(); /* success for an unknown op */
  ProtobufCMessage *m = protobuf_c_message_unpack(resp_desc, NULL, resp.len, resp.len ? resp.data : (const uint8_t *)"");
  if (!m) {
    fprintf(stderr, "response of op %u does not decode as %s\n", op, resp_desc->name);
    abort();
  }
  protobuf_c_message_free_unpacked(m, NULL);
  return 0;
}
