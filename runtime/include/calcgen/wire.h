/* Protobuf wire encoding of a one-field response, for generated code.
 *
 * A kernel op's response is a single scalar field, so generated code encodes
 * it directly instead of through protobuf-c. Besides being shorter, this keeps
 * -0.0: protobuf-c's proto3 encoder treats a float equal to 0 as the default
 * and omits it, turning MIN(-0.0, +0.0) into +0.0 on the wire. Here only an
 * all-zero bit pattern is the default, as in Google's implementation. */
#ifndef CALCGEN_WIRE_H
#define CALCGEN_WIRE_H

#include <stdint.h>
#include <string.h>

#include "calcgen/bytes.h"
#include "calcgen/status.h"
#include "calcgen/visibility.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cg_scalar_encoding {
  CG_ENC_VARINT = 0,   /* int32 (sign-extended), int64, uint32, uint64 */
  CG_ENC_ZIGZAG32 = 1, /* sint32 */
  CG_ENC_ZIGZAG64 = 2, /* sint64 */
  CG_ENC_FIXED32 = 3,  /* fixed32, sfixed32, float: the 32 value bits */
  CG_ENC_FIXED64 = 4   /* fixed64, sfixed64, double: the 64 value bits */
} cg_scalar_encoding;

/* Encodes field `field` with value `bits` (omitted when bits is 0) into this
 * thread's response buffer and points *resp at it. */
CG_API cg_status cg_respond_scalar(uint32_t field, cg_scalar_encoding enc, uint64_t bits,
                                   cg_bytes *resp);

static inline uint64_t cg_f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

static inline uint64_t cg_f64_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}

#ifdef __cplusplus
}
#endif
#endif
