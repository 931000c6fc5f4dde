/* How cg_run_batch, cg_packed_view and cg_unpack_field frame their message.
 *
 * The usual message (field a then field b, one packed piece each, nothing
 * else; or the response's one field) is framed by a short path, everything
 * else by the general field loop. Whatever way the same operands are framed
 * (canonical headers, calcgen's 8-byte aligned header, the longest legal
 * tag and length, another order, unknown fields, split pieces) the result
 * must be the same, and every malformed framing must fail as the general
 * loop fails it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calcgen/support/batch.h"
#include "calcgen/calcgen.h"
#include "calcgen/support/wire.h"

enum { MAXN = 40, BUF = 4096 };

static const cg_batch_spec fixed_add = {"T", "t.Fixed", "a", "b", 1, 2, 1, CG_ENC_FIXED64,
                                        CG_TYPE_I64, CG_KERNEL_ADD, CG_WRAP};
static const cg_batch_spec varint_add = {"T", "t.Varint", "a", "b", 1, 2, 1, CG_ENC_VARINT64,
                                         CG_TYPE_I64, CG_KERNEL_ADD, CG_WRAP};

/* A varint written in exactly `bytes` bytes (overlong when more than it
 * needs; protobuf-c takes a tag or a length of up to 5 bytes). */
static uint8_t *put_varint_in(uint8_t *p, uint64_t v, size_t bytes) {
  if (bytes < cg_varint_size(v)) bytes = cg_varint_size(v);
  for (size_t i = 0; i + 1 < bytes; i++, v >>= 7) *p++ = (uint8_t)((v & 0x7f) | 0x80);
  *p++ = (uint8_t)v;
  return p;
}

/* How a length-delimited field's header is written: bytes of tag and of
 * length (at least what the value needs), 0 for the canonical size. */
typedef struct framing {
  size_t tag_bytes, len_bytes;
} framing;

static uint8_t *put_header(uint8_t *p, uint32_t number, size_t len, framing f) {
  uint64_t tag = ((uint64_t)number << 3) | CG_WIRE_LEN;
  p = f.tag_bytes ? put_varint_in(p, tag, f.tag_bytes) : cg_write_varint(p, tag);
  return f.len_bytes ? put_varint_in(p, len, f.len_bytes) : cg_write_varint(p, len);
}

/* A packed piece of elements [from, to) of v. */
static uint8_t *put_piece(uint8_t *p, const cg_batch_spec *s, uint32_t number, const int64_t *v,
                          size_t from, size_t to, framing f) {
  uint8_t payload[MAXN * 10 + 16];
  size_t len;
  if (s->codec == CG_ENC_FIXED64) {
    len = (to - from) * 8;
    memcpy(payload, v + from, len);
  } else {
    len = cg_wire_pack_varints(CG_ENC_VARINT64, v + from, to - from, payload);
  }
  p = put_header(p, number, len, f);
  memcpy(p, payload, len);
  return p + len;
}

static int64_t A[MAXN], B[MAXN];

static void fill(size_t n) {
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    A[i] = (int64_t)(x >> (x & 31)) - (int64_t)(x & 0xffff);
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    B[i] = (int64_t)(x >> 20);
  }
}

/* Runs the batch and reads its n results through the response's own
 * reader (the view for fixed width, cg_unpack_field for varints). */
static cg_status run(const cg_batch_spec *s, const uint8_t *req, size_t len, int64_t *out, size_t n) {
  cg_arena *arena = cg_arena_create(NULL);
  assert_non_null(arena);
  cg_bytes resp;
  cg_status st = cg_run_batch(s, req, len, &resp, arena);
  if (st == CG_OK) {
    if (s->codec == CG_ENC_FIXED64) {
      const uint8_t *payload;
      size_t got;
      assert_int_equal(cg_packed_view(resp, s->field_out, 8, &payload, &got), CG_OK);
      assert_int_equal(got, n);
      if (n) memcpy(out, payload, n * 8);
    } else {
      assert_int_equal(cg_unpack_field(resp, s->field_out, CG_ENC_VARINT64, out, n, "T"), CG_OK);
    }
  }
  cg_arena_destroy(arena);
  return st;
}

static void expect_sums(const cg_batch_spec *s, const uint8_t *req, size_t len, size_t n) {
  int64_t out[MAXN];
  assert_int_equal(run(s, req, len, out, n), CG_OK);
  for (size_t i = 0; i < n; i++) assert_int_equal(out[i], (int64_t)((uint64_t)A[i] + (uint64_t)B[i]));
}

static void expect_failure(const cg_batch_spec *s, const uint8_t *req, size_t len, cg_status want) {
  int64_t out[MAXN];
  assert_int_equal(run(s, req, len, out, 0), want);
}

static const framing canonical = {0, 0}, aligned = {3, 5}, longest = {5, 5};

static void every_framing_gives_the_same_sums(void **state) {
  (void)state;
  const cg_batch_spec *specs[] = {&fixed_add, &varint_add};
  const size_t sizes[] = {1, 2, 3, 17, MAXN};
  const framing forms[] = {canonical, aligned, longest, {2, 1}, {1, 3}};
  for (size_t si = 0; si < 2; si++) {
    const cg_batch_spec *s = specs[si];
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
      size_t n = sizes[k];
      fill(n);
      uint8_t req[BUF], *p;
      for (size_t f = 0; f < sizeof forms / sizeof *forms; f++) {
        p = put_piece(req, s, 1, A, 0, n, forms[f]);
        p = put_piece(p, s, 2, B, 0, n, forms[f]);
        expect_sums(s, req, (size_t)(p - req), n);
      }
      /* b before a */
      p = put_piece(req, s, 2, B, 0, n, aligned);
      p = put_piece(p, s, 1, A, 0, n, canonical);
      expect_sums(s, req, (size_t)(p - req), n);
      /* an unknown field between them, and one after */
      p = put_piece(req, s, 1, A, 0, n, aligned);
      p = cg_put_scalar_field(p, 7, CG_ENC_VARINT64, 12345);
      p = put_piece(p, s, 2, B, 0, n, aligned);
      expect_sums(s, req, (size_t)(p - req), n);
      p = put_piece(req, s, 1, A, 0, n, canonical);
      p = put_piece(p, s, 2, B, 0, n, canonical);
      p = put_piece(p, s, 9, A, 0, n, aligned);
      expect_sums(s, req, (size_t)(p - req), n);
      /* a in two pieces around b */
      p = put_piece(req, s, 1, A, 0, n / 2, canonical);
      p = put_piece(p, s, 2, B, 0, n, aligned);
      p = put_piece(p, s, 1, A, n / 2, n, aligned);
      expect_sums(s, req, (size_t)(p - req), n);
    }
  }
}

static void malformed_framings_fail_as_the_general_loop_does(void **state) {
  (void)state;
  const cg_batch_spec *specs[] = {&fixed_add, &varint_add};
  for (size_t si = 0; si < 2; si++) {
    const cg_batch_spec *s = specs[si];
    size_t n = 3;
    fill(n);
    uint8_t req[BUF], *p;
    p = put_piece(req, s, 1, A, 0, n, aligned);
    uint8_t *b_at = p;
    p = put_piece(p, s, 2, B, 0, n, aligned);
    size_t whole = (size_t)(p - req);
    /* cut anywhere: inside a header, inside a payload */
    for (size_t cut = 1; cut < whole; cut++) {
      if (req + cut == b_at) { /* a alone: b is missing, a length mismatch */
        expect_failure(s, req, cut, CG_ERR_INVALID_ARGUMENT);
        continue;
      }
      expect_failure(s, req, cut, CG_ERR_DECODE); /* a length or a header runs past the end */
    }
    /* a 6-byte tag (over the 5 any parser accepts) */
    p = put_header(req, 1, 8, (framing){6, 0});
    memset(p, 1, 8);
    p += 8;
    p = put_piece(p, s, 2, B, 0, 1, canonical);
    expect_failure(s, req, (size_t)(p - req), CG_ERR_DECODE);
    /* a 6-byte length */
    p = put_header(req, 1, 8, (framing){0, 6});
    memset(p, 1, 8);
    p += 8;
    p = put_piece(p, s, 2, B, 0, 1, canonical);
    expect_failure(s, req, (size_t)(p - req), CG_ERR_DECODE);
    /* an aligned length one past the end */
    p = put_piece(req, s, 1, A, 0, n, aligned);
    p = put_piece(p, s, 2, B, 0, n, aligned);
    req[b_at - req + 3] = (uint8_t)(req[b_at - req + 3] + 1);
    expect_failure(s, req, (size_t)(p - req), CG_ERR_DECODE);
    /* field a as a varint instead of a packed piece, then b: a has one element, b three */
    p = cg_put_scalar_field(req, 1, s->codec == CG_ENC_FIXED64 ? CG_ENC_FIXED64 : CG_ENC_VARINT64, 5);
    p = put_piece(p, s, 2, B, 0, n, aligned);
    expect_failure(s, req, (size_t)(p - req), CG_ERR_INVALID_ARGUMENT);
  }
  /* fields whose numbers differ from a's or b's only above their first
   * 4 bits (20 and 4, 21 and 5): a stranger in a's or b's place leaves
   * that operand empty */
  static const cg_batch_spec far = {"T", "t.Far", "a", "b", 20, 21, 1, CG_ENC_FIXED64,
                                    CG_TYPE_I64, CG_KERNEL_ADD, CG_WRAP};
  const framing forms[] = {canonical, aligned, longest};
  for (size_t f = 0; f < 3; f++) {
    size_t n = 2;
    fill(n);
    uint8_t msg[BUF], *q = put_piece(msg, &far, 4, A, 0, n, forms[f]);
    q = put_piece(q, &far, 21, B, 0, n, forms[f]);
    expect_failure(&far, msg, (size_t)(q - msg), CG_ERR_INVALID_ARGUMENT);
    q = put_piece(msg, &far, 20, A, 0, n, forms[f]);
    q = put_piece(q, &far, 5, B, 0, n, forms[f]);
    expect_failure(&far, msg, (size_t)(q - msg), CG_ERR_INVALID_ARGUMENT);
    q = put_piece(msg, &far, 20, A, 0, n, forms[f]);
    q = put_piece(q, &far, 21, B, 0, n, forms[f]);
    expect_sums(&far, msg, (size_t)(q - msg), n);
  }
  /* fixed-width payloads that are not whole elements */
  uint8_t req[64], *p = put_header(req, 1, 9, aligned);
  memset(p, 0, 9);
  p += 9;
  p = put_header(p, 2, 9, aligned);
  memset(p, 0, 9);
  p += 9;
  expect_failure(&fixed_add, req, (size_t)(p - req), CG_ERR_DECODE);
  /* a varint payload whose last varint runs past its end */
  p = put_header(req, 1, 2, canonical);
  *p++ = 0x81;
  *p++ = 0x81;
  p = put_header(p, 2, 1, canonical);
  *p++ = 0x01;
  expect_failure(&varint_add, req, (size_t)(p - req), CG_ERR_DECODE);
}

/* The host-side readers over a response in each framing. */
static void response_readers_take_every_framing(void **state) {
  (void)state;
  size_t n = 5;
  fill(n);
  const framing forms[] = {canonical, aligned, longest};
  for (size_t f = 0; f < 3; f++) {
    uint8_t msg[BUF], *p = put_piece(msg, &fixed_add, 1, A, 0, n, forms[f]);
    const uint8_t *payload;
    size_t got;
    assert_int_equal(cg_packed_view((cg_bytes){msg, (size_t)(p - msg)}, 1, 8, &payload, &got), CG_OK);
    assert_int_equal(got, n);
    assert_memory_equal(payload, A, n * 8);
    /* the view of another field of the same message: absent */
    assert_int_equal(cg_packed_view((cg_bytes){msg, (size_t)(p - msg)}, 2, 8, &payload, &got), CG_OK);
    assert_int_equal(got, 0);
    assert_int_equal(cg_packed_view((cg_bytes){msg, (size_t)(p - msg)}, 1, 0, &payload, &got),
                     CG_ERR_INVALID_ARGUMENT);
    /* a payload that is not whole elements of this width */
    assert_int_equal(cg_packed_view((cg_bytes){msg, (size_t)(p - msg)}, 1, 16, &payload, &got),
                     n % 2 ? CG_ERR_INVALID_ARGUMENT : CG_OK);

    int64_t out[MAXN];
    p = put_piece(msg, &varint_add, 1, A, 0, n, forms[f]);
    assert_int_equal(cg_unpack_field((cg_bytes){msg, (size_t)(p - msg)}, 1, CG_ENC_VARINT64, out, n, "T"),
                     CG_OK);
    assert_memory_equal(out, A, n * 8);
    assert_int_equal(cg_unpack_field((cg_bytes){msg, (size_t)(p - msg)}, 1, CG_ENC_VARINT64, out, n - 1, "T"),
                     CG_ERR_DECODE);
    /* the message cut inside its header or payload */
    for (size_t cut = 1; cut < (size_t)(p - msg); cut++)
      assert_int_equal(cg_unpack_field((cg_bytes){msg, cut}, 1, CG_ENC_VARINT64, out, n, "T"), CG_ERR_DECODE);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_framing_gives_the_same_sums),
      cmocka_unit_test(malformed_framings_fail_as_the_general_loop_does),
      cmocka_unit_test(response_readers_take_every_framing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
