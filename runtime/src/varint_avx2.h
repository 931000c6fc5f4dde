/* The AVX2 varint build's own primitives (see varint_avx2.c), after
 * varint_common.h and before the shared loops of varint_body.h, which use them
 * through PACK_GROUPS. */
#ifndef CALCGEN_SRC_VARINT_AVX2_H
#define CALCGEN_SRC_VARINT_AVX2_H

#include <immintrin.h>
#include <stdint.h>

#include "varint_common.h"

/* Four elements as the 64-bit values to encode. */
static inline __m256i load4(cg_encoding kind, const void *in, size_t i) {
  switch (kind) {
    case CG_ENC_INT32:
      return _mm256_cvtepi32_epi64(_mm_loadu_si128((const __m128i *)(const void *)((const int32_t *)in + i)));
    case CG_ENC_UINT32:
      return _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)(const void *)((const int32_t *)in + i)));
    case CG_ENC_SINT32: {
      __m128i x = _mm_loadu_si128((const __m128i *)(const void *)((const int32_t *)in + i));
      return _mm256_cvtepu32_epi64(_mm_xor_si128(_mm_slli_epi32(x, 1), _mm_srai_epi32(x, 31)));
    }
    case CG_ENC_SINT64: {
      __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)((const int64_t *)in + i));
      __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), x); /* no 64-bit arithmetic shift */
      return _mm256_xor_si256(_mm256_slli_epi64(x, 1), sign);
    }
    default:
      return _mm256_loadu_si256((const __m256i *)(const void *)((const int64_t *)in + i));
  }
}

/* Encodes four values at p (which needs 10 bytes of room from the last one's start).
 * The spread covers bits 0-55: all of a value below 2^56, and the first
 * eight bytes of a longer one (9 or 10 bytes), whose last two are its top
 * 8 bits (bit 63 doubling as the ninth byte's continuation bit) and 1. */
static inline uint8_t *pack4(__m256i v, uint8_t *p) {
  /* 7-bit groups to bytes: 28-bit halves, then 14-bit quarters, then bytes */
  __m256i x = _mm256_or_si256(_mm256_and_si256(v, _mm256_set1_epi64x(0x000000000fffffffll)),
                              _mm256_slli_epi64(_mm256_and_si256(v, _mm256_set1_epi64x(0x00fffffff0000000ll)), 4));
  x = _mm256_or_si256(_mm256_and_si256(x, _mm256_set1_epi64x(0x00003fff00003fffll)),
                      _mm256_slli_epi64(_mm256_and_si256(x, _mm256_set1_epi64x(0x0fffc0000fffc000ll)), 2));
  x = _mm256_or_si256(_mm256_and_si256(x, _mm256_set1_epi64x(0x007f007f007f007fll)),
                      _mm256_slli_epi64(_mm256_and_si256(x, _mm256_set1_epi64x(0x3f803f803f803f80ll)), 1));
  uint64_t w[4], value[4];
  _mm256_storeu_si256((__m256i *)(void *)w, x);
  _mm256_storeu_si256((__m256i *)(void *)value, v);
  for (int k = 0; k < 4; k++) p = put_spread(p, w[k], value[k]);
  return p;
}

#define PACK_GROUPS(KIND)                                                      \
  for (; i + 4 <= n; i += 4) p = pack4(load4(KIND, in, i), p);

#endif
