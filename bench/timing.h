/* Wall-clock timing for benchmarks: the best of several trials, since this
 * kind of machine is shared and noisy; ratios come from the same run. */
#ifndef CALCGEN_BENCH_TIMING_H
#define CALCGEN_BENCH_TIMING_H

#include <stdint.h>
#include <time.h>

static inline double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Runs body(ctx) `reps` times per trial; returns the best ns per rep. */
static inline double best_ns(void (*body)(void *), void *ctx, long reps, int trials) {
  double best = 1e300;
  for (int t = 0; t < trials; t++) {
    double t0 = now_ns();
    for (long r = 0; r < reps; r++) body(ctx);
    double per = (now_ns() - t0) / (double)reps;
    if (per < best) best = per;
  }
  return best;
}

#endif
