/* Host-side helpers for generated C host calls (P_layout_*, P_view_*,
 * P_invoke_* of batch ops): the zero-copy request layout and reading results
 * out of a response. */
#include "calcgen/support/batch.h"
#include "framing.h"

size_t cg_batch_request_layout(uint8_t *buf, uint32_t field_a, uint32_t field_b, size_t n,
                               size_t width) {
  cg_write_aligned_header(buf, field_a, n * width);
  cg_write_aligned_header(buf + CG_ALIGNED_HEADER + n * width, field_b, n * width);
  return CG_BATCH_REQUEST_SIZE(n, width);
}

cg_status cg_packed_view(cg_bytes msg, uint32_t field, size_t width, const uint8_t **payload,
                         size_t *n) {
  const uint8_t *p = msg.data, *end = msg.data + msg.len, *data;
  size_t len;
  if (width == 0) {
    *payload = NULL;
    *n = 0;
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_packed_view: element width is 0");
  }
  if (packed_piece(&p, end, field, &data, &len) && p == end && len % width == 0) {
    *payload = data; /* the usual response: the one field, one piece */
    *n = len / width;
    return CG_OK;
  }
  p = msg.data;
  int found = 0;
  *payload = NULL;
  *n = 0;
  while (p < end) {
    cg_field f;
    if (!cg_read_field(&p, end, &f)) return cg_fail(CG_ERR_DECODE, "malformed message");
    if (f.number != field) continue;
    if (found || f.wire != CG_WIRE_LEN || f.len % width)
      return cg_fail(CG_ERR_INVALID_ARGUMENT, "field %u is not one packed piece", field);
    found = 1;
    *payload = f.data;
    *n = f.len / width;
  }
  return CG_OK;
}

cg_status cg_unpack_field(cg_bytes msg, uint32_t field, cg_encoding codec, void *out, size_t n,
                          const char *op) {
  cg_batch_spec s = {.op = op, .request = NULL, .name_a = "", .name_b = "", .field_a = field,
                     .codec = codec, .type = CG_TYPE_I32, .kernel = CG_KERNEL_ADD, .overflow = CG_WRAP};
  operand ops[2] = {{0}, {0}};
  const uint8_t *p = msg.data, *data;
  size_t len;
  if (!(packed_piece(&p, msg.data + msg.len, field, &data, &len) && p == msg.data + msg.len &&
        take_piece(&s, &ops[0], data, len))) { /* not the usual one piece: the general scan */
    ops[0] = (operand){0};
    cg_status st = scan(&s, msg.data, msg.len, ops);
    if (st != CG_OK) return st;
  }
  const operand *o = &ops[0];
  int one_piece = o->pieces == 1 && !o->unpacked; /* what calcgen's encoders write */
  size_t have = is_fixed(codec) ? o->count
                : one_piece     ? cg_wire_count_varints(o->data, o->len)
                                : count_elements(msg.data, msg.len, field);
  if (have != n)
    return cg_fail(CG_ERR_DECODE, "%s: response has %zu values, expected %zu", op, have, n);
  if (one_piece && is_fixed(codec)) {
    if (o->len) memcpy(out, o->data, o->len);
    return CG_OK;
  }
  if (one_piece) /* SIZE_MAX (a varint over 10 bytes) is never n */
    return cg_wire_unpack_varints(codec, o->data, o->len, out) == n
               ? CG_OK
               : bad_request(&s, msg.len);
  return fill(&s, msg.data, msg.len, field, out, &have);
}
