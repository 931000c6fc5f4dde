/* A client in another process: opens the region NAME that calc-shm-server
 * serves, submits 10,000 adds and a batch, checks every result.
 *   calc-shm-client NAME */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "calculator.calcgen.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s NAME\n", argv[0]);
    return 2;
  }
  int fd = shm_open(argv[1], O_RDWR, 0);
  cg_shm_client *c;
  if (fd < 0 || cg_shm_connect(fd, &c) != CG_OK) {
    fprintf(stderr, "calc-shm-client: %s\n", fd < 0 ? "no such region" : cg_last_error());
    return 1;
  }
  enum { N = 10000 };
  long sent = 0, done = 0, wrong = 0;
  cg_arena *arena = cg_arena_create(NULL);
  while (done < N) {
    while (sent < N) {
      Calc__BinaryOp op = CALC__BINARY_OP__INIT;
      op.a = sent * 3;
      op.b = -sent;
      uint8_t buf[32];
      size_t len = calc__binary_op__pack(&op, buf);
      cg_status st = cg_shm_submit(c, CALC_CALCULATOR_OP_ADD, buf, len, (uint64_t)sent);
      if (st == CG_ERR_LIMIT) break; /* every request slot is in flight */
      if (st != CG_OK) {
        fprintf(stderr, "calc-shm-client: %s\n", cg_last_error());
        return 1;
      }
      sent++;
    }
    cg_completion got[64];
    size_t n = cg_shm_wait(c, got, 64, 5000);
    if (!n) {
      fprintf(stderr, "calc-shm-client: no answer (%s)\n", cg_shm_server_status(c) ? "server gone" : "timeout");
      return 1;
    }
    for (size_t i = 0; i < n; i++) {
      Calc__Value *v;
      if (calc_calculator_result_add(&got[i], &v, arena) != CG_OK || v->value != (int64_t)got[i].tag * 2) {
        if (wrong++ < 5) fprintf(stderr, "tag %llu: status %d %s\n", (unsigned long long)got[i].tag, got[i].status, got[i].error);
      }
      cg_arena_reset(arena);
    }
    cg_shm_release(c, got, n);
    done += (long)n;
  }
  printf("%ld adds across processes, %ld wrong\n", done, wrong);
  cg_arena_destroy(arena);
  cg_shm_disconnect(c);
  close(fd);
  return wrong != 0;
}
