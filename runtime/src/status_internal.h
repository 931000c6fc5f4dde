/* The per-thread state every call touches, in one small thread-local
 * (call.c defines it): one TLS access per runtime function on the hot path,
 * which matters in a dlopen'ed library, where each is a TLS-descriptor call.
 * Errors remember the call depth they were recorded at (status.c), so that a
 * nested call's failure, once its handler recovered, neither hides nor
 * stands in for the outer call's own error. */
#ifndef CALCGEN_SRC_STATUS_INTERNAL_H
#define CALCGEN_SRC_STATUS_INTERNAL_H

#include <stdint.h>

#include "calcgen/call.h"
#include "calcgen/status.h"

typedef struct cg__hot {
  int depth;           /* calls in progress (the unloader reads it; no call runs then) */
  int error_level;     /* 0: no error; else 1 + the depth it was recorded at */
  cg_status error_status;
  unsigned retired;    /* bit l: level l has a response buffer to free when its call ends */
  const uint8_t *req[CG_MAX_NESTED_CALLS]; /* each level's request (see call.c) */
} cg__hot;

extern _Thread_local cg__hot cg__thread;

/* This thread's cg__thread, its address computed once: GCC rederives a
 * TLS-descriptor address at each use otherwise, a call each time. */
static inline cg__hot *cg__hot_state(void) {
  cg__hot *h = &cg__thread;
#if defined(__GNUC__)
  __asm__("" : "+r"(h));
#endif
  return h;
}

/* Forgets errors recorded at `depth` or deeper (0: every error). */
static inline void cg__clear_errors_from(cg__hot *h, int depth) {
  if (h->error_level > depth) h->error_level = 0;
}

#endif
