/* Runtime-internal access to the thread's error record (status.c). Each
 * error remembers the call depth it was recorded at (call.c), so that a
 * nested call's failure, once its handler recovered, neither hides nor
 * stands in for the outer call's own error. */
#ifndef CALCGEN_SRC_STATUS_INTERNAL_H
#define CALCGEN_SRC_STATUS_INTERNAL_H

#include "calcgen/status.h"

/* 0: no error; else 1 + the call depth the error was recorded at. */
extern _Thread_local int cg__error_level;
/* The status of the recorded error. */
extern _Thread_local cg_status cg__error_status;

/* Forgets errors recorded at `depth` or deeper (0: every error). */
static inline void cg__clear_errors_from(int depth) {
  if (cg__error_level > depth) cg__error_level = 0;
}

/* The depth of the calls in progress on this thread (call.c). */
int cg__call_depth(void);

#endif
