/* Packed-varint array codec, one body for four builds: varint_generic.c
 * (portable bit tricks), varint_avx2.c (AVX2 byte masks and four-lane
 * decoding, for CPUs whose pext/pdep are slow), varint_bmi2.c (the same
 * with pext/pdep) and varint_avx512.c (the BMI2 body behind vector group
 * codecs it plugs in through PACK_GROUPS and UNPACK_GROUPS). VARINT_TABLE
 * names the table; VARINT_AVX2 says whether AVX2 (with BMI1, LZCNT and
 * POPCNT) may be used, VARINT_BMI2 whether pext/pdep squeeze and spread.
 * The primitives are in varint_common.h, included (with the build's own) first.
 *
 * Decoding finds the terminating bytes of 64 bytes at once, so where each
 * varint starts is known without decoding the one before it; every varint,
 * 1 to 10 bytes, is then two unaligned 8-byte loads masked by its length and
 * squeezed, with no branch on the length (with AVX2, four at a time when
 * they are at most 8 bytes). Encoding spreads 7-bit groups into bytes and
 * stores 8 bytes, then the 2-byte long tail, whatever the length. Results are those of cg_read_varint / cg_write_varint in
 * calcgen/support/wire.h. */
#include "varint_common.h"

static size_t count(const uint8_t *p, size_t len) {
  size_t n = 0, i = 0;
#ifdef POPCOUNT64 /* 64 bytes at a time where stops64 is cheap (byte masks) */
  for (; i + 64 <= len; i += 64) n += POPCOUNT64(stops64(p + i));
#endif
  for (; i + 8 <= len; i += 8) n += (size_t)POPCOUNT(stops8(p + i));
  for (; i < len; i++) n += p[i] < 0x80;
  return n;
}

#if VARINT_AVX2
/* Stores four decoded values as elements n.. of out, converted for kind. */
static inline void store4(cg_encoding kind, void *out, size_t n, __m256i v) {
  const __m256i one = _mm256_set1_epi64x(1), low_dwords = _mm256_set_epi32(7, 7, 7, 7, 6, 4, 2, 0);
  switch (kind) {
    case CG_ENC_SINT64:
      v = _mm256_xor_si256(_mm256_srli_epi64(v, 1), _mm256_sub_epi64(_mm256_setzero_si256(), _mm256_and_si256(v, one)));
      /* fall through */
    case CG_ENC_VARINT64:
      _mm256_storeu_si256((__m256i *)(void *)((int64_t *)out + n), v);
      break;
    case CG_ENC_SINT32:
      v = _mm256_and_si256(v, _mm256_set1_epi64x(0xffffffff));
      v = _mm256_xor_si256(_mm256_srli_epi64(v, 1), _mm256_sub_epi64(_mm256_setzero_si256(), _mm256_and_si256(v, one)));
      /* fall through */
    default: /* the low 32 bits */
      _mm_storeu_si128((__m128i *)(void *)((int32_t *)out + n),
                       _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(v, low_dwords)));
      break;
  }
}

/* Takes the next four varints of block mask *m (whose bit i is byte base+i)
 * when each is at most 8 bytes: stores them, advances *start, clears their
 * bits and returns 1; else leaves everything as it was and returns 0.
 *
 * Their ends go into one vector; the byte before each varint is the end
 * before it (the lanes moved up one, the first from *start), so the four
 * lengths are one subtraction. Each varint's 8 bytes are loaded, the bytes
 * past its end shifted out, then the continuation bits dropped and the 7-bit
 * groups joined pairwise (bytes to 14 bits, to 28, to 56) in all four lanes
 * together. The start positions come from the ends already in the vector
 * (lanes moved up one), not from four more scalars: fewer dependent steps. */
static inline int take4(cg_encoding kind, const uint8_t *p, size_t base, uint64_t *m,
                        size_t *start, void *out, size_t n) {
  uint64_t mm = *m;
  size_t e0 = (size_t)_tzcnt_u64(mm);
  mm = _blsr_u64(mm);
  size_t e1 = (size_t)_tzcnt_u64(mm);
  mm = _blsr_u64(mm);
  size_t e2 = (size_t)_tzcnt_u64(mm);
  mm = _blsr_u64(mm);
  size_t e3 = (size_t)_tzcnt_u64(mm);
  mm = _blsr_u64(mm);
  /* positions relative to base (the first start may be before it) */
  __m256i ends = _mm256_set_epi64x((long long)e3, (long long)e2, (long long)e1, (long long)e0);
  __m256i before = _mm256_blend_epi32(_mm256_permute4x64_epi64(ends, 0x90),
                                      _mm256_set1_epi64x((long long)(*start - base - 1)), 0x03);
  __m256i lengths = _mm256_sub_epi64(ends, before);
  if (_mm256_movemask_epi8(_mm256_cmpgt_epi64(lengths, _mm256_set1_epi64x(8)))) return 0;
  const uint8_t *after = p + base + 1; /* varint j + 1 starts at after + e_j */
  uint64_t w0, w1, w2, w3;
  memcpy(&w0, p + *start, 8);
  memcpy(&w1, after + e0, 8);
  memcpy(&w2, after + e1, 8);
  memcpy(&w3, after + e2, 8);
  __m256i w = _mm256_set_epi64x((long long)w3, (long long)w2, (long long)w1, (long long)w0);
  __m256i past = _mm256_sub_epi64(_mm256_set1_epi64x(64), _mm256_slli_epi64(lengths, 3));
  w = _mm256_srlv_epi64(_mm256_sllv_epi64(w, past), past);
  w = _mm256_and_si256(w, _mm256_set1_epi8(0x7f));
  w = _mm256_maddubs_epi16(_mm256_set1_epi16(0x8001), w);   /* b0 + 128 * b1 */
  w = _mm256_madd_epi16(w, _mm256_set1_epi32(0x40000001)); /* w0 + 2^14 * w1 */
  store4(kind, out, n,
         _mm256_or_si256(_mm256_and_si256(w, _mm256_set1_epi64x(0xffffffff)),
                         _mm256_srli_epi64(_mm256_andnot_si256(_mm256_set1_epi64x(0xffffffff), w), 4)));
  *m = mm;
  *start = base + e3 + 1;
  return 1;
}
/* After a miss (a long varint among the four) the rest of the block goes
 * one varint at a time, and so does the next block when this one had a
 * varint over 8 bytes: long varints come in runs (negative numbers), where
 * an attempt at four mostly fails and costs more than it saves. */
#define TAKE4(KIND)                                                            \
  if (four && __builtin_popcountll(m) >= 4) {                                  \
    if (take4(KIND, p, base, &m, &start, out, n)) {                            \
      n += 4;                                                                  \
      continue;                                                                \
    }                                                                          \
    four = 0;                                                                  \
  }
#define TAKE4_STATE                                                            \
  int four = !long_seen;                                                       \
  long_seen = 0;
#define LONG_SEEN(l) long_seen |= (l) > 8;
#else
#define TAKE4(KIND)
#define TAKE4_STATE
#define LONG_SEEN(l)
#endif

/* Builds with a vector decoder (varint_avx512.c) define UNPACK_GROUPS to
 * run it first; it advances n and start past the varints it decoded. */
#ifndef UNPACK_GROUPS
#define UNPACK_GROUPS(KIND)
#endif

#define UNPACK(KIND)                                                           \
  {                                                                            \
    size_t n = 0, start = 0, base;                                             \
    int long_seen = 0;                                                         \
    (void)long_seen;                                                           \
    UNPACK_GROUPS(KIND)                                                        \
    base = start;                                                              \
    while (base + 80 <= len) { /* any_value reads 16 bytes from a start */    \
      uint64_t m = stops64(p + base);                                          \
      TAKE4_STATE                                                              \
      while (m) {                                                              \
        TAKE4(KIND)                                                            \
        size_t t = base + CTZ64(m), l = t - start + 1;                         \
        m &= m - 1;                                                            \
        if (__builtin_expect(l > 10, 0)) return SIZE_MAX;                      \
        LONG_SEEN(l)                                                           \
        uint64_t v = any_value(p + start, l);                                  \
        cg__varint_store(KIND, out, n, v);                                     \
        n++;                                                                   \
        start = t + 1;                                                         \
      }                                                                        \
      base += 64;                                                              \
    }                                                                          \
    const uint8_t *q = p + start, *end = p + len;                              \
    while (q < end) {                                                          \
      uint64_t v;                                                              \
      q = cg_read_varint(q, end, &v);                                          \
      if (!q) return SIZE_MAX;                                                 \
      cg__varint_store(KIND, out, n, v);                                       \
      n++;                                                                     \
    }                                                                          \
    return n;                                                                  \
  }

static size_t unpack(cg_encoding kind, const uint8_t *p, size_t len, void *out) {
  switch (kind) {
    case CG_ENC_INT32:
    case CG_ENC_UINT32: UNPACK(CG_ENC_UINT32)
    case CG_ENC_SINT32: UNPACK(CG_ENC_SINT32)
    case CG_ENC_SINT64: UNPACK(CG_ENC_SINT64)
    default: UNPACK(CG_ENC_VARINT64)
  }
}

#define PACK(KIND)                                                             \
  {                                                                            \
    uint8_t *p = out;                                                          \
    size_t i = 0;                                                              \
    PACK_GROUPS(KIND)                                                          \
    /* Two per step: the two stores overlap in the pipeline, and the speed \
     * no longer depends on where the loop falls in the binary (one per    \
     * step did). docs/measurements/ has the figures. */                   \
    for (; i + 2 <= n; i += 2) {                                               \
      p = put_one(p, cg__varint_element(KIND, in, i));                         \
      p = put_one(p, cg__varint_element(KIND, in, i + 1));                     \
    }                                                                          \
    for (; i < n; i++) p = put_one(p, cg__varint_element(KIND, in, i));       \
    return (size_t)(p - out);                                                  \
  }

/* Builds with a vector encoder (varint_avx512.c) define PACK_GROUPS to run
 * it over whole groups first; it leaves i at the first element not done. */
#ifndef PACK_GROUPS
#define PACK_GROUPS(KIND)
#endif

static size_t pack(cg_encoding kind, const void *in, size_t n, uint8_t *out) {
  switch (kind) {
    case CG_ENC_INT32: PACK(CG_ENC_INT32)
    case CG_ENC_UINT32: PACK(CG_ENC_UINT32)
    case CG_ENC_SINT32: PACK(CG_ENC_SINT32)
    case CG_ENC_SINT64: PACK(CG_ENC_SINT64)
    default: PACK(CG_ENC_VARINT64)
  }
}

#define SIZE(KIND)                                                             \
  {                                                                            \
    size_t total = 0;                                                          \
    for (size_t i = 0; i < n; i++) total += len_of(cg__varint_element(KIND, in, i));               \
    return total;                                                              \
  }

static size_t size(cg_encoding kind, const void *in, size_t n) {
  switch (kind) {
    case CG_ENC_INT32: SIZE(CG_ENC_INT32)
    case CG_ENC_UINT32: SIZE(CG_ENC_UINT32)
    case CG_ENC_SINT32: SIZE(CG_ENC_SINT32)
    case CG_ENC_SINT64: SIZE(CG_ENC_SINT64)
    default: SIZE(CG_ENC_VARINT64)
  }
}

const cg__varint_table VARINT_TABLE = {count, unpack, pack, size};
