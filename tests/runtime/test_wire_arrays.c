/* The public array entry points of the wire codec, on both sides of their
 * short-array cut-over (arrays of a few elements are done inline, longer ones
 * by the CPU's block codec): cg_wire_pack/unpack/count_varints,
 * cg_write_packed_varints, and cg_unpack_field over responses in one packed
 * piece (what calcgen writes) and in several pieces (what any encoder may). */
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
#include "xorshift.h"

static uint64_t rng = 0x243F6A8885A308D3ull;
static uint64_t rnd(void) { return xorshift64(&rng); }

static const size_t width[] = {4, 4, 8, 4, 8}; /* by cg_encoding */

/* The value element i encodes as, by the one-varint reference. */
static uint64_t ref_value(cg_encoding k, const uint8_t *in, size_t i) {
  switch (k) {
    case CG_ENC_INT32: { int32_t v; memcpy(&v, in + 4 * i, 4); return (uint64_t)(int64_t)v; }
    case CG_ENC_UINT32: { uint32_t v; memcpy(&v, in + 4 * i, 4); return v; }
    case CG_ENC_SINT32: { int32_t v; memcpy(&v, in + 4 * i, 4); return cg_zigzag32(v); }
    case CG_ENC_SINT64: { int64_t v; memcpy(&v, in + 8 * i, 8); return cg_zigzag64(v); }
    default: { uint64_t v; memcpy(&v, in + 8 * i, 8); return v; }
  }
}

static void random_array(uint8_t *in, size_t n, size_t w) {
  for (size_t i = 0; i < n; i++) {
    unsigned bits = (unsigned)(rnd() % 65);
    uint64_t v = bits == 64 ? rnd() : rnd() & ((1ull << bits) - 1);
    memcpy(in + i * w, &v, w);
  }
}

static void arrays_round_trip_at_every_length(void **state) {
  (void)state;
  static uint8_t in[8 * 80], want[10 * 80], back[8 * 80];
  for (int k = 0; k < 5; k++)
    for (size_t n = 0; n <= 70; n++) {
      random_array(in, n, width[k]);
      uint8_t *q = want;
      for (size_t i = 0; i < n; i++) q = cg_write_varint(q, ref_value(k, in, i));
      size_t want_len = (size_t)(q - want);
      uint8_t *out = malloc(10 * n + 16); /* exactly the documented room */
      size_t len = cg_wire_pack_varints(k, in, n, out);
      assert_int_equal(len, want_len);
      if (len) assert_memory_equal(out, want, len);
      assert_int_equal(cg_wire_varints_size(k, in, n), want_len);
      assert_int_equal(cg_wire_count_varints(out, len), n);
      memset(back, 0xAB, sizeof back);
      assert_int_equal(cg_wire_unpack_varints(k, out, len, back), n);
      for (size_t i = 0; i < n; i++) {
        /* 32-bit kinds keep the low 32 bits of the decoded value */
        uint64_t got = 0, v = ref_value(k, in, i);
        memcpy(&got, back + i * width[k], width[k]);
        if (k == CG_ENC_SINT32) v = (uint32_t)cg_unzigzag32((uint32_t)v);
        else if (k == CG_ENC_SINT64) v = (uint64_t)cg_unzigzag64(v);
        else if (width[k] == 4) v = (uint32_t)v;
        assert_true(got == v);
      }
      if (len) { /* cut inside the last varint: unterminated */
        out[len - 1] |= 0x80;
        assert_true(cg_wire_unpack_varints(k, out, len, back) == SIZE_MAX);
      }
      free(out);
    }
}

static void packed_field_has_tag_length_payload(void **state) {
  (void)state;
  static uint8_t in[8 * 80], payload[10 * 80];
  for (int k = 0; k < 5; k++)
    for (size_t n = 0; n <= 70; n++) {
      random_array(in, n, width[k]);
      size_t pl = cg_wire_pack_varints(k, in, n, payload);
      uint32_t field = n % 3 ? 3 : 300000; /* one- and three-byte tags */
      uint8_t *out = malloc(10 * n + 31), want[16], *h;
      uint8_t *end = cg_write_packed_varints(out, field, k, in, n);
      h = cg_write_tag(want, field, CG_WIRE_LEN);
      h = cg_write_varint(h, pl);
      size_t hl = (size_t)(h - want);
      assert_int_equal((size_t)(end - out), hl + pl);
      assert_memory_equal(out, want, hl);
      if (pl) assert_memory_equal(out + hl, payload, pl);
      free(out);
    }
}

/* A response holding values 1..n of field 1 (sint64), split as asked. */
static size_t response(uint8_t *buf, size_t n, int pieces, int unpacked_tail) {
  int64_t v[64];
  for (size_t i = 0; i < n; i++) v[i] = (int64_t)i * (i % 2 ? -1 : 1) * 1000003;
  uint8_t *p = buf;
  p = cg_write_varint(p, 99 << 3); /* an unknown field first */
  p = cg_write_varint(p, 7);
  size_t cut = pieces > 1 ? n / 2 : n, tail = unpacked_tail && n ? 1 : 0;
  if (cut > n - tail) cut = n - tail;
  p = cg_write_packed_varints(p, 1, CG_ENC_SINT64, v, cut);
  if (pieces > 1) p = cg_write_packed_varints(p, 1, CG_ENC_SINT64, v + cut, n - cut - tail);
  if (tail) {
    p = cg_write_tag(p, 1, CG_WIRE_VARINT);
    p = cg_write_varint(p, cg_zigzag64(v[n - 1]));
  }
  return (size_t)(p - buf);
}

static void unpack_field_takes_any_split(void **state) {
  (void)state;
  static uint8_t buf[4096];
  int64_t out[64];
  for (size_t n = 0; n <= 40; n++)
    for (int pieces = 1; pieces <= 2; pieces++)
      for (int tail = 0; tail <= 1; tail++) {
        size_t len = response(buf, n, pieces, tail);
        memset(out, 0, sizeof out);
        assert_int_equal(cg_unpack_field((cg_bytes){buf, len}, 1, CG_ENC_SINT64, out, n, "T"), CG_OK);
        for (size_t i = 0; i < n; i++) assert_true(out[i] == (int64_t)i * (i % 2 ? -1 : 1) * 1000003);
        /* another count than expected is a malformed response */
        assert_int_equal(cg_unpack_field((cg_bytes){buf, len}, 1, CG_ENC_SINT64, out, n + 1, "T"),
                         CG_ERR_DECODE);
      }
}

static void unpack_field_rejects_long_varints(void **state) {
  (void)state;
  /* field 1, one packed piece: an 11-byte varint */
  uint8_t buf[32] = {0x0a, 11, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  int64_t out[2];
  assert_int_equal(cg_unpack_field((cg_bytes){buf, 13}, 1, CG_ENC_VARINT64, out, 1, "T"), CG_ERR_DECODE);
}

static void unpack_field_fixed_width(void **state) {
  (void)state;
  double a[5] = {1.5, -0.0, 3e300, -7.25, 0.125}, out[5];
  uint8_t buf[128], *p = buf;
  p = cg_write_tag(p, 2, CG_WIRE_LEN);
  p = cg_write_varint(p, 3 * 8);
  memcpy(p, a, 3 * 8), p += 3 * 8;
  size_t one = (size_t)(p - buf);
  memset(out, 0, sizeof out);
  assert_int_equal(cg_unpack_field((cg_bytes){buf, one}, 2, CG_ENC_FIXED64, out, 3, "T"), CG_OK);
  assert_memory_equal(out, a, 3 * 8);
  p = cg_write_tag(p, 2, CG_WIRE_LEN); /* a second piece */
  p = cg_write_varint(p, 2 * 8);
  memcpy(p, a + 3, 2 * 8), p += 2 * 8;
  memset(out, 0, sizeof out);
  assert_int_equal(cg_unpack_field((cg_bytes){buf, (size_t)(p - buf)}, 2, CG_ENC_FIXED64, out, 5, "T"), CG_OK);
  assert_memory_equal(out, a, sizeof a);
  assert_int_equal(cg_unpack_field((cg_bytes){buf, one}, 2, CG_ENC_FIXED64, out, 4, "T"), CG_ERR_DECODE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(arrays_round_trip_at_every_length),
      cmocka_unit_test(packed_field_has_tag_length_payload),
      cmocka_unit_test(unpack_field_takes_any_split),
      cmocka_unit_test(unpack_field_rejects_long_varints),
      cmocka_unit_test(unpack_field_fixed_width),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
