/* Threads that nest calls (handlers calling ops), change limits, release their
 * state and exit, all at once: built with ThreadSanitizer by run_tsan.sh.
 *   test_threads [ROUNDS] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nested.calcgen.h"

enum { THREADS = 8 };
static int rounds = 200;

static void *work(void *arg) {
  unsigned id = (unsigned)(size_t)arg;
  Nest__Text t = NEST__TEXT__INIT, out;
  t.text = "threads";
  for (int r = 0; r < rounds; r++) {
    cg_arena *a = cg_arena_create(NULL);
    t.depth = (int32_t)((id + (unsigned)r) % 4);
    if (nest_nested_call_describe(&t, &out, a) != CG_OK || strcmp(out.text, "threads") != 0) {
      fprintf(stderr, "thread %u round %d: %s\n", id, r, cg_last_error());
      exit(1);
    }
    cg_arena_destroy(a);
    if (r % 16 == 0) {
      cg_limits l = cg_get_limits();
      l.max_batch = (size_t)1 << (20 + (id + (unsigned)r) % 4);
      cg_set_limits(&l);
    }
    if (r % 32 == 0) cg_thread_release();
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1) rounds = atoi(argv[1]);
  for (int wave = 0; wave < 4; wave++) { /* threads come and go: registry and key destructor */
    pthread_t t[THREADS];
    for (size_t i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, work, (void *)i);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  }
  printf("%d waves of %d threads, %d nested-call rounds each: ok\n", 4, THREADS, rounds);
  return 0;
}
