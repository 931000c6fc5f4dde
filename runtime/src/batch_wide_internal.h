/* Packed-varint batches split across the THREADS pool (batch_wide.c), for
 * batch.c: decoding, the kernel and encoding each in pieces, with the same
 * results, failures and limits as the serial path. */
#ifndef CALCGEN_SRC_BATCH_WIDE_INTERNAL_H
#define CALCGEN_SRC_BATCH_WIDE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "calcgen/backend.h"
#include "calcgen/support/batch.h"

/* cg_wire_unpack_varints, in pieces across the pool when cg__codec_choice
 * gives a payload of len bytes to more than one core. */
size_t cg__unpack_varints(cg_encoding kind, const uint8_t *p, size_t len, void *out, cg_kernel_op op,
                          cg_elem_type type);

/* The rest of a varint batch after decoding: out = a op b into `a` (the
 * call's own decoded copy) on `be` (THREADS or CUDA), then the response
 * (tag, length, packed results) encoded in pieces. */
cg_status cg__batch_varints_wide(const cg_batch_spec *s, void *a, const void *b, size_t n, cg_backend be,
                                 cg_bytes *resp);

/* For the fuzzer: the smallest piece, in bytes to decode and elements to
 * encode (0: the defaults), so short batches are split too. Not thread-safe. */
void cg__batch_wide_tune(size_t min_bytes, size_t min_elems);

#endif
