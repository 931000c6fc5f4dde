/* The user handler of unusual/proto2.proto's Legacy service (an echo),
 * shared by test_proto2.c, the Python stub's proto2 test library and the
 * WebAssembly module of the unseen schemas. */
#include "proto2.calcgen.h"

cg_status legacy_legacy_echo(const Legacy__Pair *req, Legacy__Pair *resp, cg_arena *arena) {
  (void)arena;
  *resp = *req; /* the request outlives the encoding of the response */
  return CG_OK;
}
