#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#include "parallel_internal.h"
#include "spin.h"

#define MAX_HELPERS 255
/* After a chunk, helpers poll this long for the next job before sleeping:
 * back-to-back batches then skip a futex wake each. */
#define HELPER_SPIN_NS 50000
/* The poster spins this long for the last helpers' chunks, then yields. */
#define FINISH_SPIN_NS 20000

/* One job at a time. `word` is the job's generation (32 bits), its chunk
 * count (16) and the next chunk to claim (16): a claim is one CAS on it, and
 * a helper holding an old word cannot claim into a newer job. fn and ctx are
 * written before the word is published and stay until every chunk is done. */
static struct {
  _Atomic uint64_t word;
  _Atomic size_t done;
  _Atomic int busy;
  _Atomic unsigned allowed; /* helpers that take part in the current job */
  cg__chunk_fn fn;
  void *ctx;
  pthread_mutex_t mu; /* helpers sleep on cv, or park on park_cv, under mu */
  pthread_cond_t cv;
  pthread_cond_t park_cv; /* helpers past `allowed` wait here for it to grow */
  _Atomic unsigned sleeping, parked;
  _Atomic int stop;
  pthread_mutex_t start_mu; /* guards started, th and the fork handler */
  _Atomic unsigned started;
  int atfork_done;
  pthread_t th[MAX_HELPERS];
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER,
          .cv = PTHREAD_COND_INITIALIZER,
          .park_cv = PTHREAD_COND_INITIALIZER,
          .start_mu = PTHREAD_MUTEX_INITIALIZER};

static uint32_t gen_of(uint64_t w) { return (uint32_t)(w >> 32); }

/* Claims and runs one chunk of the current job; 0 when none is left. */
static int run_one(void) {
  uint64_t w = atomic_load_explicit(&pool.word, memory_order_acquire);
  for (;;) {
    unsigned count = (unsigned)(w >> 16) & 0xffffu, next = (unsigned)w & 0xffffu;
    if (next >= count) return 0;
    if (atomic_compare_exchange_weak_explicit(&pool.word, &w, w + 1, memory_order_acq_rel,
                                              memory_order_acquire)) {
      pool.fn(pool.ctx, next);
      atomic_fetch_add_explicit(&pool.done, 1, memory_order_release);
      return 1;
    }
  }
}

static void *helper(void *arg) {
  unsigned me = (unsigned)(uintptr_t)arg;
  for (;;) {
    /* The generation is read before claiming, so a job posted after the
     * last claim ends the wait below at once. */
    uint32_t g = gen_of(atomic_load(&pool.word));
    if (atomic_load(&pool.stop)) return NULL;
    if (me >= atomic_load(&pool.allowed)) {
      /* Fewer threads wanted than started: out of the way until more are. */
      pthread_mutex_lock(&pool.mu);
      atomic_fetch_add(&pool.parked, 1);
      while (me >= atomic_load(&pool.allowed) && !atomic_load(&pool.stop)) pthread_cond_wait(&pool.park_cv, &pool.mu);
      atomic_fetch_sub(&pool.parked, 1);
      pthread_mutex_unlock(&pool.mu);
      continue;
    }
    if (run_one()) continue;
    if (cg__spin_until(gen_of(atomic_load(&pool.word)) != g || atomic_load(&pool.stop), HELPER_SPIN_NS))
      continue;
    pthread_mutex_lock(&pool.mu);
    atomic_fetch_add(&pool.sleeping, 1);
    while (gen_of(atomic_load(&pool.word)) == g && !atomic_load(&pool.stop))
      pthread_cond_wait(&pool.cv, &pool.mu);
    atomic_fetch_sub(&pool.sleeping, 1);
    pthread_mutex_unlock(&pool.mu);
  }
}

/* A forked child has none of the parent's helpers: it starts its own. A job
 * the parent was running is not the child's: a new generation with nothing
 * to claim, so no new helper takes a chunk of it. */
static void forked_child(void) {
  pthread_mutex_init(&pool.mu, NULL);
  pthread_cond_init(&pool.cv, NULL);
  pthread_cond_init(&pool.park_cv, NULL);
  pthread_mutex_init(&pool.start_mu, NULL);
  atomic_store(&pool.word, (uint64_t)(gen_of(atomic_load(&pool.word)) + 1) << 32);
  atomic_store(&pool.done, 0);
  atomic_store(&pool.allowed, 0);
  atomic_store(&pool.started, 0);
  atomic_store(&pool.sleeping, 0);
  atomic_store(&pool.parked, 0);
  atomic_store(&pool.busy, 0);
}

/* Starts helpers up to `want`; how many are running. */
static unsigned ensure_helpers(unsigned want) {
  if (want > MAX_HELPERS) want = MAX_HELPERS;
  unsigned have = atomic_load_explicit(&pool.started, memory_order_acquire);
  if (have >= want) return have;
  pthread_mutex_lock(&pool.start_mu);
  if (!pool.atfork_done) pool.atfork_done = pthread_atfork(NULL, NULL, forked_child) == 0;
  have = atomic_load(&pool.started);
  while (have < want && !atomic_load(&pool.stop) &&
         pthread_create(&pool.th[have], NULL, helper, (void *)(uintptr_t)have) == 0)
    atomic_store_explicit(&pool.started, ++have, memory_order_release);
  pthread_mutex_unlock(&pool.start_mu);
  return have;
}

unsigned cg__par_helpers(void) { return atomic_load(&pool.started); }

void cg__par_for(size_t chunks, cg__chunk_fn fn, void *ctx, unsigned threads) {
  unsigned helpers = threads > 1 && chunks > 1 && chunks <= CG__PAR_MAX_CHUNKS ? ensure_helpers(threads - 1) : 0;
  if (!helpers || atomic_exchange(&pool.busy, 1)) {
    for (size_t i = 0; i < chunks; i++) fn(ctx, i);
    return;
  }
  pool.fn = fn;
  pool.ctx = ctx;
  atomic_store(&pool.done, 0);
  /* seq_cst, then the parked count: a helper parks only after seeing it. */
  unsigned before = atomic_exchange(&pool.allowed, threads - 1);
  if (threads - 1 > before && atomic_load(&pool.parked)) {
    pthread_mutex_lock(&pool.mu);
    pthread_cond_broadcast(&pool.park_cv);
    pthread_mutex_unlock(&pool.mu);
  }
  uint64_t gen = (uint64_t)gen_of(atomic_load(&pool.word)) + 1;
  /* seq_cst store, then the sleeper count: a helper either sees this job
   * before it sleeps or is asleep when the broadcast comes. */
  atomic_store(&pool.word, (gen << 32) | ((uint64_t)chunks << 16));
  if (atomic_load(&pool.sleeping)) {
    pthread_mutex_lock(&pool.mu);
    pthread_cond_broadcast(&pool.cv);
    pthread_mutex_unlock(&pool.mu);
  }
  while (run_one()) {
  }
  while (!cg__spin_until(atomic_load_explicit(&pool.done, memory_order_acquire) == chunks, FINISH_SPIN_NS))
    sched_yield();
  atomic_store_explicit(&pool.busy, 0, memory_order_release);
}

/* Helpers must not outlive the library's code (a dlclose'd runtime). */
__attribute__((destructor)) static void stop_helpers(void) {
  pthread_mutex_lock(&pool.start_mu);
  atomic_store(&pool.stop, 1);
  pthread_mutex_lock(&pool.mu);
  pthread_cond_broadcast(&pool.cv);
  pthread_cond_broadcast(&pool.park_cv);
  pthread_mutex_unlock(&pool.mu);
  unsigned n = atomic_load(&pool.started);
  for (unsigned i = 0; i < n; i++) pthread_join(pool.th[i], NULL);
  atomic_store(&pool.started, 0);
  pthread_mutex_unlock(&pool.start_mu);
}
