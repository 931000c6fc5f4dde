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
  cg_status st = cg_response_buffer(CG_SCALAR_FIELD_MAX, &p);
  if (st != CG_OK) return st;
  resp->data = p;
  resp->len = (size_t)(cg_put_scalar_field(p, field, enc, bits) - p);
  return CG_OK;
}
