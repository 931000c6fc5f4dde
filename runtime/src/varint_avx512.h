/* The AVX512 varint build's own primitives (see varint_avx512.c), after
 * varint_common.h and before the shared loops of varint_body.h, which use them
 * through PACK_GROUPS and UNPACK_GROUPS. */
#ifndef CALCGEN_SRC_VARINT_AVX512_H
#define CALCGEN_SRC_VARINT_AVX512_H

#include <immintrin.h>
#include <stdint.h>

#include "varint_common.h"

/* Eight elements as the 64-bit values to encode. */
static inline __m512i load_group(cg_encoding kind, const void *in, size_t i) {
  switch (kind) {
    case CG_ENC_INT32:
      return _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)((const int32_t *)in + i)));
    case CG_ENC_UINT32:
      return _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)((const int32_t *)in + i)));
    case CG_ENC_SINT32: {
      __m256i x = _mm256_loadu_si256((const __m256i *)((const int32_t *)in + i));
      return _mm512_cvtepu32_epi64(_mm256_xor_si256(_mm256_slli_epi32(x, 1), _mm256_srai_epi32(x, 31)));
    }
    case CG_ENC_SINT64: {
      __m512i x = _mm512_loadu_si512((const int64_t *)in + i);
      return _mm512_xor_si512(_mm512_slli_epi64(x, 1), _mm512_srai_epi64(x, 63));
    }
    default:
      return _mm512_loadu_si512((const int64_t *)in + i);
  }
}


/* Encodes eight values below 2^56 at p (which needs 64 bytes of room);
 * returns the end of the eighth. */
static inline uint8_t *pack_group(__m512i v, uint8_t *p) {
  /* bytes by leading zeros of (v | 1): varint_len, whose entries below 8
   * (9- and 10-byte varints) are never used here, and lz < 64 */
  const __m512i table = _mm512_loadu_si512(varint_len);
  const __m512i to_all_bytes = _mm512_set_epi8(
      8, 8, 8, 8, 8, 8, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0, 8, 8, 8, 8, 8, 8, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0,
      8, 8, 8, 8, 8, 8, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0, 8, 8, 8, 8, 8, 8, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m512i byte_index = _mm512_set1_epi64(0x0706050403020100ll);
  const __m512i group_shift = _mm512_set1_epi64(0x312a231c150e0700ll); /* 0, 7, ..., 49 */
  __m512i lz = _mm512_lzcnt_epi64(_mm512_or_si512(v, _mm512_set1_epi64(1)));
  __m512i len = _mm512_shuffle_epi8(_mm512_permutexvar_epi8(lz, table), to_all_bytes);
  __mmask64 used = _mm512_cmplt_epu8_mask(byte_index, len);
  /* A used byte continues when the next byte of its lane is used too. */
  __mmask64 more = used & (used >> 1) & 0x7f7f7f7f7f7f7f7full;
  __m512i x = _mm512_and_si512(_mm512_multishift_epi64_epi8(group_shift, v), _mm512_set1_epi8(0x7f));
  x = _mm512_mask_blend_epi8(more, x, _mm512_or_si512(x, _mm512_set1_epi8((char)0x80)));
  _mm512_storeu_si512(p, _mm512_maskz_compress_epi8(used, x));
  return p + __builtin_popcountll(used);
}

#define PACK_GROUPS(KIND)                                                      \
  for (; i + 8 <= n; i += 8) {                                                 \
    __m512i v = load_group(KIND, in, i);                                       \
    if (_mm512_cmpge_epu64_mask(v, _mm512_set1_epi64(1ll << 56))) {            \
      uint64_t lanes[8];                                                       \
      _mm512_storeu_si512(lanes, v);                                           \
      for (int k = 0; k < 8; k++) p = put_one(p, lanes[k]);                    \
    } else {                                                                   \
      p = pack_group(v, p);                                                    \
    }                                                                          \
  }

/* ---- decoding ---- */

/* Eight 8-byte lanes, each holding one varint's bytes (zero above its last
 * byte), to the eight values: drop the continuation bits, then join the
 * 7-bit groups pairwise (bytes to 14 bits, to 28 bits, to 56 bits). */
static inline __m512i squeeze_group(__m512i x) {
  x = _mm512_and_si512(x, _mm512_set1_epi8(0x7f));
  x = _mm512_maddubs_epi16(_mm512_set1_epi16(0x8001), x); /* b0 + 128 * b1 */
  x = _mm512_madd_epi16(x, _mm512_set1_epi32(0x40000001)); /* w0 + 2^14 * w1 */
  return _mm512_or_si512(_mm512_and_si512(x, _mm512_set1_epi64(0xffffffff)),
                         _mm512_srli_epi64(_mm512_andnot_si512(_mm512_set1_epi64(0xffffffff), x), 4));
}

/* Stores lanes `live` of eight decoded values as elements g.. of out. */
static inline void store_group(cg_encoding kind, void *out, size_t g, __m512i v, __mmask8 live) {
  const __m512i one = _mm512_set1_epi64(1);
  switch (kind) {
    case CG_ENC_INT32:
    case CG_ENC_UINT32: /* the low 32 bits */
      _mm512_mask_cvtepi64_storeu_epi32((int32_t *)out + g, live, v);
      break;
    case CG_ENC_SINT32:
      v = _mm512_and_si512(v, _mm512_set1_epi64(0xffffffff));
      v = _mm512_xor_si512(_mm512_srli_epi64(v, 1), _mm512_sub_epi64(_mm512_setzero_si512(), _mm512_and_si512(v, one)));
      _mm512_mask_cvtepi64_storeu_epi32((int32_t *)out + g, live, v);
      break;
    case CG_ENC_SINT64:
      v = _mm512_xor_si512(_mm512_srli_epi64(v, 1), _mm512_sub_epi64(_mm512_setzero_si512(), _mm512_and_si512(v, one)));
      _mm512_mask_storeu_epi64((int64_t *)out + g, live, v);
      break;
    default:
      _mm512_mask_storeu_epi64((int64_t *)out + g, live, v);
  }
}

/* Decodes the varints that end inside the 64 bytes at src (where a varint
 * starts; `avail` bytes are there, at most 64 are read), stopping before
 * the first one longer than 10 bytes (malformed: the scalar decoder says
 * so): stores them at out, sets *used to the bytes they take and returns
 * how many (0: the scalar decoder takes it from here). Where varint i ends
 * comes from compressing the byte positions under the terminator mask; its
 * first eight bytes are gathered into its lane with one byte permute, its
 * ninth and tenth (a negative number has them) with another, so lengths
 * mixed at random cost no branch. */
static inline size_t decode_window(cg_encoding kind, const uint8_t *src, size_t avail, void *out,
                                   size_t *used) {
  const __m512i position = _mm512_set_epi8(
      63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38,
      37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13,
      12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  const __m512i byte_index = _mm512_set1_epi64(0x0706050403020100ll);
  const __m512i tail_index = _mm512_set1_epi64(0x0908); /* bytes 8 and 9, in bytes 0 and 1 of the lane */
  const __mmask64 tail_bytes = 0x0303030303030303ull;
  const __m512i lane = _mm512_set_epi64(0x0707070707070707ll, 0x0606060606060606ll, 0x0505050505050505ll,
                                        0x0404040404040404ll, 0x0303030303030303ll, 0x0202020202020202ll,
                                        0x0101010101010101ll, 0);
  /* Fewer than 64 bytes left: a masked load (no access past them), and
   * only their terminators count. */
  __mmask64 valid = avail >= 64 ? ~0ull : (1ull << avail) - 1;
  __m512i data = _mm512_maskz_loadu_epi8(valid, src);
  uint64_t stops = ~(uint64_t)_mm512_movepi8_mask(data) & valid;
  if (!stops) return 0;
  __m512i end = _mm512_maskz_compress_epi8(stops, position); /* byte i: varint i's last byte */
  /* byte i: varint i's first byte (0 for i = 0, else one past end[i - 1]) */
  __m512i begin = _mm512_maskz_permutexvar_epi8(~1ull, _mm512_sub_epi8(position, _mm512_set1_epi8(1)),
                                                _mm512_add_epi8(end, _mm512_set1_epi8(1)));
  unsigned k = (unsigned)__builtin_popcountll(stops);
  __mmask64 live = k == 64 ? ~0ull : (1ull << k) - 1;
  __mmask64 too_long = _mm512_mask_cmpgt_epu8_mask(live, _mm512_sub_epi8(end, begin), _mm512_set1_epi8(9));
  if (too_long) k = (unsigned)__builtin_ctzll(too_long);
  if (!k) return 0;
  /* whether any varint here has a ninth byte: predictable per window for
   * small values only, and for mixed ones (nearly every window has one) */
  int any_long = _mm512_mask_cmpgt_epu8_mask(live, _mm512_sub_epi8(end, begin), _mm512_set1_epi8(7)) != 0;
  *used = (size_t)__builtin_ctzll(_pdep_u64(1ull << (k - 1), stops)) + 1;
  for (unsigned g = 0; g < k; g += 8) {
    __m512i sel = _mm512_add_epi8(lane, _mm512_set1_epi8((char)g));
    __m512i first = _mm512_permutexvar_epi8(sel, begin), last = _mm512_permutexvar_epi8(sel, end);
    __m512i at = _mm512_add_epi8(first, byte_index);
    __mmask64 mine = _mm512_cmple_epu8_mask(at, last);
    __m512i v = squeeze_group(_mm512_maskz_permutexvar_epi8(mine, at, data));
    /* bytes 8 and 9 where the varint has them (positions past 63 are past
     * `last`, so never read): the ninth's 7 bits and the tenth's lowest bit
     * (the rest is past bit 63, dropped as cg_varint_value drops it) */
    if (any_long) {
      __m512i at2 = _mm512_add_epi8(first, tail_index);
      __m512i t = _mm512_maskz_permutexvar_epi8(_mm512_mask_cmple_epu8_mask(tail_bytes, at2, last), at2, data);
      t = _mm512_or_si512(_mm512_and_si512(t, _mm512_set1_epi64(0x7f)),
                          _mm512_and_si512(_mm512_srli_epi64(t, 1), _mm512_set1_epi64(0x80)));
      v = _mm512_or_si512(v, _mm512_slli_epi64(t, 56));
    }
    store_group(kind, out, g, v, (__mmask8)(k - g >= 8 ? 0xff : (1u << (k - g)) - 1));
  }
  return k;
}

#define UNPACK_GROUPS(KIND)                                                    \
  while (start < len) {                                                        \
    size_t used, width = (KIND) == CG_ENC_VARINT64 || (KIND) == CG_ENC_SINT64 ? 8 : 4; \
    size_t k = decode_window(KIND, p + start, len - start, (char *)out + n * width, &used); \
    if (!k) break;                                                             \
    n += k;                                                                    \
    start += used;                                                             \
  }

#endif
