/* Framing of batch messages: finding each operand's pieces in a request (or
 * the result's in a response) with protobuf-c's rules, shared by the batch
 * engine (batch.c) and the host-side helpers (host.c). Static inline: every
 * function here is on the path of each batch call. */
#ifndef CALCGEN_SRC_FRAMING_H
#define CALCGEN_SRC_FRAMING_H

#include <stdint.h>
#include <string.h>

#include "calcgen/support/batch.h"
#include "calcgen/support/wire.h"
#include "varint_table.h"

typedef struct operand {
  size_t count;        /* elements over all occurrences (varints: after gather) */
  size_t bytes;        /* payload bytes of packed varint occurrences */
  unsigned pieces;     /* occurrences */
  int unpacked;        /* some occurrence was a single element */
  const uint8_t *data; /* payload of the last packed occurrence */
  size_t len;
  const void *values;  /* where the kernel reads the elements */
} operand;

static inline int is_fixed(cg_encoding c) { return !cg_encoding_is_varint(c); }

static inline cg_status bad_request(const cg_batch_spec *s, size_t len) {
  if (!s->request) return cg_fail(CG_ERR_DECODE, "%s: the response is malformed (%zu bytes)", s->op, len);
  return cg_fail(CG_ERR_DECODE, "%s: request is not a valid %s (%zu bytes)", s->op, s->request, len);
}

/* Counts one packed piece of an operand (data, len) and keeps it as the
 * last; 0 when its payload is malformed: a fixed-width one not a whole
 * number of elements, a varint one whose last varint runs past its end
 * (protobuf-c rejects that even when no element is complete). */
static inline int add_piece(const cg_batch_spec *s, operand *o, const uint8_t *data, size_t len) {
  if (is_fixed(s->codec)) {
    size_t w = cg_encoding_width(s->codec); /* 4 or 8: a mask and a shift, not a division */
    if (len & (w - 1)) return 0;
    o->count += w == 8 ? len >> 3 : len >> 2;
  } else {
    if (len && (data[len - 1] & 0x80)) return 0;
    o->bytes += len; /* counted (or bounded) in gather() */
  }
  o->data = data;
  o->len = len;
  return 1;
}

/* Pass 1: frame every field, count the operands' elements. */
static inline cg_status scan(const cg_batch_spec *s, const uint8_t *req, size_t len, operand ops[2]) {
  const uint8_t *p = req, *end = req + len;
  while (p < end) {
    cg_field f;
    if (!cg_read_field(&p, end, &f)) return bad_request(s, len);
    int k = f.number == s->field_a ? 0 : f.number == s->field_b ? 1 : -1;
    if (k < 0) continue; /* unknown fields are skipped */
    operand *o = &ops[k];
    o->pieces++;
    if (f.wire == CG_WIRE_LEN) {
      if (!add_piece(s, o, f.data, f.len)) return bad_request(s, len);
    } else if (f.wire == cg_encoding_wire(s->codec)) {
      o->count++;
      o->unpacked = 1;
    } else {
      return bad_request(s, len);
    }
  }
  return CG_OK;
}

/* Frames field `number` as one length-delimited piece at *pp and advances
 * past it: the way calcgen's encoders and hosts write a packed operand
 * (any encoding of the tag and of the length up to 5 bytes each; the
 * 8-byte aligned header of zero-copy payloads in one load). Returns
 * 0 for anything else, which the general scan() then judges. It exists for
 * small batches, where framing is a large part of the call. */
static inline int packed_piece(const uint8_t **pp, const uint8_t *end, uint32_t number,
                               const uint8_t **data, size_t *len) {
  const uint8_t *p = *pp;
  uint64_t tag = ((uint64_t)number << 3) | CG_WIRE_LEN, l, w;
  if (end - p >= 8 && tag < (1u << 21)) {
    /* cg_write_aligned_header's 8 bytes (zero-copy requests and results):
     * the 3-byte tag, then 4 bytes that continue and one that ends. */
    uint64_t want = ((tag & 0x7f) | 0x80) | (((tag >> 7) & 0x7f) | 0x80) << 8 | ((tag >> 14) & 0x7f) << 16;
    memcpy(&w, p, 8);
    if ((w & 0xffffff) == want && (w & 0x8080808080000000ull) == 0x0080808080000000ull) {
      l = ((w >> 24) & 0x7f) | ((w >> 25) & (0x7full << 7)) | ((w >> 26) & (0x7full << 14)) |
          ((w >> 27) & (0x7full << 21)) | ((w >> 28) & (0x7full << 28));
      p += 8;
      goto framed;
    }
  }
  uint64_t got;
  p = cg_read_varint(p, end - p > 5 ? p + 5 : end, &got);
  if (!p || got != tag) return 0;
  p = cg_read_varint(p, end - p > 5 ? p + 5 : end, &l);
  if (!p) return 0;
framed: /* lengths as cg_read_field (and protobuf-c) take them: 5 bytes, INT_MAX at most */
  if (l > INT_MAX || l > (size_t)(end - p)) return 0;
  *data = p;
  *len = (size_t)l;
  *pp = p + l;
  return 1;
}

/* One packed piece as scan() counts it, into a zeroed operand. */
static inline int take_piece(const cg_batch_spec *s, operand *o, const uint8_t *data, size_t len) {
  o->pieces = 1;
  return add_piece(s, o, data, len);
}

/* Pass 1 for the usual request, exactly field a then field b, each one
 * packed piece: the same result as scan() without its general loop.
 * Returns 0 (ops untouched or to be reset) for any other request. */
static inline int scan_usual(const cg_batch_spec *s, const uint8_t *req, size_t len, operand ops[2]) {
  const uint8_t *p = req, *end = req + len, *da, *db;
  size_t la, lb;
  return packed_piece(&p, end, s->field_a, &da, &la) && packed_piece(&p, end, s->field_b, &db, &lb) &&
         p == end && take_piece(s, &ops[0], da, la) && take_piece(s, &ops[1], db, lb);
}

/* One unpacked element: varints as their kind decodes them, fixed-width
 * elements as their raw bits (stored as uint32 / uint64 varints are). */
static inline void store_element(const cg_batch_spec *s, void *dst, uint64_t v) {
  cg_encoding k = !is_fixed(s->codec)         ? s->codec
                     : cg_encoding_width(s->codec) == 4 ? CG_ENC_UINT32
                                                 : CG_ENC_VARINT64;
  cg__varint_store(k, dst, 0, v);
}

/* Pass 2 for one field: all its occurrences, in order, into dst (which has
 * room for every element scan() counted). */
static inline cg_status fill(const cg_batch_spec *s, const uint8_t *msg, size_t len, uint32_t field,
                      unsigned char *dst, size_t *count) {
  size_t w = cg_encoding_width(s->codec), n = 0;
  const uint8_t *p = msg, *end = msg + len;
  while (p < end) {
    cg_field f;
    if (!cg_read_field(&p, end, &f)) return bad_request(s, len);
    if (f.number != field) continue;
    if (f.wire == CG_WIRE_LEN && is_fixed(s->codec)) {
      memcpy(dst + n * w, f.data, f.len);
      n += f.len / w;
    } else if (f.wire == CG_WIRE_LEN) {
      size_t k = cg_wire_unpack_varints(s->codec, f.data, f.len, dst + n * w);
      if (k == SIZE_MAX) return bad_request(s, len);
      n += k;
    } else {
      store_element(s, dst + n * w, f.value);
      n++;
    }
  }
  *count = n;
  return CG_OK;
}

/* Elements of `field` in a message scan() accepted. */
static inline size_t count_elements(const uint8_t *req, size_t len, uint32_t field) {
  size_t n = 0;
  const uint8_t *p = req, *end = req + len;
  cg_field f = {0, 0, 0, NULL, 0};
  while (p < end && cg_read_field(&p, end, &f))
    if (f.number == field) n += f.wire == CG_WIRE_LEN ? cg_wire_count_varints(f.data, f.len) : 1;
  return n;
}

#endif
