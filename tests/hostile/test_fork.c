/* fork() in a multithreaded host (issue: a child deadlocked on a lock another
 * thread held). Threads keep setting and reading limits and dispatching while
 * the main thread forks FORKS times; every child calls the library, sets
 * limits and exits. A child that does not finish within 10 s is a hang.
 *   test_fork [FORKS] */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nested.calcgen.h"

static volatile int stop;

static void *busy(void *arg) {
  (void)arg;
  Nest__Text t = NEST__TEXT__INIT, out;
  t.text = "busy";
  t.depth = 1;
  while (!stop) {
    cg_limits l = cg_get_limits();
    l.max_batch = l.max_batch == 1000000 ? 2000000 : 1000000;
    cg_set_limits(&l);
    cg_arena *a = cg_arena_create(NULL);
    if (nest_nested_call_describe(&t, &out, a) != CG_OK) abort();
    cg_arena_destroy(a);
    cg_thread_release();
  }
  return NULL;
}

static void child(void) {
  alarm(10); /* a hang ends the child with SIGALRM */
  int64_t r;
  if (nest_nested_invoke_add(2, 3, &r) != CG_OK || r != 5) _exit(3);
  Nest__Text t = NEST__TEXT__INIT, out;
  t.text = "child";
  cg_arena *a = cg_arena_create(NULL);
  if (nest_nested_call_describe(&t, &out, a) != CG_OK) _exit(4);
  cg_set_limits(NULL);
  _exit(0);
}

int main(int argc, char **argv) {
  int forks = argc > 1 ? atoi(argv[1]) : 3000;
  pthread_t t[3];
  for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, busy, NULL);
  int failed = 0;
  for (int i = 0; i < forks && !failed; i++) {
    pid_t pid = fork();
    if (pid == 0) child();
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
      perror("fork/waitpid");
      failed = 1;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "child %d: %s %d\n", i, WIFSIGNALED(status) ? "killed by signal" : "exit status",
              WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
      failed = 1;
    }
  }
  stop = 1;
  for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
  if (!failed) printf("%d forks of a process with 3 busy threads: every child finished\n", forks);
  return failed;
}
