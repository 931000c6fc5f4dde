/* A process that exits while other threads are still calling the library
 * (issue: the library's destructor freed their memory under them). Each of
 * RUNS children starts two threads that call in a loop, lets them run a
 * moment and calls exit(); every child must end with status 0.
 *   test_exit [RUNS] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nested.calcgen.h"

static void *caller(void *arg) {
  (void)arg;
  Nest__Text t = NEST__TEXT__INIT, out;
  t.text = "exiting";
  t.depth = 1;
  cg_arena *a = cg_arena_create(NULL);
  for (;;) {
    if (nest_nested_call_describe(&t, &out, a) != CG_OK || strcmp(out.text, "exiting") != 0) _exit(3);
    cg_arena_reset(a);
  }
  return NULL;
}

int main(int argc, char **argv) {
  int runs = argc > 1 ? atoi(argv[1]) : 200, failed = 0;
  for (int r = 0; r < runs && !failed; r++) {
    pid_t pid = fork();
    if (pid == 0) {
      alarm(30); /* a child that hangs in exit (a sanitizer report stuck on a lock) fails, not the suite */
      pthread_t t[2];
      for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, caller, NULL);
      struct timespec pause = {0, 200000 + 10000 * (r % 50)};
      nanosleep(&pause, NULL);
      exit(0); /* destructors run while the callers are mid-call */
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "run %d: %s %d\n", r, WIFSIGNALED(status) ? "killed by signal" : "exit status",
              WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
      failed = 1;
    }
  }
  if (!failed) printf("%d processes exited while two threads called the library: all clean\n", runs);
  return failed;
}
