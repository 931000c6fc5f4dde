#include <string.h>

#include "calcgen/support/wire.h"

#include "calcgen/call.h"
#include "varint_table.h"

/* The array functions go through the varint codec chosen for this CPU,
 * except for arrays this short, done here one varint at a time: the table's
 * block codecs pay a larger entry cost than a few varints take. */
#define SHORT_BYTES 16
#define SHORT_COUNT 4
size_t cg_wire_count_varints(const uint8_t *p, size_t len) {
  if (len >= SHORT_BYTES) return cg__varint_ops()->count(p, len);
  size_t n = 0;
  for (size_t i = 0; i < len; i++) n += p[i] < 0x80;
  return n;
}

size_t cg_wire_unpack_varints(cg_encoding kind, const uint8_t *p, size_t len, void *out) {
  if (len >= SHORT_BYTES) return cg__varint_ops()->unpack(kind, p, len, out);
  const uint8_t *end = p + len;
  size_t n = 0;
  while (p < end) {
    uint64_t v;
    p = cg_read_varint(p, end, &v);
    if (!p) return SIZE_MAX;
    cg__varint_store(kind, out, n++, v);
  }
  return n;
}

size_t cg_wire_varints_size(cg_encoding kind, const void *in, size_t n) {
  if (n >= SHORT_COUNT) return cg__varint_ops()->size(kind, in, n);
  size_t total = 0;
  for (size_t i = 0; i < n; i++) total += cg_varint_size(cg__varint_element(kind, in, i));
  return total;
}

size_t cg_wire_pack_varints(cg_encoding kind, const void *in, size_t n, uint8_t *out) {
  if (n >= SHORT_COUNT) return cg__varint_ops()->pack(kind, in, n, out);
  uint8_t *q = out;
  for (size_t i = 0; i < n; i++) q = cg_write_varint(q, cg__varint_element(kind, in, i));
  return (size_t)(q - out);
}

uint8_t *cg_write_packed_varints(uint8_t *p, uint32_t field, cg_encoding kind, const void *in,
                                 size_t n) {
  p = cg_write_tag(p, field, CG_WIRE_LEN);
  if (n <= 4 * SHORT_COUNT) { /* the length first, from a cheap sizing pass */
    p = cg_write_varint(p, cg_wire_varints_size(kind, in, n));
    return p + cg_wire_pack_varints(kind, in, n, p);
  }
  /* Payload first, after room for the longest length, then moved up behind
   * the length once it is known: cheaper than sizing a long array. */
  uint8_t *body = p + 10, head[16];
  size_t l = cg_wire_pack_varints(kind, in, n, body);
  size_t hl = (size_t)(cg_write_varint(head, l) - head);
  memmove(p + hl, body, l);
  memcpy(p, head, hl);
  return p + hl + l;
}
