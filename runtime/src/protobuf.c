#include <stdio.h>
#include <string.h>

#include "calcgen/call.h"
#include "calcgen/support/protobuf.h"
#include "calcgen/support/wire.h"

static void *arena_alloc(void *data, size_t size) { return cg_arena_alloc(data, size); }

/* Arena memory is released all at once on reset. */
static void arena_free(void *data, void *ptr) {
  (void)data;
  (void)ptr;
}

ProtobufCAllocator cg_protobuf_allocator(cg_arena *a) {
  return (ProtobufCAllocator){arena_alloc, arena_free, a};
}

/* protobuf-c decodes nested messages recursively with no bound; measure the
 * nesting first. Returns the depth reached (capped at limit + 1), or 0 for
 * bytes calcgen's reader rejects (see calcgen/support/wire.h: this includes field
 * number 0, which protobuf-c would accept but cannot re-encode). */
static unsigned nesting(const ProtobufCMessageDescriptor *desc, const uint8_t *p, size_t len,
                        unsigned depth, unsigned limit) {
  if (depth > limit) return depth;
  unsigned deepest = depth;
  const uint8_t *end = p + len;
  cg_field f = {0, 0, 0, NULL, 0};
  while (p < end) {
    if (!cg_read_field(&p, end, &f)) return 0;
    if (f.wire != CG_WIRE_LEN) continue;
    const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(desc, f.number);
    if (!fd || fd->type != PROTOBUF_C_TYPE_MESSAGE) continue;
    unsigned d = nesting(fd->descriptor, f.data, f.len, depth + 1, limit);
    if (d == 0) return 0;
    if (d > deepest) deepest = d;
    if (deepest > limit) break;
  }
  return deepest;
}

cg_status cg_protobuf_decode(const ProtobufCMessageDescriptor *desc, cg_arena *a,
                             const uint8_t *data, size_t len, const char *op, const char *side,
                             ProtobufCMessage **out) {
  /* protobuf-c reads through the pointer even for zero bytes. */
  static const uint8_t empty[1];
  unsigned limit = cg_max_depth();
  unsigned depth = data && len ? nesting(desc, data, len, 1, limit) : 1;
  if (depth > limit)
    return cg_fail(CG_ERR_LIMIT, "%s: the %s (%s) nests messages deeper than the limit of %u", op, side, desc->name,
                   limit);
  if (depth == 0)
    return cg_fail(CG_ERR_DECODE, "%s: %s is not a valid %s (%zu bytes)", op, side, desc->name, len);
  ProtobufCAllocator pa = cg_protobuf_allocator(a);
  *out = protobuf_c_message_unpack(desc, &pa, len, data ? data : empty);
  if (*out) return CG_OK;
  cg_status why = cg_arena_failure(a);
  if (why == CG_ERR_LIMIT)
    return cg_fail(why, "%s: decoding %s needs more than the arena cap of %zu bytes", op,
                   desc->name, cg_arena_get_config(a).cap);
  if (why != CG_OK) return cg_fail(why, "%s: out of memory while decoding %s", op, desc->name);
  return cg_fail(CG_ERR_DECODE, "%s: %s is not a valid %s (%zu bytes)", op, side, desc->name, len);
}

cg_status cg_protobuf_respond(const ProtobufCMessage *msg, cg_bytes *resp) {
  size_t n = protobuf_c_message_get_packed_size(msg);
  uint8_t *buf;
  cg_status st = cg_response_buffer(n, &buf);
  if (st != CG_OK) return st;
  protobuf_c_message_pack(msg, buf);
  resp->data = buf;
  resp->len = n;
  return CG_OK;
}

/* Finds the first required field (proto2) that is not set in `m` or in a
 * message it holds: 1 with its "Message.field" in path, or 2 with the type in
 * path when the messages nest deeper than max_depth (a cycle the handler
 * built, which protobuf-c's encoder would follow without end); 0 when all is
 * set. protobuf-c has no presence for required scalars, strings and bytes
 * (they are always written), so "not set" means a NULL message or string
 * pointer: protobuf-c would write an empty message, which strict parsers
 * reject when that message has required fields of its own. */
static int missing_required(const ProtobufCMessage *m, unsigned depth, char *path, size_t cap) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  if (depth > cg_max_depth()) {
    snprintf(path, cap, "%s", d->name);
    return 2;
  }
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    const char *member = (const char *)m + f->offset;
    if (f->type != PROTOBUF_C_TYPE_MESSAGE && f->type != PROTOBUF_C_TYPE_STRING) continue;
    if (f->label == PROTOBUF_C_LABEL_REQUIRED) {
      const void *p;
      memcpy(&p, member, sizeof p);
      if (!p) {
        snprintf(path, cap, "%s.%s", d->name, f->name);
        return 1;
      }
    }
    if (f->type != PROTOBUF_C_TYPE_MESSAGE) continue;
    if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
        *(const uint32_t *)(const void *)((const char *)m + f->quantifier_offset) != f->id)
      continue;
    size_t n = 1;
    const ProtobufCMessage *const *subs = (const ProtobufCMessage *const *)(const void *)member;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      n = *(const size_t *)(const void *)((const char *)m + f->quantifier_offset);
      memcpy(&subs, member, sizeof subs);
    }
    for (size_t k = 0; k < n; k++) {
      if (!subs || !subs[k]) continue;
      int why = missing_required(subs[k], depth + 1, path, cap);
      if (why) return why;
    }
  }
  return 0;
}

cg_status cg_protobuf_check_required(const ProtobufCMessage *msg, const char *op) {
  char path[160];
  int why = missing_required(msg, 0, path, sizeof path);
  if (why == 1) return cg_fail(CG_ERR_HANDLER, "%s: the handler left required field %s unset", op, path);
  if (why == 2)
    return cg_fail(CG_ERR_HANDLER, "%s: the response nests %s deeper than the limit of %u (a cycle?)", op,
                   path, cg_max_depth());
  return CG_OK;
}
