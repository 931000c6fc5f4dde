#include "calcgen/wire.h"

#include "calcgen/call.h"

size_t cg_wire_count_varints(const uint8_t *p, size_t len) {
  size_t n = 0, i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    n += (size_t)__builtin_popcountll(~w & 0x8080808080808080ull);
  }
  for (; i < len; i++) n += !(p[i] & 0x80);
  return n;
}

#define UNPACK_LOOP(T, conv)                                                   \
  do {                                                                         \
    T *o = out;                                                                \
    while (p < end) {                                                          \
      uint64_t v;                                                              \
      p = cg_read_varint(p, end, &v);                                          \
      if (!p) return SIZE_MAX;                                                 \
      o[n++] = (conv);                                                         \
    }                                                                          \
  } while (0)

size_t cg_wire_unpack_varints(cg_varint_kind kind, const uint8_t *p, size_t len, void *out) {
  const uint8_t *end = p + len;
  size_t n = 0;
  switch (kind) {
    case CG_VARINT_INT32:
    case CG_VARINT_UINT32: UNPACK_LOOP(uint32_t, (uint32_t)v); break;
    case CG_VARINT_64: UNPACK_LOOP(uint64_t, v); break;
    case CG_VARINT_SINT32: UNPACK_LOOP(int32_t, cg_unzigzag32((uint32_t)v)); break;
    case CG_VARINT_SINT64: UNPACK_LOOP(int64_t, cg_unzigzag64(v)); break;
  }
  return n;
}

static inline uint64_t element(cg_varint_kind kind, const void *in, size_t i) {
  switch (kind) {
    case CG_VARINT_INT32: { int32_t v; memcpy(&v, (const char *)in + 4 * i, 4); return (uint64_t)(int64_t)v; }
    case CG_VARINT_UINT32: { uint32_t v; memcpy(&v, (const char *)in + 4 * i, 4); return v; }
    case CG_VARINT_SINT32: { int32_t v; memcpy(&v, (const char *)in + 4 * i, 4); return cg_zigzag32(v); }
    case CG_VARINT_SINT64: { int64_t v; memcpy(&v, (const char *)in + 8 * i, 8); return cg_zigzag64(v); }
    default: { uint64_t v; memcpy(&v, (const char *)in + 8 * i, 8); return v; }
  }
}

/* One loop per kind so the switch is outside the hot loop. */
#define PER_KIND(BODY)                                                         \
  switch (kind) {                                                              \
    case CG_VARINT_INT32: { const cg_varint_kind k = CG_VARINT_INT32; BODY; break; }   \
    case CG_VARINT_UINT32: { const cg_varint_kind k = CG_VARINT_UINT32; BODY; break; } \
    case CG_VARINT_64: { const cg_varint_kind k = CG_VARINT_64; BODY; break; }         \
    case CG_VARINT_SINT32: { const cg_varint_kind k = CG_VARINT_SINT32; BODY; break; } \
    case CG_VARINT_SINT64: { const cg_varint_kind k = CG_VARINT_SINT64; BODY; break; } \
  }

size_t cg_wire_varints_size(cg_varint_kind kind, const void *in, size_t n) {
  size_t total = 0;
  PER_KIND(for (size_t i = 0; i < n; i++) total += cg_varint_size(element(k, in, i)))
  return total;
}

size_t cg_wire_pack_varints(cg_varint_kind kind, const void *in, size_t n, uint8_t *out) {
  uint8_t *p = out;
  PER_KIND(for (size_t i = 0; i < n; i++) p = cg_write_varint(p, element(k, in, i)))
  return (size_t)(p - out);
}

cg_status cg_respond_scalar(uint32_t field, cg_scalar_encoding enc, uint64_t bits,
                            cg_bytes *resp) {
  uint8_t *p;
  cg_status st = cg_response_buffer(32, &p); /* key <= 5 bytes, value <= 10, write slack */
  if (st != CG_OK) return st;
  uint8_t *q = p;
  if (bits != 0) {
    static const uint32_t wire_type[] = {CG_WIRE_VARINT, CG_WIRE_VARINT, CG_WIRE_VARINT,
                                         CG_WIRE_I32, CG_WIRE_I64};
    q = cg_write_tag(q, field, wire_type[enc]);
    switch (enc) {
      case CG_ENC_ZIGZAG32: q = cg_write_varint(q, cg_zigzag32((int32_t)(uint32_t)bits)); break;
      case CG_ENC_ZIGZAG64: q = cg_write_varint(q, cg_zigzag64((int64_t)bits)); break;
      case CG_ENC_FIXED32: q = cg_write_le(q, bits, 4); break;
      case CG_ENC_FIXED64: q = cg_write_le(q, bits, 8); break;
      default: q = cg_write_varint(q, bits); break;
    }
  }
  resp->data = p;
  resp->len = (size_t)(q - p);
  return CG_OK;
}
