/* Schemas calcgen has not seen before (tests/schemas): every numeric type,
 * batch and single, in a deep package; keyword method and field names; an
 * imported file from another directory; a service without a package. Every
 * result is checked against the scalar reference in calcgen/support/elementwise.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <calcgen/support/elementwise.h>

#include "kitchen.calcgen.h"
#include "plain.calcgen.h"
#include "xorshift.h"

static uint8_t buf[1 << 16];
static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void) { return xorshift64(&rng); }

/* Op ids of service Numbers: 8 per type in the order of kitchen.proto. */
enum { ADD = 1, DIV, MOD, MUL, BSUB, BMIN, BMAX, BDIV };
enum { N = 300 };

#define CHECK_TYPE(k, low, UP, CAPS, T, sfx, mulovf, bsubovf)                                        \
  static void type_##low(void **state) {                                                         \
    (void)state;                                                                                 \
    const uint32_t base = 8 * (k);                                                               \
    static cg_status (*const ref[4])(T, T, T *) = {cg_elem_add_##sfx##_wrap,                     \
        cg_elem_div_##sfx##_wrap, cg_elem_mod_##sfx##_wrap, cg_elem_mul_##sfx##_##mulovf};        \
    for (int round = 0; round < 300; round++) {                                                  \
      Deep__Pkg__V1__##UP##Pair p = DEEP__PKG__V1__##CAPS##_PAIR__INIT;                             \
      uint64_t ra = rnd(), rb = rnd();                                                           \
      if (round % 3 == 0) rb %= 4; /* zero and small divisors */                                 \
      if (round % 7 == 0) ra %= 1000;                                                            \
      memcpy(&p.a, &ra, sizeof p.a);                                                             \
      memcpy(&p.b, &rb, sizeof p.b);                                                             \
      size_t len = protobuf_c_message_pack(&p.base, buf);                                        \
      /* what the service decodes (protobuf-c's encoder drops a -0.0 operand) */                  \
      Deep__Pkg__V1__##UP##Pair *seen = deep__pkg__v1__##low##_pair__unpack(NULL, len, buf);       \
      T sa = seen->a, sb = seen->b;                                                              \
      deep__pkg__v1__##low##_pair__free_unpacked(seen, NULL);                                    \
      for (uint32_t j = 0; j < 4; j++) {                                                         \
        T want = 0;                                                                              \
        cg_status want_st = ref[j](sa, sb, &want);                                               \
        cg_bytes resp;                                                                           \
        cg_status st = deep_pkg_v1_numbers_dispatch(base + ADD + j, buf, len, &resp);            \
        assert_int_equal(st, want_st);                                                           \
        if (st != CG_OK) continue;                                                               \
        Deep__Pkg__V1__##UP##Result *r = deep__pkg__v1__##low##_result__unpack(NULL, resp.len, resp.data); \
        assert_non_null(r);                                                                      \
        assert_memory_equal(&r->r, &want, sizeof want);                                          \
        deep__pkg__v1__##low##_result__free_unpacked(r, NULL);                                   \
      }                                                                                          \
    }                                                                                            \
    static T a[N], b[N];                                                                         \
    for (int round = 0; round < 20; round++) {                                                   \
      for (int i = 0; i < N; i++) {                                                              \
        uint64_t ra = rnd() % 100000, rb = rnd() % 1000 + 1;                                     \
        if (round % 2 && rnd() % 64 == 0) rb = 0, ra = rnd();                                    \
        a[i] = (T)ra;                                                                            \
        b[i] = (T)rb;                                                                            \
      }                                                                                          \
      Deep__Pkg__V1__##UP##Batch q = DEEP__PKG__V1__##CAPS##_BATCH__INIT;                           \
      q.n_a = q.n_b = N;                                                                         \
      q.a = a;                                                                                   \
      q.b = b;                                                                                   \
      size_t len = protobuf_c_message_pack(&q.base, buf);                                        \
      static cg_status (*const bref[4])(T, T, T *) = {cg_elem_sub_##sfx##_##bsubovf,             \
          cg_elem_min_##sfx##_wrap, cg_elem_max_##sfx##_wrap, cg_elem_div_##sfx##_wrap};          \
      for (uint32_t j = 0; j < 4; j++) {                                                         \
        cg_bytes resp;                                                                           \
        cg_status st = deep_pkg_v1_numbers_dispatch(base + BSUB + j, buf, len, &resp);           \
        Deep__Pkg__V1__##UP##BatchResult *r =                                                    \
            st == CG_OK ? deep__pkg__v1__##low##_batch_result__unpack(NULL, resp.len, resp.data) : NULL; \
        int first_bad = -1;                                                                      \
        cg_status ws = CG_OK;                                                                    \
        static T want[N];                                                                        \
        for (int i = 0; i < N && first_bad < 0; i++)                                             \
          if ((ws = bref[j](a[i], b[i], &want[i])) != CG_OK) first_bad = i;                      \
        assert_int_equal(st, ws);                                                                \
        if (first_bad >= 0) {                                                                    \
          char where[64];                                                                        \
          snprintf(where, sizeof where, "at index %d", first_bad);                               \
          assert_non_null(strstr(cg_last_error(), where));                                       \
        } else {                                                                                 \
          assert_int_equal(r->n_r, N);                                                           \
          assert_memory_equal(r->r, want, sizeof want);                                          \
        }                                                                                        \
        if (r) deep__pkg__v1__##low##_batch_result__free_unpacked(r, NULL);                      \
      }                                                                                          \
    }                                                                                            \
  }

CHECK_TYPE(0, int32, Int32, INT32, int32_t, i32, checked, checked)
CHECK_TYPE(1, int64, Int64, INT64, int64_t, i64, checked, checked)
CHECK_TYPE(2, uint32, Uint32, UINT32, uint32_t, u32, checked, checked)
CHECK_TYPE(3, uint64, Uint64, UINT64, uint64_t, u64, checked, checked)
CHECK_TYPE(4, sint32, Sint32, SINT32, int32_t, i32, checked, checked)
CHECK_TYPE(5, sint64, Sint64, SINT64, int64_t, i64, checked, checked)
CHECK_TYPE(6, fixed32, Fixed32, FIXED32, uint32_t, u32, checked, checked)
CHECK_TYPE(7, fixed64, Fixed64, FIXED64, uint64_t, u64, checked, checked)
CHECK_TYPE(8, sfixed32, Sfixed32, SFIXED32, int32_t, i32, checked, checked)
CHECK_TYPE(9, sfixed64, Sfixed64, SFIXED64, int64_t, i64, checked, checked)
CHECK_TYPE(10, float, Float, FLOAT, float, f32, wrap, wrap)
CHECK_TYPE(11, double, Double, DOUBLE, double, f64, wrap, wrap)

static int64_t keyword_call(uint32_t op, int64_t x, int64_t y, cg_status want) {
  Test__Common__KeywordPair p = TEST__COMMON__KEYWORD_PAIR__INIT;
  p.int_ = x;
  p.class_ = y;
  size_t len = protobuf_c_message_pack(&p.base, buf);
  cg_bytes resp;
  assert_int_equal(deep_pkg_v1_keywords_dispatch(op, buf, len, &resp), want);
  if (want != CG_OK) return 0;
  Test__Common__KeywordResult *r = test__common__keyword_result__unpack(NULL, resp.len, resp.data);
  int64_t v = r->return_;
  test__common__keyword_result__free_unpacked(r, NULL);
  return v;
}

static void keyword_names(void **state) {
  (void)state;
  /* ids follow declaration order when no method sets one */
  assert_int_equal(DEEP_PKG_V1_KEYWORDS_OP_RETURN, 1);
  assert_int_equal(DEEP_PKG_V1_KEYWORDS_OP_DEFAULT, 6);
  assert_string_equal(deep_pkg_v1_keywords_op_name(3), "Switch");
  assert_int_equal(keyword_call(DEEP_PKG_V1_KEYWORDS_OP_RETURN, 10, 3, CG_OK), 7);
  assert_int_equal(keyword_call(DEEP_PKG_V1_KEYWORDS_OP_CLASS, -10, 3, CG_OK), 3);
  assert_int_equal(keyword_call(DEEP_PKG_V1_KEYWORDS_OP_AWAIT, INT64_MAX, 2, CG_ERR_OVERFLOW), 0);
  assert_int_equal(keyword_call(DEEP_PKG_V1_KEYWORDS_OP_DEFAULT, 9, 0, CG_ERR_DIVIDE_BY_ZERO), 0);
}

/* User handlers of service Keywords: nested messages, strings, repeated fields. */
cg_status deep_pkg_v1_keywords_switch(const Test__Common__Nested *req, Test__Common__Nested *resp,
                                      cg_arena *arena) {
  /* Echo with the inner label reversed and the blob dropped. */
  if (!req->inner) return cg_fail(CG_ERR_INVALID_ARGUMENT, "Switch: inner is required");
  Test__Common__Nested__Inner *in = cg_arena_alloc(arena, sizeof *in);
  if (!in) return cg_arena_failure(arena);
  test__common__nested__inner__init(in);
  size_t n = strlen(req->inner->label);
  char *label = cg_arena_alloc(arena, n + 1);
  if (!label) return cg_arena_failure(arena);
  for (size_t i = 0; i < n; i++) label[i] = req->inner->label[n - 1 - i];
  label[n] = '\0';
  in->label = label;
  in->n_codes = req->inner->n_codes;
  in->codes = req->inner->codes; /* request memory lives until the response is encoded */
  resp->inner = in;
  resp->n_more = req->n_more;
  resp->more = req->more;
  return CG_OK;
}

cg_status deep_pkg_v1_keywords_new(const Test__Common__Nested *req, Test__Common__KeywordResult *resp,
                                   cg_arena *arena) {
  (void)arena;
  int64_t total = (int64_t)req->n_more;
  for (size_t i = 0; i < req->n_more; i++) total += (int64_t)req->more[i]->n_codes;
  resp->return_ = total;
  return CG_OK;
}

static void nested_user_ops(void **state) {
  (void)state;
  uint32_t codes[3] = {1, 2, 3};
  Test__Common__Nested__Inner inner = TEST__COMMON__NESTED__INNER__INIT, m1 = TEST__COMMON__NESTED__INNER__INIT;
  inner.label = "calcgen";
  inner.n_codes = 3;
  inner.codes = codes;
  m1.label = "x";
  m1.n_codes = 2;
  m1.codes = codes;
  Test__Common__Nested__Inner *more[2] = {&m1, &inner};
  Test__Common__Nested req = TEST__COMMON__NESTED__INIT;
  req.inner = &inner;
  req.n_more = 2;
  req.more = more;
  req.blob.len = 3;
  req.blob.data = (uint8_t *)"abc";
  size_t len = protobuf_c_message_pack(&req.base, buf);
  cg_bytes resp;
  assert_int_equal(deep_pkg_v1_keywords_dispatch(DEEP_PKG_V1_KEYWORDS_OP_SWITCH, buf, len, &resp), CG_OK);
  Test__Common__Nested *r = test__common__nested__unpack(NULL, resp.len, resp.data);
  assert_string_equal(r->inner->label, "negclac");
  assert_int_equal(r->inner->n_codes, 3);
  assert_int_equal(r->n_more, 2);
  assert_string_equal(r->more[0]->label, "x");
  assert_int_equal(r->blob.len, 0);
  test__common__nested__free_unpacked(r, NULL);
  assert_int_equal(deep_pkg_v1_keywords_dispatch(DEEP_PKG_V1_KEYWORDS_OP_NEW, buf, len, &resp), CG_OK);
  Test__Common__KeywordResult *k = test__common__keyword_result__unpack(NULL, resp.len, resp.data);
  assert_int_equal(k->return_, 2 + 2 + 3);
  test__common__keyword_result__free_unpacked(k, NULL);
  /* the handler's own error */
  assert_int_equal(deep_pkg_v1_keywords_dispatch(DEEP_PKG_V1_KEYWORDS_OP_SWITCH, NULL, 0, &resp),
                   CG_ERR_INVALID_ARGUMENT);
  assert_string_equal(cg_last_error(), "Switch: inner is required");
}

/* Nodes of a tree of any depth: the nesting limit guards protobuf-c's recursion. */
static int64_t count_nodes(const Test__Common__Tree *t) {
  int64_t n = 1;
  for (size_t i = 0; i < t->n_children; i++) n += count_nodes(t->children[i]);
  return n;
}

cg_status deep_pkg_v1_keywords_count(const Test__Common__Tree *req, Test__Common__KeywordResult *resp,
                                     cg_arena *arena) {
  (void)arena;
  resp->return_ = count_nodes(req);
  return CG_OK;
}

/* A chain of `depth` nested trees (field 1, children, wraps each level),
 * built backwards from the end of buf; returns where it starts. */
static const uint8_t *nested_tree(uint8_t *buf, size_t cap, size_t depth, size_t *len) {
  uint8_t *start = buf + cap;
  for (size_t d = 1; d < depth; d++) {
    size_t inner = (size_t)(buf + cap - start), l = inner, h = 1;
    while (l >= 0x80) l >>= 7, h++;
    if ((size_t)(start - buf) < h + 1) return NULL;
    start -= h + 1;
    start[0] = 0x0a;
    l = inner;
    for (size_t i = 0; i < h; i++, l >>= 7) start[1 + i] = (uint8_t)((l & 0x7f) | (i + 1 < h ? 0x80 : 0));
  }
  *len = (size_t)(buf + cap - start);
  return start;
}

static void nesting_limit(void **state) {
  (void)state;
  static uint8_t big[1 << 20];
  cg_bytes resp;
  size_t len = 0;
  const uint8_t *msg = nested_tree(big, sizeof big, 20, &len);
  assert_int_equal(deep_pkg_v1_keywords_dispatch(DEEP_PKG_V1_KEYWORDS_OP_COUNT, msg, len, &resp), CG_OK);
  Test__Common__KeywordResult *r = test__common__keyword_result__unpack(NULL, resp.len, resp.data);
  assert_int_equal(r->return_, 20);
  test__common__keyword_result__free_unpacked(r, NULL);
  /* 100,000 levels would overflow protobuf-c's recursion; the limit answers first */
  msg = nested_tree(big, sizeof big, 100000, &len);
  assert_non_null(msg);
  assert_int_equal(deep_pkg_v1_keywords_dispatch(DEEP_PKG_V1_KEYWORDS_OP_COUNT, msg, len, &resp), CG_ERR_LIMIT);
  assert_non_null(strstr(cg_last_error(), "nests messages deeper than the limit of 32"));
  /* configurable */
  cg_limits l = cg_get_limits();
  l.max_depth = 5;
  cg_set_limits(&l);
  msg = nested_tree(big, sizeof big, 6, &len);
  assert_int_equal(deep_pkg_v1_keywords_dispatch(DEEP_PKG_V1_KEYWORDS_OP_COUNT, msg, len, &resp), CG_ERR_LIMIT);
  msg = nested_tree(big, sizeof big, 5, &len);
  assert_int_equal(deep_pkg_v1_keywords_dispatch(DEEP_PKG_V1_KEYWORDS_OP_COUNT, msg, len, &resp), CG_OK);
  cg_set_limits(NULL);
}

/* Service HTTPEcho, no package: prefix http_echo (handlers in plain_handlers.c). */
static void package_less_service(void **state) {
  (void)state;
  Ping p = PING__INIT;
  p.text = "hello";
  p.count = 3;
  size_t len = protobuf_c_message_pack(&p.base, buf);
  cg_bytes resp;
  assert_int_equal(http_echo_dispatch(HTTP_ECHO_OP_ECHO, buf, len, &resp), CG_OK);
  Ping *r = ping__unpack(NULL, resp.len, resp.data);
  assert_string_equal(r->text, "hello");
  assert_int_equal(r->count, 3);
  ping__free_unpacked(r, NULL);
  assert_int_equal(http_echo_dispatch(HTTP_ECHO_OP_COUNT, buf, len, &resp), CG_OK);
  p.count = -1;
  len = protobuf_c_message_pack(&p.base, buf);
  assert_int_equal(http_echo_dispatch(HTTP_ECHO_OP_COUNT, buf, len, &resp), CG_ERR_HANDLER);
  assert_non_null(strstr(cg_last_error(), "Count: handler returned status 42"));
  assert_true(http_echo_schema_hash() != deep_pkg_v1_keywords_schema_hash());
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(type_int32),    cmocka_unit_test(type_int64),   cmocka_unit_test(type_uint32),
      cmocka_unit_test(type_uint64),   cmocka_unit_test(type_sint32),  cmocka_unit_test(type_sint64),
      cmocka_unit_test(type_fixed32),  cmocka_unit_test(type_fixed64), cmocka_unit_test(type_sfixed32),
      cmocka_unit_test(type_sfixed64), cmocka_unit_test(type_float),   cmocka_unit_test(type_double),
      cmocka_unit_test(keyword_names), cmocka_unit_test(nested_user_ops),
      cmocka_unit_test(package_less_service), cmocka_unit_test(nesting_limit),
  };
  return cmocka_run_group_tests_name("unseen schemas", tests, NULL, NULL);
}
