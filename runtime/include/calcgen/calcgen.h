/* calcgen runtime: the umbrella header.
 *
 * Generated dispatch code (foo.calcgen.c) links against this runtime. Hosts
 * that only call a generated P_dispatch need nothing but the status API. */
#ifndef CALCGEN_CALCGEN_H
#define CALCGEN_CALCGEN_H

#include "calcgen/alloc.h"
#include "calcgen/arena.h"
#include "calcgen/batch.h"
#include "calcgen/bytes.h"
#include "calcgen/call.h"
#include "calcgen/kernels.h"
#include "calcgen/status.h"
#include "calcgen/version.h"
#include "calcgen/wire.h"

#endif
