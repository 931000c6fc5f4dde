/* Runtime-internal access to the thread's error flag (status.c), so that
 * cg_call_enter, run on every call, clears it with one store of its own
 * rather than a call into status.c. */
#ifndef CALCGEN_SRC_STATUS_INTERNAL_H
#define CALCGEN_SRC_STATUS_INTERNAL_H

/* Set while this thread's error text belongs to the current call. */
extern _Thread_local int cg__error_set;

/* What cg_clear_error() does, inline for the runtime's own hot path. */
static inline void cg__clear_error(void) { cg__error_set = 0; }

#endif
