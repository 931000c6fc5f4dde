/* Handlers of tests/hostile/nested.proto: they call ops of their own library
 * through the host API, the way a handler composing other ops would. */
#include <string.h>

#include "nested.calcgen.h"

cg_status nest_nested_describe(const Nest__Text *req, Nest__Text *resp, cg_arena *arena) {
  /* Everything the outer call holds is checked after the nested calls. */
  size_t len = strlen(req->text);
  char *copy = cg_arena_alloc(arena, len + 1);
  if (!copy) return cg_arena_failure(arena);
  memset(copy, 'x', len);
  copy[len] = '\0';
  int64_t sum;
  cg_status st = nest_nested_invoke_add(40, 2, &sum);
  if (st != CG_OK || sum != 42) return cg_fail(CG_ERR_HANDLER, "nested Add gave %lld", (long long)sum);
  int64_t a[300], b[300], out[300];
  for (int i = 0; i < 300; i++) a[i] = i, b[i] = 1000 * i;
  st = nest_nested_invoke_add_all(a, b, 300, out);
  if (st != CG_OK || out[299] != 299 + 299000) return cg_fail(CG_ERR_HANDLER, "nested AddAll failed");
  if (req->depth > 0) {
    /* a nested user op that allocates from its own arena and answers in its own buffer */
    Nest__Text inner = NEST__TEXT__INIT, got;
    inner.text = "inner call with a longer text than the outer one, so buffers would grow";
    inner.depth = req->depth - 1;
    st = nest_nested_call_describe(&inner, &got, arena);
    if (st != CG_OK) return st;
    if (strcmp(got.text, inner.text) != 0) return cg_fail(CG_ERR_HANDLER, "nested Describe: wrong text");
  }
  /* a nested failure the handler recovers from */
  st = nest_nested_invoke_add_all(a, b, (size_t)1 << 62, out);
  if (st != CG_ERR_LIMIT) return cg_fail(CG_ERR_HANDLER, "huge nested batch gave %d", st);
  for (size_t i = 0; i < len; i++)
    if (copy[i] != 'x') return cg_fail(CG_ERR_HANDLER, "the outer arena was reused by a nested call");
  resp->text = cg_arena_strdup(arena, req->text); /* req->text must still be the outer request's */
  return resp->text ? CG_OK : cg_arena_failure(arena);
}

cg_status nest_nested_recurse(const Nest__Text *req, Nest__Text *resp, cg_arena *arena) {
  if (req->depth <= 0) {
    resp->text = "bottom";
    return CG_OK;
  }
  Nest__Text inner = NEST__TEXT__INIT;
  inner.text = req->text;
  inner.depth = req->depth - 1;
  return nest_nested_call_recurse(&inner, resp, arena);
}

cg_status nest_nested_make_pairs(const Nest__Text *req, Nest__Pairs *resp, cg_arena *arena) {
  size_t n = req->depth > 0 ? (size_t)req->depth : 0;
  int64_t *a = cg_arena_alloc(arena, n * sizeof *a), *b = cg_arena_alloc(arena, n * sizeof *b);
  if (!a || !b) return cg_arena_failure(arena);
  for (size_t i = 0; i < n; i++) a[i] = (int64_t)i, b[i] = 1000 * (int64_t)i;
  resp->n_a = resp->n_b = n;
  resp->a = a;
  resp->b = b;
  return CG_OK;
}

cg_status nest_nested_recover(const Nest__Text *req, Nest__Text *resp, cg_arena *arena) {
  (void)arena;
  int64_t q;
  cg_status st = nest_nested_invoke_div(1, 0, &q);
  if (st != CG_ERR_DIVIDE_BY_ZERO) return cg_fail(CG_ERR_HANDLER, "Recover: the nested Div gave %d", st);
  if (strcmp(req->text, "own") == 0) return cg_fail(CG_ERR_INVALID_ARGUMENT, "Recover: the text is not acceptable");
  if (strcmp(req->text, "bare") == 0) return CG_ERR_INVALID_ARGUMENT;
  if (strcmp(req->text, "pass") == 0) return st;
  resp->text = "recovered";
  return CG_OK;
}
