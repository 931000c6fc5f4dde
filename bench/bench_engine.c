/* The async engine beside the synchronous call, in one run: submission-to-
 * completion latency (p50, p99, p99.9) of one call at a time, and throughput
 * with 1..N workers and 1..H host threads each keeping its host full, for
 * single Adds and BatchAdds of 1000, on fresh full-range operands (65,536
 * distinct requests, 64 distinct batches). Every result is checked.
 *   bench_engine [--quick] */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "calculator.calcgen.h"
#include "fresh_data.h"
#include "timing.h"

enum { REQUESTS = 65536, BATCHES = 64, BATCH_N = 1000, CAPACITY = 512 };

typedef struct request {
  uint8_t bytes[32];
  size_t len;
  int64_t sum;
} request;

static request singles[REQUESTS];
static uint8_t *batch_bytes[BATCHES];
static size_t batch_len[BATCHES];
static int64_t batch_first_sum[BATCHES];
static int quick;

static void make_data(void) {
  uint64_t s = 0xC0FFEE;
  for (int i = 0; i < REQUESTS; i++) {
    Calc__BinaryOp op = CALC__BINARY_OP__INIT;
    op.a = (int64_t)fresh_next(&s);
    op.b = (int64_t)fresh_next(&s);
    singles[i].len = calc__binary_op__pack(&op, singles[i].bytes);
    singles[i].sum = (int64_t)((uint64_t)op.a + (uint64_t)op.b);
  }
  static int64_t a[BATCH_N], b[BATCH_N];
  for (int k = 0; k < BATCHES; k++) {
    for (int i = 0; i < BATCH_N; i++) a[i] = (int64_t)fresh_next(&s), b[i] = (int64_t)fresh_next(&s);
    Calc__BatchOperation op = CALC__BATCH_OPERATION__INIT;
    op.n_a = op.n_b = BATCH_N;
    op.a = a;
    op.b = b;
    batch_len[k] = calc__batch_operation__get_packed_size(&op);
    batch_bytes[k] = malloc(batch_len[k]);
    calc__batch_operation__pack(&op, batch_bytes[k]);
    batch_first_sum[k] = (int64_t)((uint64_t)a[0] + (uint64_t)b[0]);
  }
}

static long failures;

/* The first value of a response's field 1 (a single Value, or the packed BatchResult). */
static int64_t first_value(cg_bytes r, int batch) {
  const uint8_t *p = r.data + 1;
  if (batch) {
    while (*p++ & 0x80) {
    } /* the packed length */
  }
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    v |= (uint64_t)(*p & 0x7F) << shift;
    if (!(*p++ & 0x80)) break;
  }
  return (int64_t)v;
}

static void check(cg_bytes r, uint64_t tag, int batch) {
  int64_t want = batch ? batch_first_sum[tag % BATCHES] : singles[tag % REQUESTS].sum;
  if (!r.len || first_value(r, batch) != want) failures++;
}

/* ---- synchronous baseline ---- */

static double sync_ns(int batch, long calls) {
  double t0 = now_ns();
  for (long i = 0; i < calls; i++) {
    cg_bytes r;
    cg_status st = batch ? calc_calculator_dispatch(10, batch_bytes[i % BATCHES], batch_len[i % BATCHES], &r)
                         : calc_calculator_dispatch(1, singles[i % REQUESTS].bytes, singles[i % REQUESTS].len, &r);
    if (st != CG_OK) failures++;
    else check(r, (uint64_t)i, batch);
  }
  return (now_ns() - t0) / (double)calls;
}

/* ---- latency: one call in flight ---- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void latency(unsigned workers, int batch, long calls, double out[3]) {
  cg_engine *e;
  cg_host *h;
  cg_engine_create(&(cg_engine_config){.workers = workers}, &e);
  cg_host_open(e, &(cg_host_config){.capacity = 16}, &h);
  double *ns = malloc(sizeof *ns * (size_t)calls);
  for (long i = -1000; i < calls; i++) { /* 1000 warm-up calls */
    uint64_t tag = (uint64_t)(i < 0 ? -i : i);
    double t0 = now_ns();
    cg_status st = batch ? cg_submit(h, calc_calculator_service(), 10, batch_bytes[tag % BATCHES],
                                     batch_len[tag % BATCHES], tag)
                         : cg_submit(h, calc_calculator_service(), 1, singles[tag % REQUESTS].bytes,
                                     singles[tag % REQUESTS].len, tag);
    cg_completion c;
    if (st != CG_OK || cg_host_wait(h, &c, 1, -1) != 1) {
      failures++;
      continue;
    }
    double t = now_ns() - t0;
    check(c.response, c.tag, batch);
    cg_host_release(h, &c, 1);
    if (i >= 0) ns[i] = t;
  }
  qsort(ns, (size_t)calls, sizeof *ns, cmp_double);
  out[0] = ns[calls / 2];
  out[1] = ns[calls * 99 / 100];
  out[2] = ns[calls * 999 / 1000];
  free(ns);
  cg_engine_destroy(e);
}

/* ---- throughput: each host thread keeps its host full ---- */

typedef struct client {
  cg_host *h;
  long calls;
  int batch;
} client;

static void *client_main(void *arg) {
  client *c = arg;
  cg_completion cs[64];
  long submitted = 0, done = 0;
  const cg_service *svc = calc_calculator_service();
  while (done < c->calls) {
    while (submitted < c->calls) {
      uint64_t tag = (uint64_t)submitted;
      cg_status st = c->batch ? cg_submit(c->h, svc, 10, batch_bytes[tag % BATCHES], batch_len[tag % BATCHES], tag)
                              : cg_submit(c->h, svc, 1, singles[tag % REQUESTS].bytes, singles[tag % REQUESTS].len, tag);
      if (st != CG_OK) break;
      submitted++;
    }
    size_t n = cg_host_wait(c->h, cs, 64, -1);
    for (size_t i = 0; i < n; i++) check(cs[i].response, cs[i].tag, c->batch);
    cg_host_release(c->h, cs, n);
    done += (long)n;
  }
  return NULL;
}

static double throughput(unsigned workers, int hosts, int batch, long calls_per_host, unsigned auto_batch) {
  cg_engine *e;
  cg_engine_create(&(cg_engine_config){.workers = workers, .auto_batch = auto_batch}, &e);
  client cl[8];
  pthread_t t[8];
  for (int i = 0; i < hosts; i++) {
    cl[i] = (client){.calls = calls_per_host, .batch = batch};
    cg_host_open(e, &(cg_host_config){.capacity = CAPACITY}, &cl[i].h);
  }
  double t0 = now_ns();
  for (int i = 0; i < hosts; i++) pthread_create(&t[i], NULL, client_main, &cl[i]);
  for (int i = 0; i < hosts; i++) pthread_join(t[i], NULL);
  double ns = now_ns() - t0;
  cg_engine_destroy(e);
  return (double)calls_per_host * hosts / ns * 1e9; /* calls per second */
}

/* ---- across processes: the server in a child, this process the client ---- */

static void shm_figures(long lat_calls, long calls) {
  int fd;
  if (cg_shm_create(NULL, &(cg_shm_config){.slots = 256, .slot_bytes = 4096}, &fd) != CG_OK) {
    failures++;
    return;
  }
  pid_t server = fork();
  if (server == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    cg_engine *e;
    cg_shm_server *s;
    if (cg_engine_create(&(cg_engine_config){.workers = 1}, &e) != CG_OK ||
        cg_shm_serve(e, calc_calculator_service(), fd, &s) != CG_OK)
      _exit(1);
    for (;;) pause();
  }
  cg_shm_client *c = NULL;
  for (int i = 0; i < 1000 && cg_shm_connect(fd, &c) != CG_OK; i++) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  if (!c) {
    failures++;
    kill(server, SIGKILL);
    return;
  }
  double *ns = malloc(sizeof *ns * (size_t)lat_calls);
  cg_completion got[64];
  for (long i = -1000; i < lat_calls; i++) {
    uint64_t tag = (uint64_t)(i < 0 ? -i : i);
    double t0 = now_ns();
    if (cg_shm_submit(c, 1, singles[tag % REQUESTS].bytes, singles[tag % REQUESTS].len, tag) != CG_OK ||
        cg_shm_wait(c, got, 1, 5000) != 1) {
      failures++;
      break;
    }
    double t = now_ns() - t0;
    check(got[0].response, got[0].tag, 0);
    cg_shm_release(c, got, 1);
    if (i >= 0) ns[i] = t;
  }
  qsort(ns, (size_t)lat_calls, sizeof *ns, cmp_double);
  printf("\nacross processes (shared memory; server process on 1 worker), single Add\n");
  printf("latency, one call in flight: p50 %.0f ns, p99 %.0f ns, p99.9 %.0f ns\n", ns[lat_calls / 2],
         ns[lat_calls * 99 / 100], ns[lat_calls * 999 / 1000]);
  free(ns);
  long sent = 0, done = 0;
  double t0 = now_ns();
  while (done < calls) {
    while (sent < calls &&
           cg_shm_submit(c, 1, singles[sent % REQUESTS].bytes, singles[sent % REQUESTS].len, (uint64_t)sent) == CG_OK)
      sent++;
    size_t n = cg_shm_wait(c, got, 64, 5000);
    if (!n) {
      failures++;
      break;
    }
    for (size_t i = 0; i < n; i++) check(got[i].response, got[i].tag, 0);
    cg_shm_release(c, got, n);
    done += (long)n;
  }
  double cps = (double)done / (now_ns() - t0) * 1e9;
  printf("throughput, the region's 256 request slots kept busy: %.0f calls/s (%.1f ns/call)\n", cps, 1e9 / cps);
  cg_shm_disconnect(c);
  kill(server, SIGKILL);
  waitpid(server, NULL, 0);
  close(fd);
}

int main(int argc, char **argv) {
  quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  make_data();
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  long lat_calls = quick ? 2000 : 100000, tp_single = quick ? 20000 : 500000, tp_batch = quick ? 500 : 20000;
  printf("calcgen engine, %ld CPUs, isa %s; fresh full-range int64 operands\n\n", cpus, cg_isa_active());
  double s1 = sync_ns(0, tp_single), sb = sync_ns(1, tp_batch);
  printf("synchronous P_dispatch on the caller's thread: Add %.1f ns/call, BatchAdd(1000) %.0f ns/call\n\n", s1, sb);
  printf("latency, one call in flight (submit -> cg_host_wait returns), ns\n");
  printf("%-10s %-8s %10s %10s %10s\n", "case", "workers", "p50", "p99", "p99.9");
  for (int batch = 0; batch < 2; batch++)
    for (unsigned w = 1; w <= 2; w++) {
      double l[3];
      latency(w, batch, batch ? lat_calls / 10 : lat_calls, l);
      printf("%-10s %-8u %10.0f %10.0f %10.0f\n", batch ? "BatchAdd" : "Add", w, l[0], l[1], l[2]);
    }
  printf("\nthroughput, each host thread keeping %d calls in flight, calls/s (and ns per call)\n", CAPACITY);
  printf("%-10s %-8s %-6s %14s %10s\n", "case", "workers", "hosts", "calls/s", "ns/call");
  unsigned max_w = (unsigned)(cpus < 4 ? 4 : cpus);
  for (int batch = 0; batch < 2; batch++)
    for (unsigned w = 1; w <= max_w; w *= 2)
      for (int hosts = 1; hosts <= 4; hosts *= 2) {
        double cps = throughput(w, hosts, batch, (batch ? tp_batch : tp_single) / hosts, 0);
        printf("%-10s %-8u %-6d %14.0f %10.1f\n", batch ? "BatchAdd" : "Add", w, hosts, cps, 1e9 / cps);
      }
  printf("\nauto-batching (auto_batch = 64) beside it, single Adds, best of 5 interleaved rounds\n");
  printf("%-8s %-6s %14s %14s %8s\n", "workers", "hosts", "off calls/s", "on calls/s", "ratio");
  for (unsigned w = 1; w <= 2; w++)
    for (int hosts = 1; hosts <= 2; hosts++) {
      double off = 0, on = 0;
      for (int round = 0; round < 5; round++) {
        double x = throughput(w, hosts, 0, tp_single / hosts, 0), y = throughput(w, hosts, 0, tp_single / hosts, 64);
        off = x > off ? x : off;
        on = y > on ? y : on;
      }
      printf("%-8u %-6d %14.0f %14.0f %7.2fx\n", w, hosts, off, on, on / off);
    }
  shm_figures(lat_calls, tp_single);
  printf("\n%ld failures\n", failures);
  return failures != 0;
}
