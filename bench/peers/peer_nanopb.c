/* nanopb 0.4.7: static message structs (no allocation), pb_decode and
 * pb_encode into a reused buffer. */
#include <pb_decode.h>
#include <pb_encode.h>

#include "peer_calc.pb.h"
#include "peers.h"

static uint8_t resp_buf[PEER_RESP_CAP];
static calc_BatchOperation batch_in;
static calc_BatchResult batch_out;
static calc_FixedBatch fixed_in;
static calc_FixedBatchResult fixed_out;

static const uint8_t *encode(const pb_msgdesc_t *fields, const void *m, size_t *out_len) {
  pb_ostream_t os = pb_ostream_from_buffer(resp_buf, sizeof resp_buf);
  if (!pb_encode(&os, fields, m)) return NULL;
  *out_len = os.bytes_written;
  return resp_buf;
}

#define SINGLE(fn, Req, REQ_FIELDS, Resp, RESP_FIELDS)                             \
  static const uint8_t *fn(const uint8_t *req, size_t len, size_t *out_len) {      \
    Req m = {0};                                                                   \
    pb_istream_t is = pb_istream_from_buffer(req, len);                            \
    if (!pb_decode(&is, REQ_FIELDS, &m)) return NULL;                              \
    Resp v = {(int64_t)((uint64_t)m.a + (uint64_t)m.b)};                           \
    return encode(RESP_FIELDS, &v, out_len);                                       \
  }
SINGLE(add, calc_BinaryOp, calc_BinaryOp_fields, calc_Value, calc_Value_fields)
SINGLE(add_fixed, calc_FixedOp, calc_FixedOp_fields, calc_FixedValue, calc_FixedValue_fields)

#define BATCH(fn, in, out, IN_FIELDS, OUT_FIELDS)                                  \
  static const uint8_t *fn(const uint8_t *req, size_t len, size_t *out_len) {      \
    pb_istream_t is = pb_istream_from_buffer(req, len);                            \
    if (!pb_decode(&is, IN_FIELDS, &in) || in.a_count != in.b_count) return NULL;  \
    out.values_count = in.a_count;                                                 \
    for (pb_size_t i = 0; i < in.a_count; i++)                                     \
      out.values[i] = (int64_t)((uint64_t)in.a[i] + (uint64_t)in.b[i]);            \
    return encode(OUT_FIELDS, &out, out_len);                                      \
  }
BATCH(batch_add, batch_in, batch_out, calc_BatchOperation_fields, calc_BatchResult_fields)
BATCH(batch_add_fixed, fixed_in, fixed_out, calc_FixedBatch_fields, calc_FixedBatchResult_fields)

const peer peer_nanopb = {"nanopb", "nanopb 0.4.7, static structs", {add, add_fixed, batch_add, batch_add_fixed}};
