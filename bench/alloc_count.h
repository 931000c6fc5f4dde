/* Counts malloc/calloc/realloc/free calls process-wide by interposing them
 * (glibc's __libc_* underneath). Only for builds without sanitizers. */
#ifndef CALCGEN_BENCH_ALLOC_COUNT_H
#define CALCGEN_BENCH_ALLOC_COUNT_H

long heap_calls_now(void);

#endif
