/* calcgen: the exported dispatch entry point, as any FFI host calls it. */
#include "calculator.calcgen.h"
#include "peers.h"

#define CALL(fn, OP)                                                        \
  static const uint8_t *fn(const uint8_t *req, size_t len, size_t *out_len) { \
    cg_bytes r;                                                             \
    if (calc_calculator_dispatch(OP, req, len, &r) != CG_OK) return NULL;    \
    *out_len = r.len;                                                       \
    return r.data ? r.data : (const uint8_t *)"";                           \
  }
CALL(add, CALC_CALCULATOR_OP_ADD)
CALL(add_fixed, CALC_CALCULATOR_OP_ADD_FIXED)
CALL(batch_add, CALC_CALCULATOR_OP_BATCH_ADD)
CALL(batch_add_fixed, CALC_CALCULATOR_OP_BATCH_ADD_FIXED)

const peer peer_calcgen = {"calcgen", "calc_calculator_dispatch (exported entry point)",
                           {add, add_fixed, batch_add, batch_add_fixed}};
