#include "calcgen/wire.h"

#include "calcgen/call.h"

static size_t put_varint(uint8_t *p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  p[n++] = (uint8_t)v;
  return n;
}

static size_t put_le(uint8_t *p, uint64_t v, size_t bytes) {
  for (size_t i = 0; i < bytes; i++) p[i] = (uint8_t)(v >> (8 * i));
  return bytes;
}

cg_status cg_respond_scalar(uint32_t field, cg_scalar_encoding enc, uint64_t bits,
                            cg_bytes *resp) {
  uint8_t *p;
  cg_status st = cg_response_buffer(16, &p); /* key <= 5 bytes, value <= 10 */
  if (st != CG_OK) return st;
  size_t n = 0;
  if (bits != 0) {
    static const unsigned wire_type[] = {0, 0, 0, 5, 1};
    n = put_varint(p, ((uint64_t)field << 3) | wire_type[enc]);
    switch (enc) {
      case CG_ENC_ZIGZAG32: {
        uint32_t v = (uint32_t)bits;
        n += put_varint(p + n, (uint32_t)(v << 1) ^ (uint32_t)-(v >> 31));
        break;
      }
      case CG_ENC_ZIGZAG64:
        n += put_varint(p + n, (bits << 1) ^ (uint64_t)-(bits >> 63));
        break;
      case CG_ENC_FIXED32:
        n += put_le(p + n, bits, 4);
        break;
      case CG_ENC_FIXED64:
        n += put_le(p + n, bits, 8);
        break;
      default:
        n += put_varint(p + n, bits);
        break;
    }
  }
  resp->data = p;
  resp->len = n;
  return CG_OK;
}
