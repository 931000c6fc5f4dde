#include "calcgen/support/batch.h"
#include "backend_internal.h"
#include "call_internal.h"
#include "framing.h"
#include "run_kernel_internal.h"

#include "calcgen/call.h"
#include "calcgen/support/wire.h"

#ifndef CG_HAVE_POOL
#define CG_HAVE_POOL 0
#endif
#if CG_HAVE_POOL
#include "batch_wide_internal.h"
#endif

/* Elements per kernel-and-encode step for varint results: a few KiB of
 * operands and results stay in L1/L2 between the kernel and the encoder. */
#define CHUNK 2048

/* Packed varints are decoded without counting them first when a slot per
 * payload byte (the most there can be) is cheap; else they are counted. */
#define UNCOUNTED_MAX ((size_t)1 << 16)

static cg_status over_limit(const cg_batch_spec *s, size_t n) {
  return cg_fail(CG_ERR_LIMIT, "%s: %zu elements exceed the batch limit of %zu", s->op, n,
                 cg_max_batch());
}

static cg_status gather(const cg_batch_spec *s, const uint8_t *req, size_t len, uint32_t field,
                        operand *o, cg_arena *arena) {
  size_t slots = o->count + o->bytes;
  if (o->bytes > UNCOUNTED_MAX || slots > cg_max_batch()) {
    slots = count_elements(req, len, field);
    if (slots > cg_max_batch()) return over_limit(s, slots);
  }
  unsigned char *out = cg__call_alloc(arena, slots * cg_encoding_width(s->codec), s->op);
  if (!out) return cg_arena_failure(arena);
  o->values = out;
  if (o->pieces == 1 && !o->unpacked && !is_fixed(s->codec)) {
    /* The usual request: one packed piece, which scan() already framed. */
#if CG_HAVE_POOL
    size_t k = cg__unpack_varints(s->codec, o->data, o->len, out, s->kernel, s->type);
#else
    size_t k = cg_wire_unpack_varints(s->codec, o->data, o->len, out);
#endif
    if (k == SIZE_MAX) return bad_request(s, len);
    o->count = k;
    return CG_OK;
  }
  return fill(s, req, len, field, out, &o->count);
}

cg_status cg_run_batch(const cg_batch_spec *s, const uint8_t *req, size_t req_len,
                       cg_bytes *resp, cg_arena *arena) {
  operand ops[2] = {{0}, {0}};
  cg_status st = CG_OK;
  if (!scan_usual(s, req, req_len, ops)) {
    ops[0] = ops[1] = (operand){0};
    st = scan(s, req, req_len, ops);
    if (st != CG_OK) return st;
  }
  size_t w = cg_encoding_width(s->codec);
  /* In place when a fixed-width operand is one packed piece (or absent). */
  for (int k = 0; k < 2; k++) {
    if (ops[k].count > cg_max_batch()) return over_limit(s, ops[k].count);
    operand *o = &ops[k];
    if (is_fixed(s->codec) && o->pieces <= 1 && !o->unpacked) {
      o->values = o->data;
    } else if (o->count || o->bytes) {
      st = gather(s, req, req_len, k ? s->field_b : s->field_a, o, arena);
      if (st != CG_OK) return st;
    }
  }
  if (ops[0].count != ops[1].count)
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: operand lengths differ (%s has %zu elements, %s has %zu)",
                   s->op, s->name_a, ops[0].count, s->name_b, ops[1].count);
  size_t n = ops[0].count;
  const unsigned char *a = ops[0].values, *b = ops[1].values;
  uint8_t *buf;
  if (n == 0) { /* proto3 omits an empty repeated field: the empty message */
    st = cg_response_buffer(1, &buf);
    if (st == CG_OK) *resp = (cg_bytes){buf, 0};
    return st;
  }
  if (is_fixed(s->codec)) {
    st = cg_response_buffer(CG_ALIGNED_HEADER + n * w, &buf);
    if (st != CG_OK) return st;
    uint8_t *payload = cg_write_aligned_header(buf, s->field_out, n * w);
    st = cg__run_kernel(s->kernel, s->type, s->overflow, a, b, payload, n, s->op);
    if (st != CG_OK) return st;
    *resp = (cg_bytes){buf, CG_ALIGNED_HEADER + n * w};
    return CG_OK;
  }
#if CG_HAVE_POOL
  cg_backend wide = cg__codec_choice(s->kernel, s->type, n);
  if (wide != CG_BACKEND_SINGLE) return cg__batch_varints_wide(s, (void *)(uintptr_t)a, b, n, wide, resp);
#endif
  /* Varint result: payload after room for the longest header, then the
   * header written right before it, so no bytes move. */
  enum { HEADER_MAX = 10 };
  unsigned char *scratch = cg__call_alloc(arena, (n < CHUNK ? n : CHUNK) * w, s->op);
  if (!scratch) return cg_arena_failure(arena);
  size_t need = HEADER_MAX + 10 * n + 16, room = need, limit = cg_get_limits().max_response;
  if (need > limit) {
    /* Ten bytes a value is the worst case, not the size: measure before refusing. */
    size_t exact = 0;
    room = 0;
    for (size_t done = 0; done < n; done += CHUNK) {
      size_t len = n - done < CHUNK ? n - done : CHUNK;
      st = cg__run_kernel_at(CG_BACKEND_SINGLE, s->kernel, s->type, s->overflow, a + done * w, b + done * w, scratch, len,
                            done, s->op);
      if (st != CG_OK) return st;
      /* each cg_wire_pack_varints call may store up to 10 * len + 16 bytes ahead */
      if (exact + 10 * len + 16 > room) room = exact + 10 * len + 16;
      exact += cg_wire_varints_size(s->codec, scratch, len);
    }
    if (HEADER_MAX + exact > limit)
      return cg_fail(CG_ERR_LIMIT, "%s: the response of %zu results takes %zu bytes, over the limit of %zu bytes",
                     s->op, n, HEADER_MAX + exact, limit);
    need = HEADER_MAX + exact;
    room += HEADER_MAX;
  }
  st = cg__response_buffer_room(need, room, &buf);
  if (st != CG_OK) return st;
  uint8_t *payload = buf + HEADER_MAX, *q = payload;
  for (size_t done = 0; done < n; done += CHUNK) {
    size_t len = n - done < CHUNK ? n - done : CHUNK;
    st = cg__run_kernel_at(CG_BACKEND_SINGLE, s->kernel, s->type, s->overflow, a + done * w, b + done * w, scratch, len,
                          done, s->op);
    if (st != CG_OK) return st;
    q += cg_wire_pack_varints(s->codec, scratch, len, q);
  }
  size_t payload_len = (size_t)(q - payload);
  /* room past HEADER_MAX: GCC cannot see that tag and length fit in 10 */
  uint8_t head[HEADER_MAX + 6], *h = cg_write_tag(head, s->field_out, CG_WIRE_LEN);
  size_t hl = (size_t)(cg_write_varint(h, payload_len) - head);
  memcpy(payload - hl, head, hl);
  *resp = (cg_bytes){payload - hl, hl + payload_len};
  return CG_OK;
}
