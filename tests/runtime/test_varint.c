/* The packed-varint codec builds (portable, BMI2, AVX-512) against the one-varint
 * reference in calcgen/support/wire.h: identical bytes when encoding (canonical
 * varints), identical values or failure when decoding, on every kind, around
 * the 64-byte block edges, with overlong, 9- and 10-byte and unterminated
 * varints. Standalone; prints "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcgen/kernels.h"
#include "calcgen/support/wire.h"
#include "varint_table.h"
#include "xorshift.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) { return xorshift64(&rng); }

static size_t passed, failed;
#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (cond) passed++;                                                        \
    else {                                                                     \
      failed++;                                                                \
      if (failed < 20) { fprintf(stderr, "FAIL: " __VA_ARGS__); fputc('\n', stderr); } \
    }                                                                          \
  } while (0)

static const size_t width[] = {4, 4, 8, 4, 8}; /* by cg_encoding */

static uint64_t ref_value(cg_encoding k, const void *in, size_t i) {
  switch (k) {
    case CG_ENC_INT32: { int32_t v; memcpy(&v, (const char *)in + 4 * i, 4); return (uint64_t)(int64_t)v; }
    case CG_ENC_UINT32: { uint32_t v; memcpy(&v, (const char *)in + 4 * i, 4); return v; }
    case CG_ENC_SINT32: { int32_t v; memcpy(&v, (const char *)in + 4 * i, 4); return cg_zigzag32(v); }
    case CG_ENC_SINT64: { int64_t v; memcpy(&v, (const char *)in + 8 * i, 8); return cg_zigzag64(v); }
    default: { uint64_t v; memcpy(&v, (const char *)in + 8 * i, 8); return v; }
  }
}

static void ref_store(cg_encoding k, void *out, size_t i, uint64_t v) {
  switch (k) {
    case CG_ENC_INT32:
    case CG_ENC_UINT32: { uint32_t x = (uint32_t)v; memcpy((char *)out + 4 * i, &x, 4); break; }
    case CG_ENC_SINT32: { int32_t x = cg_unzigzag32((uint32_t)v); memcpy((char *)out + 4 * i, &x, 4); break; }
    case CG_ENC_SINT64: { int64_t x = cg_unzigzag64(v); memcpy((char *)out + 8 * i, &x, 8); break; }
    default: memcpy((char *)out + 8 * i, &v, 8);
  }
}

/* Reference decode: one varint at a time; SIZE_MAX on failure. */
static size_t ref_unpack(cg_encoding k, const uint8_t *p, size_t len, void *out) {
  const uint8_t *end = p + len;
  size_t n = 0;
  while (p < end) {
    uint64_t v;
    p = cg_read_varint(p, end, &v);
    if (!p) return SIZE_MAX;
    ref_store(k, out, n++, v);
  }
  return n;
}

/* Values of up to max_bits bits, their widths spread evenly. */
static unsigned max_bits = 64;
static uint64_t random_value(void) {
  unsigned bits = (unsigned)(rnd() % (max_bits + 1));
  uint64_t v = bits == 64 ? rnd() : rnd() & ((1ull << bits) - 1);
  return v;
}

static void check_table(const char *name, const cg__varint_table *t) {
  static uint8_t in[8 * 700], got[16 * 700], want[16 * 700];
  static uint64_t dec_got[700 + 64], dec_want[700 + 64];
  for (int k = 0; k < 5; k++) {
    for (int round = 0; round < 300; round++) {
      size_t n = (size_t)(rnd() % 700);
      /* Every other round below 2^56, so that whole groups of 8 reach a
       * vector encoder; the others mix in 9- and 10-byte varints. */
      max_bits = round % 2 ? 56 : 64;
      for (size_t i = 0; i < n; i++) {
        uint64_t v = random_value();
        memcpy(in + i * width[k], &v, width[k]);
      }
      /* encode: bytes equal to the reference writer */
      uint8_t *q = want;
      for (size_t i = 0; i < n; i++) q = cg_write_varint(q, ref_value(k, in, i));
      size_t want_len = (size_t)(q - want);
      /* into exactly the room the contract asks for, so ASan sees overruns */
      uint8_t *packed = malloc(10 * n + 16);
      size_t got_len = t->pack(k, in, n, packed);
      CHECK(got_len == want_len && !memcmp(packed, want, want_len), "%s pack kind %d n %zu", name, k, n);
      free(packed);
      CHECK(t->size(k, in, n) == want_len, "%s size kind %d", name, k);
      CHECK(t->count(want, want_len) == n, "%s count kind %d", name, k);
      /* decode what was encoded, then damaged copies of it */
      for (int damage = 0; damage < 5; damage++) {
        size_t len = want_len;
        memcpy(got, want, len);
        if (damage == 1 && len) got[rnd() % len] ^= 0x80;           /* merge or split varints */
        if (damage == 2 && len) len = rnd() % len;                 /* cut */
        if (damage == 3) { size_t at = len ? rnd() % len : 0, r = 9 + rnd() % 4; /* long runs */
          if (len + r < sizeof got) { memmove(got + at + r, got + at, len - at); memset(got + at, 0x80, r); len += r; } }
        if (damage == 4 && len) got[rnd() % len] ^= (uint8_t)(rnd() & 0x7f); /* payload bits, a tenth byte's too */
        memset(dec_got, 0xAB, sizeof dec_got);
        memset(dec_want, 0xAB, sizeof dec_want);
        uint8_t *exact = malloc(len ? len : 1); /* exactly len bytes: ASan sees any read past them */
        memcpy(exact, got, len);
        size_t a = t->unpack(k, exact, len, dec_got), b = ref_unpack(k, got, len, dec_want);
        free(exact);
        CHECK(a == b && (a == SIZE_MAX || !memcmp(dec_got, dec_want, a * width[k])),
              "%s unpack kind %d damage %d len %zu: %zu vs %zu", name, k, damage, len, a, b);
      }
    }
  }
}

int main(void) {
  const char *active = "?";
  for (size_t i = 0; i < cg__varint_build_count; i++) {
    const cg__varint_build *b = &cg__varint_builds[i];
    if (cg__varint_ops() == b->table) active = b->name;
    if (cg__varint_usable(b->table)) check_table(b->name, b->table);
    else printf("%s: skipped (not supported, or slow, on this CPU)\n", b->name);
  }
  printf("active varint codec: %s\n", active);
  CHECK(strcmp(active, cg_varint_active()) == 0, "cg_varint_active() says %s", cg_varint_active());
  const char *cap = getenv("CALCGEN_VARINT"); /* generic, avx2 or bmi2: never above it */
  if (cap && strcmp(cap, "generic") == 0) CHECK(strcmp(active, "generic") == 0, "capped at generic");
  if (cap && strcmp(cap, "avx2") == 0)
    CHECK(strcmp(active, "generic") == 0 || strcmp(active, "avx2") == 0, "capped at avx2");
  if (cap && strcmp(cap, "bmi2") == 0) CHECK(strcmp(active, "avx512") != 0, "capped at bmi2");
  printf("%zu passed, %zu failed\n", passed, failed);
  return failed ? 1 : 0;
}
