/* The calculator served across processes: creates the shared-memory region
 * NAME and serves it on an engine until SIGINT or SIGTERM (or SECONDS).
 *   calc-shm-server NAME [SECONDS] */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "calculator.calcgen.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig, stop = 1; }

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s NAME [SECONDS]\n", argv[0]);
    return 2;
  }
  int fd;
  cg_engine *engine;
  cg_shm_server *server;
  if (cg_shm_create(argv[1], NULL, &fd) != CG_OK || cg_engine_create(NULL, &engine) != CG_OK ||
      cg_shm_serve(engine, calc_calculator_service(), fd, &server) != CG_OK) {
    fprintf(stderr, "calc-shm-server: %s\n", cg_last_error());
    return 1;
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  printf("serving %s on %u workers (pid %d)\n", argv[1], cg_engine_workers(engine), (int)getpid());
  fflush(stdout);
  struct timespec tick = {0, 100000000L};
  for (long t = 0; !stop && (argc < 3 || t < atol(argv[2]) * 10); t++) nanosleep(&tick, NULL);
  printf("clients served: %llu\n", (unsigned long long)cg_shm_server_clients_lost(server));
  cg_shm_server_stop(server);
  cg_engine_destroy(engine);
  close(fd);
  shm_unlink(argv[1]);
  return 0;
}
