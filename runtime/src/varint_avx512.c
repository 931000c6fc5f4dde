/* Packed varints with an AVX-512 encoder (F, BW, CD, VBMI, VBMI2): eight
 * elements per step, no per-element branch. Decoding and counting are the
 * BMI2 build's. Built with these flags only, used only where the CPU has
 * them (cpu.c).
 *
 * One step: the byte length of each element from its leading zeros (a
 * 64-byte table lookup), the 7-bit groups spread into bytes by one
 * multishift, continuation bits added under a mask, and the used bytes of
 * the eight lanes compressed together and stored at once. A group holding a
 * value of 2^56 or more (9 or 10 bytes: negative int32/int64 among them)
 * goes through the scalar encoder instead. */
#include <immintrin.h>
#include <stdint.h>

#include "calcgen/wire.h"

/* Bytes of a varint by the leading zeros of (v | 1), for 0..63; entries
 * below 8 (9- and 10-byte varints) are never used here. */
static const uint8_t len_by_lz[64] = {
    10, 9, 9, 9, 9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 7, 7, 7, 7, 7, 7, 7,
    6,  6, 6, 6, 6, 6, 6, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 3,
    3,  3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1};

/* Eight elements as the 64-bit values to encode. */
static inline __m512i load_group(cg_varint_kind kind, const void *in, size_t i) {
  switch (kind) {
    case CG_VARINT_INT32:
      return _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)((const int32_t *)in + i)));
    case CG_VARINT_UINT32:
      return _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)((const int32_t *)in + i)));
    case CG_VARINT_SINT32: {
      __m256i x = _mm256_loadu_si256((const __m256i *)((const int32_t *)in + i));
      return _mm512_cvtepu32_epi64(_mm256_xor_si256(_mm256_slli_epi32(x, 1), _mm256_srai_epi32(x, 31)));
    }
    case CG_VARINT_SINT64: {
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
  const __m512i table = _mm512_loadu_si512(len_by_lz);
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

#define VARINT_TABLE cg__varint_avx512
#define VARINT_BMI2 1
#include "varint_body.h"
