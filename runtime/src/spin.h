/* Clocks, waits and spinning shared by the engine and the thread pool. */
#ifndef CALCGEN_SRC_SPIN_H
#define CALCGEN_SRC_SPIN_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

static inline uint64_t cg__now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void cg__cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* The monotonic time timeout_ms from now, for cg__cond_init's condition
 * variables (a wall-clock jump neither ends nor stretches a wait). */
static inline void cg__deadline_after(struct timespec *ts, int timeout_ms) {
  clock_gettime(CLOCK_MONOTONIC, ts);
  ts->tv_sec += timeout_ms / 1000;
  ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

/* A condition variable whose timed waits take cg__deadline_after's deadlines. */
static inline void cg__cond_init(pthread_cond_t *cv) {
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(cv, &ca);
  pthread_condattr_destroy(&ca);
}

/* Evaluates `cond` until it is non-zero or `ns` have passed (the clock read
 * every 64 tries); its last value. */
#define cg__spin_until(cond, ns)                                       \
  __extension__({                                                      \
    int cg__got = (cond);                                              \
    uint64_t cg__end = 0;                                              \
    for (unsigned cg__i = 1; !cg__got; cg__i++) {                      \
      cg__cpu_relax();                                                 \
      if ((cg__i & 63) == 0) {                                         \
        uint64_t cg__t = cg__now_ns();                                 \
        if (!cg__end) cg__end = cg__t + (ns);                          \
        else if (cg__t >= cg__end) break;                              \
      }                                                                \
      cg__got = (cond);                                                \
    }                                                                  \
    cg__got;                                                           \
  })

#endif
