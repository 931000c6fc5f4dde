/* A pool of helper threads that runs the chunks of one job at a time beside
 * the thread that posted it (parallel.c), for the THREADS backend. */
#ifndef CALCGEN_SRC_PARALLEL_INTERNAL_H
#define CALCGEN_SRC_PARALLEL_INTERNAL_H

#include <stddef.h>

/* Runs chunk `index` of a job; called once per index, on any thread. */
typedef void (*cg__chunk_fn)(void *ctx, size_t index);

/* The most chunks one job has; callers size chunks to stay under it. */
#define CG__PAR_MAX_CHUNKS 65535u

/* Runs fn(ctx, i) for every i < chunks, on the caller and up to threads - 1
 * helpers, and returns when all have finished. When another job holds the
 * pool, or no helper can start, the caller runs every chunk itself. Never
 * allocates once the helpers are running. */
void cg__par_for(size_t chunks, cg__chunk_fn fn, void *ctx, unsigned threads);

/* Helpers the pool has started (0 until the first job, or without thread
 * support). */
unsigned cg__par_helpers(void);

#endif
