/* corpus_digest / corpus_fill over protobuf-c's reflection; the rules are in
 * corpus_fill.h and mirrored line for line by digest.py. */
#include "corpus_fill.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define DIGEST_SEED UINT64_C(0x243f6a8885a308d3)
#define REPEATED_SEED UINT64_C(0x13198a2e03707344)
#define ENTRY_SEED UINT64_C(0xa4093822299f31d0)

static uint64_t sm64(uint64_t x) {
  x += UINT64_C(0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
  return x ^ (x >> 31);
}

static uint64_t mix(uint64_t h, uint64_t v) { return sm64(h ^ sm64(v)); }

static uint64_t bytes_digest(const uint8_t *p, size_t n) {
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * UINT64_C(0x100000001b3);
  return mix(h, (uint64_t)n);
}

/* ---- reflection helpers ---- */

static void *member(const ProtobufCMessage *m, unsigned offset) { return (char *)m + offset; }

static size_t elem_size(ProtobufCType t) {
  switch (t) {
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE:
      return 8;
    case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
    default: return 4; /* 32-bit numbers and enums */
  }
}

static bool is_pointer_type(ProtobufCType t) { return t == PROTOBUF_C_TYPE_STRING || t == PROTOBUF_C_TYPE_MESSAGE; }

/* Protobuf's map-entry rule: a repeated message field whose type is nested
 * in the containing message, named CamelCase(field) + "Entry", with fields
 * key = 1 and value = 2. Field names may carry a trailing '_' (calcgen
 * renames keyword fields); underscores only capitalise what follows. */
static bool is_map(const ProtobufCMessageDescriptor *owner, const ProtobufCFieldDescriptor *f) {
  if (f->label != PROTOBUF_C_LABEL_REPEATED || f->type != PROTOBUF_C_TYPE_MESSAGE) return false;
  const ProtobufCMessageDescriptor *e = f->descriptor;
  if (e->n_fields != 2 || e->fields[0].id != 1 || e->fields[1].id != 2 || strcmp(e->fields[0].name, "key") != 0 ||
      strcmp(e->fields[1].name, "value") != 0)
    return false;
  char want[512];
  size_t n = (size_t)snprintf(want, sizeof want, "%s.", owner->name);
  bool cap = true;
  for (const char *c = f->name; *c && n + 8 < sizeof want; c++) {
    if (*c == '_') {
      cap = true;
    } else {
      want[n++] = (cap && *c >= 'a' && *c <= 'z') ? (char)(*c - 'a' + 'A') : *c;
      cap = false;
    }
  }
  memcpy(want + n, "Entry", 6);
  return strcmp(e->name, want) == 0;
}

/* ---- digest ---- */

static uint64_t elem_digest(const ProtobufCFieldDescriptor *f, const void *p);

uint64_t corpus_digest(const ProtobufCMessage *m) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  uint64_t sum = 0;
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    const void *p = member(m, f->offset);
    uint64_t v;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      size_t n = *(const size_t *)member(m, f->quantifier_offset);
      if (n == 0) continue;
      const char *arr = *(const char *const *)p;
      if (is_map(d, f)) {
        const ProtobufCMessageDescriptor *e = f->descriptor;
        uint64_t s = 0;
        for (size_t k = 0; k < n; k++) {
          const ProtobufCMessage *entry = ((const ProtobufCMessage *const *)(const void *)arr)[k];
          s += mix(mix(ENTRY_SEED, elem_digest(&e->fields[0], member(entry, e->fields[0].offset))),
                   elem_digest(&e->fields[1], member(entry, e->fields[1].offset)));
        }
        v = mix(s, (uint64_t)n);
      } else {
        v = REPEATED_SEED;
        for (size_t k = 0; k < n; k++) v = mix(v, elem_digest(f, arr + k * elem_size(f->type)));
        v = mix(v, (uint64_t)n);
      }
    } else {
      bool present;
      if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        present = *(const uint32_t *)member(m, f->quantifier_offset) == f->id &&
                  (!is_pointer_type(f->type) || *(const void *const *)p != NULL);
      } else if (f->label == PROTOBUF_C_LABEL_REQUIRED) {
        present = true;
      } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL) {
        if (is_pointer_type(f->type)) {
          const void *ptr = *(const void *const *)p;
          present = ptr != NULL && ptr != f->default_value;
        } else {
          present = *(const protobuf_c_boolean *)member(m, f->quantifier_offset);
        }
      } else { /* proto3 implicit presence */
        switch (f->type) {
          case PROTOBUF_C_TYPE_STRING: present = *(char *const *)p && **(char *const *)p; break;
          case PROTOBUF_C_TYPE_BYTES: present = ((const ProtobufCBinaryData *)p)->len > 0; break;
          case PROTOBUF_C_TYPE_MESSAGE: present = *(const void *const *)p != NULL; break;
          default: {
            uint64_t bits = 0; /* bit pattern: -0.0 is present, as on the wire */
            memcpy(&bits, p, elem_size(f->type));
            present = bits != 0;
          }
        }
      }
      if (!present) continue;
      v = elem_digest(f, p);
    }
    sum += mix(f->id, v);
  }
  return mix(DIGEST_SEED, sum);
}

static uint64_t elem_digest(const ProtobufCFieldDescriptor *f, const void *p) {
  switch (f->type) {
    case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_ENUM:
      return (uint64_t)(int64_t)(*(const int32_t *)p);
    case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_FLOAT:
      return *(const uint32_t *)p; /* float: its bits */
    case PROTOBUF_C_TYPE_BOOL:
      return *(const protobuf_c_boolean *)p != 0;
    case PROTOBUF_C_TYPE_STRING: {
      const char *s = *(const char *const *)p;
      return s ? bytes_digest((const uint8_t *)s, strlen(s)) : bytes_digest(NULL, 0);
    }
    case PROTOBUF_C_TYPE_BYTES: {
      const ProtobufCBinaryData *b = p;
      return bytes_digest(b->data, b->len);
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
      const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)p;
      return sub ? corpus_digest(sub) : mix(DIGEST_SEED, 0);
    }
    default: { /* 64-bit integers and double: their bits */
      uint64_t bits;
      memcpy(&bits, p, 8);
      return bits;
    }
  }
}

/* ---- fill ---- */

typedef struct filler {
  cg_arena *arena;
  bool failed;
} filler;

static void *alloc(filler *fl, size_t n) {
  void *p = fl->failed ? NULL : cg_arena_alloc(fl->arena, n ? n : 1);
  if (!p) fl->failed = true;
  return p;
}

static void fill_message(filler *fl, ProtobufCMessage *m, uint64_t seed, int depth);

static ProtobufCMessage *new_message(filler *fl, const ProtobufCMessageDescriptor *d, uint64_t r, int depth) {
  ProtobufCMessage *sub = alloc(fl, d->sizeof_message);
  if (!sub) return NULL;
  protobuf_c_message_init(d, sub);
  fill_message(fl, sub, r, depth);
  return sub;
}

/* Writes field f's value for r at p. `depth`: of the message holding f. */
static void set_value(filler *fl, const ProtobufCFieldDescriptor *f, void *p, uint64_t r, int depth) {
  switch (f->type) {
    case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
      *(int32_t *)p = (int32_t)(uint32_t)r; break;
    case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
      *(uint32_t *)p = (uint32_t)r; break;
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
      *(int64_t *)p = (int64_t)r; break;
    case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
      *(uint64_t *)p = r; break;
    case PROTOBUF_C_TYPE_BOOL:
      *(protobuf_c_boolean *)p = (protobuf_c_boolean)(r & 1); break;
    case PROTOBUF_C_TYPE_ENUM: { /* a declared value: protobuf-c lists them by number */
      const ProtobufCEnumDescriptor *e = f->descriptor;
      *(int32_t *)p = e->values[r % e->n_values].value;
      break;
    }
    case PROTOBUF_C_TYPE_FLOAT: /* exact in binary32, never NaN */
      *(float *)p = (float)((int32_t)(r & 0xffffff) - 0x800000) / 4.0f; break;
    case PROTOBUF_C_TYPE_DOUBLE:
      *(double *)p = (double)((int64_t)(r >> 11) - ((int64_t)1 << 52)) / 16.0; break;
    case PROTOBUF_C_TYPE_STRING: {
      char *s = alloc(fl, 32);
      if (s) snprintf(s, 32, "s%u-%016llx", (unsigned)f->id, (unsigned long long)r);
      *(char **)p = s;
      break;
    }
    case PROTOBUF_C_TYPE_BYTES: {
      ProtobufCBinaryData *b = p;
      size_t n = 1 + (size_t)(r % 7);
      uint8_t *data = alloc(fl, n);
      if (data)
        for (size_t i = 0; i < n; i++) data[i] = (uint8_t)(r >> (8 * i));
      b->data = data;
      b->len = data ? n : 0;
      break;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
      *(ProtobufCMessage **)p = new_message(fl, f->descriptor, r, depth + 1);
      break;
    default:
      break;
  }
}

/* Map keys: distinct within one map (bits kb ^ i differ in the low bit). */
static void set_key(filler *fl, const ProtobufCFieldDescriptor *f, void *p, uint64_t kb, unsigned i) {
  if (f->type == PROTOBUF_C_TYPE_BOOL) {
    *(protobuf_c_boolean *)p = (protobuf_c_boolean)i;
  } else if (f->type == PROTOBUF_C_TYPE_STRING) {
    char *s = alloc(fl, 24);
    if (s) snprintf(s, 24, "k-%016llx", (unsigned long long)(kb ^ i));
    *(char **)p = s;
  } else {
    set_value(fl, f, p, kb ^ i, 0);
  }
}

/* Proto2 map entries track presence: a set key or value is present. */
static void mark_present(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f) {
  if (f->label == PROTOBUF_C_LABEL_OPTIONAL && !is_pointer_type(f->type) && !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
    *(protobuf_c_boolean *)member(m, f->quantifier_offset) = 1;
}

static bool too_deep(const ProtobufCFieldDescriptor *f, int depth) {
  return f->type == PROTOBUF_C_TYPE_MESSAGE && depth >= CORPUS_MAX_DEPTH;
}

/* The members of f's oneof (fields sharing its case member), by number. */
static unsigned oneof_members(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f,
                              const ProtobufCFieldDescriptor **out, unsigned cap) {
  unsigned n = 0;
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *g = &d->fields[i];
    if ((g->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && g->quantifier_offset == f->quantifier_offset && n < cap) {
      unsigned at = n++;
      while (at > 0 && out[at - 1]->id > g->id) {
        out[at] = out[at - 1];
        at--;
      }
      out[at] = g;
    }
  }
  return n;
}

static void fill_oneof(filler *fl, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f, uint64_t seed, int depth) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  const ProtobufCFieldDescriptor *members[64], *allowed[64];
  unsigned n = oneof_members(d, f, members, 64), n_allowed = 0;
  if (members[0] != f) return; /* the oneof is filled once, at its lowest-numbered member */
  for (unsigned i = 0; i < n; i++)
    if (!too_deep(members[i], depth)) allowed[n_allowed++] = members[i];
  if (n_allowed == 0) return;
  const ProtobufCFieldDescriptor *g = allowed[mix(seed, f->id) % n_allowed];
  *(uint32_t *)member(m, g->quantifier_offset) = g->id;
  set_value(fl, g, member(m, g->offset), mix(seed, g->id), depth);
}

static void fill_map(filler *fl, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f, uint64_t r, int depth) {
  const ProtobufCMessageDescriptor *e = f->descriptor;
  const ProtobufCFieldDescriptor *key = &e->fields[0], *value = &e->fields[1];
  if (too_deep(value, depth)) return;
  ProtobufCMessage **entries = alloc(fl, 2 * sizeof *entries);
  if (!entries) return;
  uint64_t kb = mix(r, 0);
  for (unsigned i = 0; i < 2; i++) {
    ProtobufCMessage *entry = alloc(fl, e->sizeof_message);
    if (!entry) return;
    protobuf_c_message_init(e, entry);
    set_key(fl, key, member(entry, key->offset), kb, i);
    mark_present(entry, key);
    set_value(fl, value, member(entry, value->offset), mix(r, i + 1), depth);
    mark_present(entry, value);
    entries[i] = entry;
  }
  *(ProtobufCMessage ***)member(m, f->offset) = entries;
  *(size_t *)member(m, f->quantifier_offset) = 2;
}

static void fill_repeated(filler *fl, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f, uint64_t r, int depth) {
  if (too_deep(f, depth)) return;
  char *arr = alloc(fl, 2 * elem_size(f->type));
  if (!arr) return;
  memset(arr, 0, 2 * elem_size(f->type));
  for (unsigned i = 0; i < 2; i++) set_value(fl, f, arr + i * elem_size(f->type), mix(r, i + 1), depth);
  *(void **)member(m, f->offset) = arr;
  *(size_t *)member(m, f->quantifier_offset) = 2;
}

static void fill_message(filler *fl, ProtobufCMessage *m, uint64_t seed, int depth) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  for (unsigned i = 0; i < d->n_fields && !fl->failed; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    uint64_t r = mix(seed, f->id);
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
      fill_oneof(fl, m, f, seed, depth);
    } else if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      if (is_map(d, f))
        fill_map(fl, m, f, r, depth);
      else
        fill_repeated(fl, m, f, r, depth);
    } else if (!too_deep(f, depth) || f->label == PROTOBUF_C_LABEL_REQUIRED) {
      set_value(fl, f, member(m, f->offset), r, depth);
      mark_present(m, f);
    }
  }
}

void corpus_fill(ProtobufCMessage *m, uint64_t seed, cg_arena *arena) {
  filler fl = {arena, false};
  fill_message(&fl, m, seed, 0);
}

cg_status corpus_answer(const ProtobufCMessage *req, ProtobufCMessage *resp, cg_arena *arena) {
  filler fl = {arena, false};
  fill_message(&fl, resp, corpus_digest(req), 0);
  if (!fl.failed) return CG_OK;
  cg_status st = cg_arena_failure(arena);
  return st != CG_OK ? st : CG_ERR_NO_MEMORY;
}
