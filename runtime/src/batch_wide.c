#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "backend_internal.h"
#include "batch_wide_internal.h"
#include "call_internal.h"
#include "parallel_internal.h"
#include "run_kernel_internal.h"

#include "calcgen/call.h"
#include "calcgen/support/wire.h"

/* Pieces per thread, so a slow thread does not hold the rest, and the most
 * pieces one batch has (their bounds live on the caller's stack). */
#define PIECES_PER_THREAD 4
#define MAX_PIECES 1024
/* Below this a piece is not worth a hand-off (cg__batch_wide_tune lowers
 * them for the fuzzer). */
#define MIN_PIECE_BYTES 16384
#define MIN_PIECE_ELEMS 4096
static size_t min_piece_bytes = MIN_PIECE_BYTES, min_piece_elems = MIN_PIECE_ELEMS;

void cg__batch_wide_tune(size_t min_bytes, size_t min_elems) {
  min_piece_bytes = min_bytes ? min_bytes : MIN_PIECE_BYTES;
  min_piece_elems = min_elems ? min_elems : MIN_PIECE_ELEMS;
}
/* Values a piece packs into its stack scratch at a time: the vector encoders
 * store past their end, so pieces never pack straight next to each other. */
#define PACK_STEP 512

static size_t pieces_for(size_t units, size_t min_units) {
  size_t p = (size_t)cg_backend_threads() * PIECES_PER_THREAD;
  if (p > MAX_PIECES) p = MAX_PIECES;
  if (p > units / min_units) p = units / min_units;
  return p ? p : 1;
}

/* ---- decoding -------------------------------------------------------------- */

typedef struct unpack_job {
  cg_encoding kind;
  const uint8_t *p;
  unsigned char *out;
  size_t width;
  size_t cut[MAX_PIECES + 1];   /* byte bounds, each just after a terminator */
  size_t first[MAX_PIECES + 1]; /* element counts, then where each piece starts */
  _Atomic int bad;
} unpack_job;

static void count_piece(void *ctx, size_t i) {
  unpack_job *j = ctx;
  j->first[i + 1] = cg_wire_count_varints(j->p + j->cut[i], j->cut[i + 1] - j->cut[i]);
}

static void unpack_piece(void *ctx, size_t i) {
  unpack_job *j = ctx;
  size_t k = cg_wire_unpack_varints(j->kind, j->p + j->cut[i], j->cut[i + 1] - j->cut[i], j->out + j->first[i] * j->width);
  if (k != j->first[i + 1] - j->first[i]) atomic_store(&j->bad, 1);
}

size_t cg__unpack_varints(cg_encoding kind, const uint8_t *p, size_t len, void *out, cg_kernel_op op,
                          cg_elem_type type) {
  size_t pieces = pieces_for(len, min_piece_bytes);
  if (pieces < 2 || cg__codec_choice(op, type, len) == CG_BACKEND_SINGLE)
    return cg_wire_unpack_varints(kind, p, len, out);
  unpack_job j;
  j.kind = kind;
  j.p = p;
  j.out = out;
  j.width = cg_encoding_width(kind);
  atomic_init(&j.bad, 0);
  /* A varint ends at its one byte with the top bit clear: cutting just after
   * such a byte never splits one, so each piece decodes as the whole would. */
  j.cut[0] = 0;
  for (size_t i = 1; i < pieces; i++) {
    size_t at = len / pieces * i;
    if (at < j.cut[i - 1]) at = j.cut[i - 1];
    while (at < len && p[at] >= 0x80) at++;
    j.cut[i] = at < len ? at + 1 : len;
  }
  j.cut[pieces] = len;
  j.first[0] = 0;
  unsigned threads = cg_backend_threads();
  cg__par_for(pieces, count_piece, &j, threads);
  for (size_t i = 0; i < pieces; i++) j.first[i + 1] += j.first[i];
  cg__par_for(pieces, unpack_piece, &j, threads);
  return atomic_load(&j.bad) ? SIZE_MAX : j.first[pieces];
}

/* ---- kernel and encoding ------------------------------------------------------ */

typedef struct pack_job {
  cg_encoding kind;
  cg_kernel_fn fn; /* NULL: the kernel has run already */
  unsigned char *a;
  const unsigned char *b;
  size_t n, chunk, width;
  size_t size[MAX_PIECES + 1]; /* bytes of each piece, then where each starts */
  uint8_t *dst;
  _Atomic uint64_t fail; /* the lowest failure (backend_internal.h) */
} pack_job;

static size_t piece_len(const pack_job *j, size_t i) {
  size_t start = i * j->chunk;
  return j->n - start < j->chunk ? j->n - start : j->chunk;
}

static void kernel_and_size(void *ctx, size_t i) {
  pack_job *j = ctx;
  size_t start = i * j->chunk, len = piece_len(j, i), w = j->width;
  unsigned char *v = j->a + start * w;
  if (j->fn) {
    if (cg__past_failure(&j->fail, start)) return;
    size_t bad = 0;
    cg_status st = j->fn(v, j->b + start * w, v, len, &bad); /* in place: a is the call's own copy */
    if (st != CG_OK) {
      cg__lower_failure(&j->fail, start + bad, st);
      return;
    }
  }
  j->size[i + 1] = cg_wire_varints_size(j->kind, v, len);
}

static void pack_piece(void *ctx, size_t i) {
  pack_job *j = ctx;
  uint8_t scratch[PACK_STEP * 10 + 16];
  size_t start = i * j->chunk, len = piece_len(j, i), w = j->width;
  uint8_t *q = j->dst + j->size[i];
  for (size_t done = 0; done < len; done += PACK_STEP) {
    size_t step = len - done < PACK_STEP ? len - done : PACK_STEP;
    size_t bytes = cg_wire_pack_varints(j->kind, j->a + (start + done) * w, step, scratch);
    memcpy(q, scratch, bytes);
    q += bytes;
  }
}

cg_status cg__batch_varints_wide(const cg_batch_spec *s, void *a, const void *b, size_t n, cg_backend be,
                                 cg_bytes *resp) {
  pack_job j;
  j.kind = s->codec;
  j.a = a;
  j.b = b;
  j.n = n;
  j.width = cg_encoding_width(s->codec);
  size_t pieces = pieces_for(n, min_piece_elems);
  j.chunk = (n + pieces - 1) / pieces;
  pieces = (n + j.chunk - 1) / j.chunk;
  atomic_init(&j.fail, CG__NO_FAILURE);
  j.fn = cg_kernel(s->kernel, s->type, s->overflow);
  if (!j.fn) return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: no kernel %d for type %d", s->op, s->kernel, s->type);
  if (be == CG_BACKEND_CUDA) { /* the whole array on the device first */
    size_t bad = 0;
    cg_status st = cg__kernel_exec(CG_BACKEND_AUTO, j.fn, s->kernel, s->type, s->overflow, a, b, a, n, &bad);
    if (st == CG_ERR_INVALID_ARGUMENT || st == CG_ERR_NO_MEMORY) return st; /* the backend said why */
    if (st != CG_OK) return cg__kernel_failed(st, bad, s->op);
    j.fn = NULL; /* done: the pieces only size and encode */
  }
  unsigned threads = cg_backend_threads();
  j.size[0] = 0;
  cg__par_for(pieces, kernel_and_size, &j, threads);
  size_t at = 0;
  cg_status failed = cg__failure_of(atomic_load(&j.fail), &at);
  if (failed != CG_OK) return cg__kernel_failed(failed, at, s->op);
  for (size_t i = 0; i < pieces; i++) j.size[i + 1] += j.size[i];
  size_t payload = j.size[pieces], limit = cg_get_limits().max_response;
  /* the serial path's check and words, so both refuse the same batches */
  if (10 + payload > limit)
    return cg_fail(CG_ERR_LIMIT, "%s: the response of %zu results takes %zu bytes, over the limit of %zu bytes", s->op,
                   n, 10 + payload, limit);
  uint8_t head[32], *h = cg_write_tag(head, s->field_out, CG_WIRE_LEN);
  size_t hl = (size_t)(cg_write_varint(h, payload) - head);
  uint8_t *buf;
  cg_status st = cg__response_buffer_room(hl + payload, hl + payload, &buf);
  if (st != CG_OK) return st;
  memcpy(buf, head, hl);
  j.dst = buf + hl;
  cg__par_for(pieces, pack_piece, &j, threads);
  *resp = (cg_bytes){buf, hl + payload};
  return CG_OK;
}
