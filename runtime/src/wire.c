#include "calcgen/wire.h"

#include "calcgen/call.h"
#include "varint_table.h"

/* The array functions go through the varint codec chosen for this CPU. */
size_t cg_wire_count_varints(const uint8_t *p, size_t len) { return cg__varint_ops()->count(p, len); }

size_t cg_wire_unpack_varints(cg_varint_kind kind, const uint8_t *p, size_t len, void *out) {
  return cg__varint_ops()->unpack(kind, p, len, out);
}

size_t cg_wire_varints_size(cg_varint_kind kind, const void *in, size_t n) {
  return cg__varint_ops()->size(kind, in, n);
}

size_t cg_wire_pack_varints(cg_varint_kind kind, const void *in, size_t n, uint8_t *out) {
  return cg__varint_ops()->pack(kind, in, n, out);
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
