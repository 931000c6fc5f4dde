/* Differential fuzz target: the same bytes go to protobuf-c (the reference)
 * and to calcgen's generated code, and every difference aborts.
 *
 * - Decoders: success or failure must agree, and on success every field.
 *   The decoded struct is then re-encoded by the generated encoder and must
 *   decode, with protobuf-c, to the same message (the round trip).
 * - Batch ops through dispatch (calcgen's wire engine, zero-copy included):
 *   the status must be the reference's (protobuf-c decode, length check,
 *   scalar kernel), the failing index too, and every result bit.
 * - A user op through dispatch: the echo of a message is the message.
 *
 * The generated sources are included so their static codecs are callable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculator.calcgen.c"
#include "fuzz.calcgen.c"
#include "fuzz_codec.h"

cg_status fuzz_fuzz_echo(const Fuzz__Everything *req, Fuzz__Everything *resp, cg_arena *arena) {
  (void)arena;
  *resp = *req;
  return CG_OK;
}

cg_status fuzz_fuzz_echo_scalars(const Fuzz__Scalars *req, Fuzz__Scalars *resp, cg_arena *arena) {
  (void)arena;
  *resp = *req;
  return CG_OK;
}

/* ---- generic comparison through protobuf-c's descriptors ---- */

size_t fuzz_scalar_size(ProtobufCType t) {
  switch (t) {
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_DOUBLE:
      return 8;
    default:
      return 4;
  }
}

static int same_message(const ProtobufCMessageDescriptor *d, const void *x, const void *y) {
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    const char *px = (const char *)x + f->offset, *py = (const char *)y + f->offset;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      size_t nx, ny;
      memcpy(&nx, (const char *)x + f->quantifier_offset, sizeof nx);
      memcpy(&ny, (const char *)y + f->quantifier_offset, sizeof ny);
      if (nx != ny) return 0;
      const void *ax = *(void *const *)px, *ay = *(void *const *)py;
      if (nx && memcmp(ax, ay, nx * fuzz_scalar_size(f->type))) return 0;
    } else if (f->type == PROTOBUF_C_TYPE_STRING) {
      if (strcmp(*(char *const *)px, *(char *const *)py)) return 0;
    } else if (f->type == PROTOBUF_C_TYPE_BYTES) {
      const ProtobufCBinaryData *bx = (const void *)px, *by = (const void *)py;
      if (bx->len != by->len || (bx->len && memcmp(bx->data, by->data, bx->len))) return 0;
    } else if (memcmp(px, py, fuzz_scalar_size(f->type))) {
      return 0;
    }
  }
  return 1;
}

static void mismatch(const char *what, const char *name, const uint8_t *data, size_t len) {
  fprintf(stderr, "MISMATCH %s %s (%zu bytes):", what, name, len);
  for (size_t i = 0; i < len && i < 64; i++) fprintf(stderr, " %02x", data[i]);
  fprintf(stderr, "\n");
  abort();
}

/* The one deliberate difference from protobuf-c (calcgen/support/wire.h): a field
 * number of 0 (which protobuf-c accepts in an overlong tag) or above 2^29 - 1
 * makes the message malformed. True when protobuf-c's framing of the
 * top-level fields meets one. */
static int has_invalid_field_number(const uint8_t *p, size_t len) {
  const uint8_t *end = p + len;
  while (p < end) {
    uint32_t tag = (uint32_t)(p[0] & 0x7f) >> 3;
    unsigned wire = p[0] & 7, shift = 4;
    size_t i = 1;
    if (!(p[0] & 0xf8)) return 0; /* both reject it */
    if (p[0] & 0x80) {
      for (; i < 5 && p + i < end; i++) {
        tag |= (uint32_t)(p[i] & (p[i] & 0x80 ? 0x7f : 0xff)) << shift;
        if (!(p[i] & 0x80)) break;
        shift += 7;
      }
      if (i == 5 || p + i >= end) return 0;
      i++;
    }
    if (tag == 0 || tag > CG_MAX_FIELD_NUMBER) return 1;
    p += i;
    uint64_t n = 0;
    switch (wire) {
      case 0: while (p < end && (*p++ & 0x80)) {} break;
      case 1: if (end - p < 8) return 0; p += 8; break;
      case 5: if (end - p < 4) return 0; p += 4; break;
      case 2: {
        unsigned s = 0;
        while (p < end) { uint8_t b = *p++; n |= (uint64_t)(b & 0x7f) << s; s += 7; if (!(b & 0x80)) break; }
        if (n > (uint64_t)(end - p)) return 0;
        p += n;
        break;
      }
      default: return 0;
    }
  }
  return 0;
}

/* ---- decoders ---- */

typedef struct codec {
  const ProtobufCMessageDescriptor *desc;
  cg_status (*decode)(const uint8_t *, size_t, cg_arena *, void *);
  size_t (*bound)(const void *);
  uint8_t *(*write)(const void *, uint8_t *);
} codec;

#define CODEC(lower, T)                                                                        \
  static cg_status dec_##lower(const uint8_t *p, size_t n, cg_arena *a, void *m) {             \
    return lower##__cg_decode(p, n, a, (T *)m);                                                \
  }                                                                                            \
  static size_t bound_##lower(const void *m) { return lower##__cg_bound((const T *)m); }       \
  static uint8_t *write_##lower(const void *m, uint8_t *o) { return lower##__cg_write((const T *)m, o); }
#define CODEC_ROW(lower) {&lower##__descriptor, dec_##lower, bound_##lower, write_##lower}

CODEC(calc__binary_op, Calc__BinaryOp)
CODEC(calc__value, Calc__Value)
CODEC(calc__batch_operation, Calc__BatchOperation)
CODEC(calc__batch_result, Calc__BatchResult)
CODEC(calc__float_op, Calc__FloatOp)
CODEC(calc__float_batch, Calc__FloatBatch)
CODEC(calc__fixed_batch, Calc__FixedBatch)
CODEC(calc__format_request, Calc__FormatRequest)
CODEC(calc__calculator_response, Calc__CalculatorResponse)
CODEC(fuzz__everything, Fuzz__Everything)
CODEC(fuzz__s32_batch, Fuzz__S32Batch)
CODEC(fuzz__u32_batch, Fuzz__U32Batch)
CODEC(fuzz__f32_batch, Fuzz__F32Batch)
CODEC(fuzz__i32_batch, Fuzz__I32Batch)
CODEC(fuzz__scalars, Fuzz__Scalars)
CODEC(calc__fixed_op, Calc__FixedOp)
CODEC(calc__fixed_value, Calc__FixedValue)

static const codec codecs[] = {
    CODEC_ROW(calc__binary_op),   CODEC_ROW(calc__value),          CODEC_ROW(calc__batch_operation),
    CODEC_ROW(calc__batch_result), CODEC_ROW(calc__float_op),      CODEC_ROW(calc__float_batch),
    CODEC_ROW(calc__fixed_batch), CODEC_ROW(calc__format_request), CODEC_ROW(calc__calculator_response),
    CODEC_ROW(fuzz__everything),  CODEC_ROW(fuzz__s32_batch),      CODEC_ROW(fuzz__u32_batch),
    CODEC_ROW(fuzz__f32_batch),   CODEC_ROW(fuzz__i32_batch),
};
#define N_CODECS (sizeof codecs / sizeof codecs[0])

static cg_arena *arena;

static void check_codec(const codec *c, const uint8_t *data, size_t len) {
  ProtobufCMessage *ref = protobuf_c_message_unpack(c->desc, NULL, len, data);
  cg_arena_reset(arena);
  void *mine = cg_arena_alloc(arena, c->desc->sizeof_message);
  protobuf_c_message_init(c->desc, mine);
  cg_status st = c->decode(data, len, arena, mine);
  if (ref && st == CG_ERR_DECODE && has_invalid_field_number(data, len)) {
    protobuf_c_message_free_unpacked(ref, NULL);
    return; /* the documented difference */
  }
  if ((ref != NULL) != (st == CG_OK)) mismatch("decode status", c->desc->name, data, len);
  if (!ref) return;
  if (!same_message(c->desc, ref, mine)) mismatch("decoded fields", c->desc->name, data, len);
  size_t bound = c->bound(mine);
  uint8_t *buf = malloc(bound);
  size_t n = (size_t)(c->write(mine, buf) - buf);
  if (n + 8 > bound) mismatch("encoded size over bound", c->desc->name, data, len);
  ProtobufCMessage *again = protobuf_c_message_unpack(c->desc, NULL, n, buf);
  if (!again || !same_message(c->desc, ref, again)) mismatch("round trip", c->desc->name, data, len);
  protobuf_c_message_free_unpacked(again, NULL);
  protobuf_c_message_free_unpacked(ref, NULL);
  free(buf);
}

/* ---- batch ops through dispatch ---- */

typedef struct batch_case {
  cg_status (*dispatch)(uint32_t, const uint8_t *, size_t, cg_bytes *);
  uint32_t op;
  const ProtobufCMessageDescriptor *req, *resp;
  cg_elem_type type;
  cg_kernel_op kernel;
  cg_overflow overflow;
} batch_case;

static const batch_case batches[] = {
    {calc_calculator_dispatch, 10, &calc__batch_operation__descriptor, &calc__batch_result__descriptor, CG_TYPE_I64, CG_KERNEL_ADD, CG_WRAP},
    {calc_calculator_dispatch, 13, &calc__batch_operation__descriptor, &calc__batch_result__descriptor, CG_TYPE_I64, CG_KERNEL_DIV, CG_WRAP},
    {calc_calculator_dispatch, 14, &calc__batch_operation__descriptor, &calc__batch_result__descriptor, CG_TYPE_I64, CG_KERNEL_ADD, CG_CHECKED},
    {calc_calculator_dispatch, 15, &calc__float_batch__descriptor, &calc__float_batch_result__descriptor, CG_TYPE_F64, CG_KERNEL_MUL, CG_WRAP},
    {calc_calculator_dispatch, 16, &calc__fixed_batch__descriptor, &calc__fixed_batch_result__descriptor, CG_TYPE_I64, CG_KERNEL_ADD, CG_WRAP},
    {fuzz_fuzz_dispatch, 2, &fuzz__s32_batch__descriptor, &fuzz__s32_result__descriptor, CG_TYPE_I32, CG_KERNEL_DIV, CG_CHECKED},
    {fuzz_fuzz_dispatch, 3, &fuzz__u32_batch__descriptor, &fuzz__u32_result__descriptor, CG_TYPE_U32, CG_KERNEL_SUB, CG_CHECKED},
    {fuzz_fuzz_dispatch, 4, &fuzz__f32_batch__descriptor, &fuzz__f32_result__descriptor, CG_TYPE_F32, CG_KERNEL_MIN, CG_WRAP},
    {fuzz_fuzz_dispatch, 5, &fuzz__i32_batch__descriptor, &fuzz__i32_result__descriptor, CG_TYPE_I32, CG_KERNEL_MOD, CG_WRAP},
};
#define N_BATCHES (sizeof batches / sizeof batches[0])

static int is_nan_at(cg_elem_type t, const void *arr, size_t i) {
  if (t == CG_TYPE_F32) { float f; memcpy(&f, (const char *)arr + 4 * i, 4); return f != f; }
  if (t == CG_TYPE_F64) { double d; memcpy(&d, (const char *)arr + 8 * i, 8); return d != d; }
  return 0;
}

/* Bit-exact, except where IEEE 754 leaves it open (docs/kernels.md): two NaN
 * operands of ADD/SUB/MUL/DIV may give either NaN. */
static int same_results(const batch_case *c, const void *a, const void *b, const void *want,
                        const void *got, size_t n, size_t w) {
  for (size_t i = 0; i < n; i++) {
    if (!memcmp((const char *)want + i * w, (const char *)got + i * w, w)) continue;
    if (c->kernel <= CG_KERNEL_DIV && is_nan_at(c->type, a, i) && is_nan_at(c->type, b, i) &&
        is_nan_at(c->type, got, i))
      continue;
    return 0;
  }
  return 1;
}

static void repeated_field(const ProtobufCMessageDescriptor *d, const void *m, unsigned i,
                           size_t *n, const void **values) {
  memcpy(n, (const char *)m + d->fields[i].quantifier_offset, sizeof *n);
  memcpy(values, (const char *)m + d->fields[i].offset, sizeof *values);
}

static void check_batch(const batch_case *c, const uint8_t *data, size_t len) {
  cg_bytes resp;
  cg_status st = c->dispatch(c->op, data, len, &resp);
  ProtobufCMessage *ref = protobuf_c_message_unpack(c->req, NULL, len, data);
  if (ref && st == CG_ERR_DECODE && has_invalid_field_number(data, len)) ref = (protobuf_c_message_free_unpacked(ref, NULL), NULL);
  if (!ref) {
    if (st != CG_ERR_DECODE) mismatch("batch decode status", c->req->name, data, len);
    return;
  }
  size_t na, nb;
  const void *a, *b;
  repeated_field(c->req, ref, 0, &na, &a);
  repeated_field(c->req, ref, 1, &nb, &b);
  if (na != nb) {
    if (st != CG_ERR_INVALID_ARGUMENT) mismatch("batch length status", c->req->name, data, len);
    protobuf_c_message_free_unpacked(ref, NULL);
    return;
  }
  size_t w = fuzz_scalar_size(c->req->fields[0].type), fail = 0;
  void *want = malloc(na * w + 1);
  cg_status want_st = cg_kernel_for_isa("scalar", c->kernel, c->type, c->overflow)(a, b, want, na, &fail);
  if (st != want_st) mismatch("batch kernel status", c->req->name, data, len);
  if (st != CG_OK) {
    char where[48];
    snprintf(where, sizeof where, "at index %zu", fail);
    if (!strstr(cg_last_error(), where)) mismatch("batch failing index", c->req->name, data, len);
  } else {
    ProtobufCMessage *out = protobuf_c_message_unpack(c->resp, NULL, resp.len, resp.data);
    size_t nr;
    const void *r;
    if (!out) mismatch("batch response undecodable", c->req->name, data, len);
    repeated_field(c->resp, out, 0, &nr, &r);
    if (nr != na || !same_results(c, a, b, want, r, na, w)) mismatch("batch results", c->req->name, data, len);
    protobuf_c_message_free_unpacked(out, NULL);
  }
  free(want);
  protobuf_c_message_free_unpacked(ref, NULL);
}

/* ---- a user op through dispatch: decode, handler, encode ---- */

static void check_echo(const uint8_t *data, size_t len) {
  cg_bytes resp;
  cg_status st = fuzz_fuzz_dispatch(FUZZ_FUZZ_OP_ECHO, data, len, &resp);
  ProtobufCMessage *ref = protobuf_c_message_unpack(&fuzz__everything__descriptor, NULL, len, data);
  if (ref && st == CG_ERR_DECODE && has_invalid_field_number(data, len)) ref = (protobuf_c_message_free_unpacked(ref, NULL), NULL);
  if ((ref != NULL) != (st == CG_OK)) mismatch("echo status", "fuzz.Everything", data, len);
  if (!ref) return;
  ProtobufCMessage *back = protobuf_c_message_unpack(&fuzz__everything__descriptor, NULL, resp.len, resp.data);
  if (!back || !same_message(&fuzz__everything__descriptor, ref, back))
    mismatch("echo", "fuzz.Everything", data, len);
  protobuf_c_message_free_unpacked(back, NULL);
  protobuf_c_message_free_unpacked(ref, NULL);
}

/* Codecs added after the echo target, so that the targets of committed
 * inputs (byte 0 below the old count) keep their meaning. */
static const codec later_codecs[] = {CODEC_ROW(fuzz__scalars), CODEC_ROW(calc__fixed_op),
                                     CODEC_ROW(calc__fixed_value)};
#define N_LATER (sizeof later_codecs / sizeof later_codecs[0])
#define ECHO (N_CODECS + N_BATCHES)

size_t fuzz_target_count(void) { return ECHO + 1 + N_LATER; }

const ProtobufCMessageDescriptor *fuzz_target_message(size_t k) {
  if (k < N_CODECS) return codecs[k].desc;
  if (k < ECHO) return batches[k - N_CODECS].req;
  if (k == ECHO) return &fuzz__everything__descriptor;
  return later_codecs[k - ECHO - 1].desc;
}

/* Byte 0 picks the target, the rest is the message. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  if (!arena) arena = cg_arena_create(NULL);
  size_t k = data[0] % fuzz_target_count();
  const uint8_t *msg = data + 1;
  size_t len = size - 1;
  if (k < N_CODECS) check_codec(&codecs[k], msg, len);
  else if (k < ECHO) check_batch(&batches[k - N_CODECS], msg, len);
  else if (k == ECHO) check_echo(msg, len);
  else check_codec(&later_codecs[k - ECHO - 1], msg, len);
  return 0;
}
