/* Protobuf wire format for generated codecs.
 *
 * Reading follows protobuf-c 1.4.1, quirks included, because the generated
 * decoders must accept and reject the same inputs with the same results
 * (tests/fuzz/fuzz_codec.c is the judge): a tag is at most 5 bytes; a varint
 * is at most 10 bytes and bits past 64 are dropped; 32-bit fields keep the
 * low 32 bits; a length prefix is at most 5 bytes and at most INT_MAX; group
 * wire types (3, 4) and 6, 7 are errors. One deliberate difference: a field
 * number of 0 or above 2^29 - 1 is malformed, as in Google's parsers.
 * protobuf-c accepts 0 in an overlong tag, keeps it as an unknown field and
 * then re-encodes it in a form it rejects itself.
 *
 * Writing produces canonical proto3: fields in number order, zero values
 * omitted (for floats only the all-zero bit pattern, so -0.0 survives),
 * repeated numeric fields packed. */
#ifndef CALCGEN_SUPPORT_WIRE_H
#define CALCGEN_SUPPORT_WIRE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "calcgen/bytes.h"
#include "calcgen/layout.h"
#include "calcgen/status.h"
#include "calcgen/visibility.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "calcgen's codecs assume a little-endian target"
#endif

/* Generated codec functions are static per file; not every file uses all. */
#if defined(__GNUC__) || defined(__clang__)
#define CG_MAYBE_UNUSED __attribute__((unused))
#else
#define CG_MAYBE_UNUSED
#endif

/* For the few generated functions that must fold into their caller (the
 * dispatch switch into a typed host call, whose op is a constant there). */
#if defined(__GNUC__) || defined(__clang__)
#define CG_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define CG_ALWAYS_INLINE inline
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum { CG_WIRE_VARINT = 0, CG_WIRE_I64 = 1, CG_WIRE_LEN = 2, CG_WIRE_I32 = 5 };
#define CG_MAX_FIELD_NUMBER 536870911u /* 2^29 - 1 */

/* One framed field: for VARINT `value` is the decoded varint, for I64/I32 the
 * raw little-endian bits, for LEN `data`/`len` the payload. */
typedef struct cg_field {
  uint32_t number;
  uint32_t wire;
  uint64_t value;
  const uint8_t *data;
  size_t len;
} cg_field;

/* How a numeric field's values are encoded: the one list, projected into the
 * enum and each encoding's wire type and element width below. The five
 * varint encodings come first (cg_encoding_is_varint). */
#define CG_ENCODING_MAP(X)                                                                   \
  X(CG_ENC_INT32, 0, CG_WIRE_VARINT, 4)    /* int32: varint of the value sign-extended to 64 bits */ \
  X(CG_ENC_UINT32, 1, CG_WIRE_VARINT, 4)   /* uint32 */                                      \
  X(CG_ENC_VARINT64, 2, CG_WIRE_VARINT, 8) /* int64, uint64 */                               \
  X(CG_ENC_SINT32, 3, CG_WIRE_VARINT, 4)   /* sint32: zigzag varint */                       \
  X(CG_ENC_SINT64, 4, CG_WIRE_VARINT, 8)   /* sint64: zigzag varint */                       \
  X(CG_ENC_FIXED32, 5, CG_WIRE_I32, 4)     /* fixed32, sfixed32, float */                    \
  X(CG_ENC_FIXED64, 6, CG_WIRE_I64, 8)     /* fixed64, sfixed64, double */

typedef enum cg_encoding {
#define CG__ENCODING_ENUM(name, value, wire, width) name = value,
  CG_ENCODING_MAP(CG__ENCODING_ENUM)
#undef CG__ENCODING_ENUM
} cg_encoding;

static inline int cg_encoding_is_varint(cg_encoding e) { return e <= CG_ENC_SINT64; }

/* Bytes one element takes in memory (and on the wire, for fixed widths). */
static inline size_t cg_encoding_width(cg_encoding e) {
  switch (e) {
#define CG__ENCODING_WIDTH(name, value, wire, width) case name: return width;
    CG_ENCODING_MAP(CG__ENCODING_WIDTH)
#undef CG__ENCODING_WIDTH
  }
  return 0;
}

/* The wire type of a single (unpacked) element. */
static inline uint32_t cg_encoding_wire(cg_encoding e) {
  switch (e) {
#define CG__ENCODING_WIRE(name, value, wire, width) case name: return wire;
    CG_ENCODING_MAP(CG__ENCODING_WIRE)
#undef CG__ENCODING_WIRE
  }
  return CG_WIRE_VARINT;
}

/* ---- reading --------------------------------------------------------- */

/* Decodes the n-byte varint at p (n is its length, 1..10). */
static inline uint64_t cg_varint_value(const uint8_t *p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
  return v;
}

/* Reads one varint of at most 10 bytes; NULL when unterminated.
 *
 * Byte by byte, unrolled: a straight run of byte steps, each with its exit.
 * Messages are mostly read right after the other side wrote them, and a
 * byte load always forwards from the store that wrote it, where a word load
 * spanning bytes of several recent stores (a tag, then a varint written
 * 8 bytes at a time) waits for them to reach the cache, which makes a
 * single op's round trip slower. Long packed arrays have their own block
 * codecs (cg_wire_unpack_varints). */
static inline const uint8_t *cg_read_varint(const uint8_t *p, const uint8_t *end, uint64_t *v) {
  size_t rem = (size_t)(end - p), max = rem < 10 ? rem : 10;
  uint64_t x = 0;
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC unroll 10
#endif
  for (size_t i = 0; i < max; i++) {
    x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
    if (!(p[i] & 0x80)) {
      *v = x;
      return p + i + 1;
    }
  }
  return NULL;
}

/* Frames the next field at *pp (which must be < end) and advances past it.
 * Returns 0 on malformed input. */
static inline int cg_read_field(const uint8_t **pp, const uint8_t *end, cg_field *f) {
  const uint8_t *p = *pp;
  size_t rem = (size_t)(end - p);
  uint8_t b0 = p[0];
  if ((b0 & 0xf8) == 0) return 0; /* field number 0 in the first byte */
  f->wire = b0 & 7;
  uint32_t tag = (uint32_t)(b0 & 0x7f) >> 3;
  size_t used = 1;
  if (b0 & 0x80) {
    size_t max = rem > 5 ? 5 : rem, i;
    unsigned shift = 4;
    for (i = 1; i < max; i++) {
      if (p[i] & 0x80) {
        tag |= (uint32_t)(p[i] & 0x7f) << shift;
        shift += 7;
      } else {
        tag |= (uint32_t)p[i] << shift;
        break;
      }
    }
    if (i == max) return 0;
    used = i + 1;
  }
  if (tag == 0 || tag > CG_MAX_FIELD_NUMBER) return 0;
  f->number = tag;
  p += used;
  rem -= used;
  switch (f->wire) {
    case CG_WIRE_VARINT:
      p = cg_read_varint(p, end, &f->value);
      if (!p) return 0;
      break;
    case CG_WIRE_I64:
      if (rem < 8) return 0;
      memcpy(&f->value, p, 8);
      p += 8;
      break;
    case CG_WIRE_I32: {
      if (rem < 4) return 0;
      uint32_t u;
      memcpy(&u, p, 4);
      f->value = u;
      p += 4;
      break;
    }
    case CG_WIRE_LEN: {
      size_t max = rem < 5 ? rem : 5, i, n = 0;
      for (i = 0; i < max; i++) {
        n |= (size_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) break;
      }
      if (i == max || n > INT_MAX || i + 1 + n > rem) return 0;
      f->data = p + i + 1;
      f->len = n;
      p += i + 1 + n;
      break;
    }
    default:
      return 0;
  }
  *pp = p;
  return 1;
}

/* cg_varint_active(), the build in use, is declared in calcgen/kernels.h. */

/* Number of varints in packed bytes (bytes with the top bit clear), as
 * protobuf-c counts them before decoding. */
CG_API size_t cg_wire_count_varints(const uint8_t *p, size_t len);

/* Decodes packed varints into `out` (4- or 8-byte elements as `kind` says);
 * returns how many, or SIZE_MAX when a varint is unterminated. */
CG_API size_t cg_wire_unpack_varints(cg_encoding kind, const uint8_t *p, size_t len, void *out);

/* ---- writing --------------------------------------------------------- */

/* Bytes of v as a varint: ceil(bits / 7), branch-free as (bits * 9 + 64) / 64. */
static inline size_t cg_varint_size(uint64_t v) {
  unsigned bits = 64u - (unsigned)__builtin_clzll(v | 1);
  return (bits * 9 + 64) / 64;
}

/* Writes v (10 bytes of room at most). Byte by byte: the one to five byte
 * varints of scalar fields are read back right away by the other side, and
 * byte stores forward to its byte loads, where one 8-byte store of spread
 * 7-bit groups would not. Unrolled, each byte at a fixed offset from p, so
 * no loop-carried pointer. Packed arrays have block encoders. */
#define CG__PUT_STEP(i)                                                      \
  if (v < 0x80) {                                                            \
    p[i] = (uint8_t)v;                                                       \
    return p + (i) + 1;                                                      \
  }                                                                          \
  p[i] = (uint8_t)(v | 0x80);                                                \
  v >>= 7;
static inline uint8_t *cg_write_varint(uint8_t *p, uint64_t v) {
  CG__PUT_STEP(0) CG__PUT_STEP(1) CG__PUT_STEP(2) CG__PUT_STEP(3) CG__PUT_STEP(4)
  CG__PUT_STEP(5) CG__PUT_STEP(6) CG__PUT_STEP(7) CG__PUT_STEP(8)
  p[9] = (uint8_t)v;
  return p + 10;
}
#undef CG__PUT_STEP

static inline uint8_t *cg_write_tag(uint8_t *p, uint32_t number, uint32_t wire) {
  return cg_write_varint(p, ((uint64_t)number << 3) | wire);
}

/* The low `bytes` (<= 8) bytes of v, little-endian (the target's order). */
static inline uint8_t *cg_write_le(uint8_t *p, uint64_t v, size_t bytes) {
  memcpy(p, &v, bytes);
  return p + bytes;
}

static inline uint64_t cg_zigzag32(int32_t v) {
  return (uint32_t)(((uint32_t)v << 1) ^ (uint32_t)(v >> 31));
}
static inline uint64_t cg_zigzag64(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int32_t cg_unzigzag32(uint32_t v) { return (int32_t)((v >> 1) ^ (0u - (v & 1))); }
static inline int64_t cg_unzigzag64(uint64_t v) { return (int64_t)((v >> 1) ^ (0ull - (v & 1))); }

static inline uint64_t cg_f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

static inline uint64_t cg_f64_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}

/* Bytes the n elements take as packed varints. */
CG_API size_t cg_wire_varints_size(cg_encoding kind, const void *in, size_t n);
/* Writes n elements as packed varints (no tag, no length); `out` needs
 * 10 * n + 16 bytes. Returns the bytes written. */
CG_API size_t cg_wire_pack_varints(cg_encoding kind, const void *in, size_t n, uint8_t *out);

/* Upper bounds of encoded sizes, for generated encoders that size their
 * buffer before writing: a singular numeric field (tag <= 5 bytes, value <=
 * 10), a length-delimited field of len bytes (tag and length <= 10), n packed
 * varints as cg_write_packed_varints asks, n packed fixed-width elements; and
 * the room every message encoder keeps for 8-byte stores past its end. */
#define CG_BOUND_SCALAR_FIELD 15
#define CG_BOUND_LEN_FIELD(len) (10 + (size_t)(len))
#define CG_BOUND_PACKED_VARINTS(n) (31 + 10 * (size_t)(n))
#define CG_BOUND_PACKED_FIXED(n, width) (10 + (size_t)(n) * (width))
#define CG_BOUND_SLACK 16

/* Writes field `field` as one packed run of n varints (tag, length,
 * payload); p needs CG_BOUND_PACKED_VARINTS(n) bytes of room. Returns the end. */
CG_API uint8_t *cg_write_packed_varints(uint8_t *p, uint32_t field, cg_encoding kind,
                                        const void *in, size_t n);

/* Writes the CG_ALIGNED_HEADER-byte header of calcgen/layout.h (3-byte tag,
 * 5-byte length). Needs number < 2^21 and len < 2^35. */
static inline uint8_t *cg_write_aligned_header(uint8_t *p, uint32_t number, uint64_t len) {
  uint64_t tag = ((uint64_t)number << 3) | CG_WIRE_LEN;
  for (int i = 0; i < 3; i++, tag >>= 7) *p++ = (uint8_t)((tag & 0x7f) | (i < 2 ? 0x80 : 0));
  for (int i = 0; i < 5; i++, len >>= 7) *p++ = (uint8_t)((len & 0x7f) | (i < 4 ? 0x80 : 0));
  return p;
}

/* A one-field message: field `field` with value `bits` (omitted when bits is
 * 0, as proto3 omits zeros), written into p (CG_SCALAR_FIELD_MAX bytes of
 * room); returns the end. `bits`: the value as the encoding wants it: int32
 * sign-extended, sint32 as its 32 bits, floats as their IEEE bits
 * (cg_f32_bits, cg_f64_bits). Inline so a generated handler with a constant field
 * and encoding reduces to a tag byte and one varint or little-endian store. */
#define CG_SCALAR_FIELD_MAX 32 /* tag <= 5 bytes, value <= 10 */
static inline uint8_t *cg_put_scalar_field(uint8_t *p, uint32_t field, cg_encoding enc,
                                           uint64_t bits) {
  if (bits == 0) return p; /* proto3: a zero value is not written */
  switch (enc) {
    case CG_ENC_SINT32:
      p = cg_write_tag(p, field, CG_WIRE_VARINT);
      return cg_write_varint(p, cg_zigzag32((int32_t)(uint32_t)bits));
    case CG_ENC_SINT64:
      p = cg_write_tag(p, field, CG_WIRE_VARINT);
      return cg_write_varint(p, cg_zigzag64((int64_t)bits));
    case CG_ENC_FIXED32:
      p = cg_write_tag(p, field, CG_WIRE_I32);
      return cg_write_le(p, bits, 4);
    case CG_ENC_FIXED64:
      p = cg_write_tag(p, field, CG_WIRE_I64);
      return cg_write_le(p, bits, 8);
    default:
      p = cg_write_tag(p, field, CG_WIRE_VARINT);
      return cg_write_varint(p, bits);
  }
}

#ifdef __cplusplus
}
#endif
#endif
