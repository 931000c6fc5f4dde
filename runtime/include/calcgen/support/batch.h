/* Batch kernel ops straight from and to the wire, for generated code.
 *
 * A batch op's request is two repeated numeric fields and its response one.
 * cg_run_batch() frames the request with protobuf-c's rules, and then:
 * - fixed-width operands (fixed32/64, sfixed32/64, float, double) sent as one
 *   packed field each are read in place from the request bytes, and the
 *   result is written by the kernel straight into the response buffer, after
 *   the aligned header of calcgen/layout.h (zero-copy both ways; hosts can
 *   view it as a typed array);
 * - varint operands are decoded into arena arrays (also fixed-width operands
 *   split over several occurrences), and the result is computed and encoded
 *   in cache-sized chunks.
 * Malformed bytes give CG_ERR_DECODE, different operand counts
 * CG_ERR_INVALID_ARGUMENT, a failing element its status "at index i". */
#ifndef CALCGEN_SUPPORT_BATCH_H
#define CALCGEN_SUPPORT_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "calcgen/arena.h"
#include "calcgen/bytes.h"
#include "calcgen/kernels.h"
#include "calcgen/layout.h"
#include "calcgen/status.h"
#include "calcgen/support/wire.h"
#include "calcgen/visibility.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cg_batch_spec {
  const char *op;       /* method name, request type and operand names: */
  const char *request;  /* for error details only (request NULL: a response) */
  const char *name_a, *name_b;
  uint32_t field_a, field_b, field_out;
  cg_encoding codec;  /* operands and result share it */
  cg_elem_type type;
  cg_kernel_op kernel;
  cg_overflow overflow;
} cg_batch_spec;

CG_API cg_status cg_run_batch(const cg_batch_spec *spec, const uint8_t *req, size_t req_len,
                              cg_bytes *resp, cg_arena *arena);

/* ---- host side ---- */

/* Writes a zero-copy request for a fixed-width batch op with n elements into
 * buf (CG_BATCH_REQUEST_SIZE bytes, calcgen/layout.h) and returns its length. */
CG_API size_t cg_batch_request_layout(uint8_t *buf, uint32_t field_a, uint32_t field_b,
                                      size_t n, size_t width);

/* Finds packed field `field` of fixed-width elements in a message and views
 * its payload in place. A field sent in several pieces, or unpacked, gives
 * CG_ERR_INVALID_ARGUMENT (copy it with a decoder instead), as does a width
 * of 0; an absent field gives n = 0. */
CG_API cg_status cg_packed_view(cg_bytes msg, uint32_t field, size_t width,
                                const uint8_t **payload, size_t *n);

/* Decodes repeated field `field` of a message (all occurrences, packed or
 * not) into `out`, which has room for exactly `n` elements; a response with
 * another count is CG_ERR_DECODE. */
CG_API cg_status cg_unpack_field(cg_bytes msg, uint32_t field, cg_encoding codec, void *out,
                                 size_t n, const char *op);

#ifdef __cplusplus
}
#endif
#endif
