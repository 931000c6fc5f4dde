/* calcgen runtime: the umbrella header, the host's API: statuses and their
 * detail, arenas for the typed host calls, limits and per-thread state, the
 * allocator hook, the active instruction set, where batch kernels run (one
 * core, every core or the GPU), the zero-copy layout, the version, the async engine, streams and shared-memory regions. Generated sources include
 * calcgen/generated_support.h, which adds the codecs and the batch engine
 * they are written against. */
#ifndef CALCGEN_CALCGEN_H
#define CALCGEN_CALCGEN_H

#include "calcgen/alloc.h"
#include "calcgen/arena.h"
#include "calcgen/backend.h"
#include "calcgen/bytes.h"
#include "calcgen/call.h"
#include "calcgen/engine.h"
#include "calcgen/kernels.h"
#include "calcgen/layout.h"
#include "calcgen/shm.h"
#include "calcgen/status.h"
#include "calcgen/stream.h"
#include "calcgen/version.h"

#endif
