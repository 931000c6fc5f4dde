/* The primitives every packed-varint build shares (scalar squeeze and
 * spread, length tables, terminator masks, the long-value tail), before each
 * build's own vector primitives (varint_<isa>.h) and the shared loops
 * (varint_body.h). A varint_<isa>.c is its switches (VARINT_AVX2,
 * VARINT_BMI2) and those three includes, in that order. */
#ifndef CALCGEN_SRC_VARINT_COMMON_H
#define CALCGEN_SRC_VARINT_COMMON_H

#include <stdint.h>
#include <string.h>

#include "calcgen/support/wire.h"
#include "varint_table.h"

#if VARINT_BMI2 && !VARINT_AVX2
#error "the BMI2 build is the AVX2 build plus pext/pdep"
#endif
#if VARINT_AVX2
#include <immintrin.h>
#endif

#if VARINT_BMI2
#define CTZ64(m) ((size_t)_tzcnt_u64(m))
#define POPCOUNT(x) __builtin_popcountll(x)
#define SPREAD(v) _pdep_u64((v), 0x7f7f7f7f7f7f7f7full)
#else
/* x: payload bits only (continuation bits and bytes past the varint clear). */
static inline uint64_t squeeze_masked(uint64_t x) {
  x = (x & 0x007f007f007f007full) | ((x & 0x7f007f007f007f00ull) >> 1);
  x = (x & 0x00003fff00003fffull) | ((x & 0x3fff00003fff0000ull) >> 2);
  return (x & 0x000000000fffffffull) | ((x & 0x0fffffff00000000ull) >> 4);
}
static inline uint64_t spread(uint64_t x) {
  x = (x & 0x000000000fffffffull) | ((x & 0x00fffffff0000000ull) << 4);
  x = (x & 0x00003fff00003fffull) | ((x & 0x0fffc0000fffc000ull) << 2);
  return (x & 0x007f007f007f007full) | ((x & 0x3f803f803f803f80ull) << 1);
}
#define CTZ64(m) ((unsigned)__builtin_ctzll(m)) /* unsigned: no sign extension */
/* stops8() has at most one bit per byte position in its low byte. */
static inline unsigned popcount8(uint64_t x) {
  x = x - ((x >> 1) & 0x55);
  x = (x & 0x33) + ((x >> 2) & 0x33);
  return (unsigned)((x + (x >> 4)) & 0x0f);
}
#define POPCOUNT(x) popcount8(x)
#define SPREAD(v) spread(v)
#endif

/* Bytes of a varint by the leading zeros of the value (v | 1):
 * max(1, ceil((64 - clz) / 7)), as cg_varint_size() computes it: in the
 * pack loop a table load is cheaper than that arithmetic. */
static const uint8_t varint_len[65] = {
    10, 9, 9, 9, 9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 7, 7,
    7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6, 5, 5, 5, 5, 5,
    5, 5, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 2,
    2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1};
/* Continuation bits of the first eight bytes of an l-byte varint (1..10). */
static const uint64_t cont_bits[11] = {0, 0, 0x80, 0x8080, 0x808080, 0x80808080, 0x8080808080,
                                       0x808080808080, 0x80808080808080, 0x8080808080808080ull,
                                       0x8080808080808080ull};

static inline unsigned len_of(uint64_t v) { return varint_len[__builtin_clzll(v | 1)]; }

/* Bit i set when byte i of the 8 is a varint's last byte. */
static inline uint64_t stops8(const uint8_t *p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return (((~w & 0x8080808080808080ull) >> 7) * 0x0102040810204080ull) >> 56;
}


/* The payload bits of a varint of l bytes (index l = 0..10): of its first
 * eight bytes, and of bytes 8 and 9 (a tenth byte's lowest bit only: the
 * rest is past bit 63, dropped as cg_varint_value drops it). */
static const uint64_t group_mask[11] = {
    0, 0x7f, 0x7f7f, 0x7f7f7f, 0x7f7f7f7f, 0x7f7f7f7f7full, 0x7f7f7f7f7f7full, 0x7f7f7f7f7f7f7full,
    0x7f7f7f7f7f7f7f7full, 0x7f7f7f7f7f7f7f7full, 0x7f7f7f7f7f7f7f7full};
static const uint64_t tail_mask[11] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0x17f};

/* A varint of l = 1..10 bytes at p, with 16 bytes readable there, without
 * a branch on l: the lengths of real data are not predictable (signs mix,
 * and so do magnitudes), and a mispredicted length costs more than this
 * whole decode. */
static inline uint64_t any_value(const uint8_t *p, size_t l) {
  uint64_t w, h;
  memcpy(&w, p, 8);
  memcpy(&h, p + 8, 8);
#if VARINT_BMI2
  return _pext_u64(w, group_mask[l]) | _pext_u64(h, tail_mask[l]) << 56;
#else
  uint64_t t = h & tail_mask[l];
  return squeeze_masked(w & group_mask[l]) | ((t & 0x7f) | (t >> 8) << 7) << 56;
#endif
}

/* Element conversions per kind: cg__varint_element / cg__varint_store
 * (varint_table.h), with the kind a constant in each expansion below. */

#if VARINT_AVX2
/* Terminating bytes of 64 bytes: the complement of their top bits. */
static inline uint64_t stops64(const uint8_t *p) {
  uint32_t lo = (uint32_t)_mm256_movemask_epi8(_mm256_loadu_si256((const __m256i *)(const void *)p));
  uint32_t hi = (uint32_t)_mm256_movemask_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(p + 32)));
  return ~((uint64_t)hi << 32 | lo);
}
#elif defined(__SSE2__)
/* Every x86-64 CPU has SSE2: four 16-byte byte masks find the terminators
 * with fewer instructions than eight multiplies. */
#include <emmintrin.h>
static inline uint64_t stops64(const uint8_t *p) {
  uint64_t m = 0;
  for (int k = 0; k < 4; k++)
    m |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k)))
         << (16 * k);
  return ~m;
}
#elif defined(__wasm_simd128__)
/* WebAssembly SIMD (the simd128 build): byte masks, as on SSE2. */
#include <wasm_simd128.h>
static inline uint64_t stops64(const uint8_t *p) {
  uint64_t m = 0;
  for (int k = 0; k < 4; k++) m |= (uint64_t)wasm_i8x16_bitmask(wasm_v128_load(p + 16 * k)) << (16 * k);
  return ~m;
}
#else
static inline uint64_t stops64(const uint8_t *p) {
  uint64_t m = 0;
  for (int k = 0; k < 8; k++) m |= stops8(p + 8 * k) << (8 * k);
  return m;
}
#endif

#if !VARINT_AVX2 && defined(__SSE2__)
/* Bits set in x, without the POPCNT instruction (not in baseline x86-64). */
static inline unsigned popcount64(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return (unsigned)((x * 0x0101010101010101ull) >> 56);
}
#define POPCOUNT64(x) popcount64(x)
#elif VARINT_AVX2 || defined(__wasm_simd128__)
#define POPCOUNT64(x) ((unsigned)__builtin_popcountll(x)) /* wasm: i64.popcnt */
#endif

/* A value of 2^56 or more (9 or 10 bytes: every negative int64 and int32):
 * eight bytes that all continue, then its top 8 bits as they are (bit 63
 * doubles as the ninth byte's continuation bit) and a last byte of 1
 * (written for 9 bytes too, into the room past the end). */
static inline void put_long_tail(uint8_t *p, uint64_t v) {
  uint16_t tail = (uint16_t)((v >> 56) | 0x100); /* bytes 8 and 9 */
  memcpy(p + 8, &tail, 2);
}

/* One varint at p, 1 to 10 bytes, without a branch on its length (signs
 * and magnitudes mixed at random would mispredict it): the first eight
 * bytes (`spread`: v's 7-bit groups in bytes) with their continuation bits,
 * then the long tail, which a short varint's successor overwrites. p needs
 * 10 bytes of room from its start. The vector encoders spread several
 * values at once and store each through this. */
static inline __attribute__((always_inline)) uint8_t *put_spread(uint8_t *p, uint64_t spread, uint64_t v) {
  unsigned l = len_of(v);
  uint64_t x = spread | cont_bits[l];
  memcpy(p, &x, 8);
  put_long_tail(p, v);
  return p + l;
}

static inline __attribute__((always_inline)) uint8_t *put_one(uint8_t *p, uint64_t v) {
  return put_spread(p, SPREAD(v), v);
}

#endif
