/* The engine across processes (calcgen/shm.h) with telemetry.proto: calls
 * and streams from a client process; the client killed mid-stream (the
 * server recovers and serves the next client); the server killed mid-stream
 * (every call of the client ends, with CG_ERR_CLOSED, and a restarted server
 * serves it again); misuse. */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "telemetry.calcgen.h"

#define T(name) acme_telemetry_v1_telemetry_##name

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* In a forked child: dies with the test (a failed assert must not leave it behind). */
static int child(void) { return prctl(PR_SET_PDEATHSIG, SIGKILL) != 0; }

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Connects, retrying while the server starts or reclaims the last client. */
static cg_shm_client *connect_to(int fd) {
  cg_shm_client *c = NULL;
  for (int i = 0; i < 500; i++) {
    cg_status st = cg_shm_connect(fd, &c);
    if (st == CG_OK) return c;
    if (st != CG_ERR_LIMIT && st != CG_ERR_CLOSED) break;
    sleep_ms(2);
  }
  return NULL;
}

static size_t watch_request(uint8_t *buf, uint32_t count, const char *service) {
  Acme__Telemetry__V1__WatchRequest req = ACME__TELEMETRY__V1__WATCH_REQUEST__INIT;
  req.service = (char *)service;
  req.count = count;
  return acme__telemetry__v1__watch_request__pack(&req, buf);
}

/* In a child: `checks` Check calls and a Watch of `updates`, every result
 * checked; the exit status says whether all was right. */
static int client_work(int fd, int checks, uint32_t updates) {
  cg_shm_client *c = connect_to(fd);
  if (!c) return 10;
  uint8_t buf[64];
  if (cg_shm_stream_open(c, 2, buf, watch_request(buf, updates, "feed"), 1000) != CG_OK) return 12;
  int sent = 0, got_checks = 0, messages = 0, ended = 0;
  cg_arena *arena = cg_arena_create(NULL);
  while (got_checks < checks || !ended) {
    for (cg_status st = CG_OK; sent < checks && st == CG_OK;) { /* until the request slots run out */
      st = cg_shm_submit(c, 1, buf, watch_request(buf, (uint32_t)sent, "db"), (uint64_t)sent);
      if (st == CG_OK) sent++;
      else if (st != CG_ERR_LIMIT) return 11;
    }
    cg_completion done[16];
    size_t n = cg_shm_wait(c, done, 16, 5000);
    if (!n) return 13;
    for (size_t i = 0; i < n; i++) {
      Acme__Telemetry__V1__HealthUpdate *u;
      if (done[i].tag == 1000) {
        if (done[i].flags & CG_COMPLETION_END) {
          if (done[i].status != CG_OK) return 14;
          ended = 1;
        } else {
          if (T(result_watch)(&done[i], &u, arena) != CG_OK || u->seq != (uint32_t)messages++) return 15;
        }
      } else {
        if (T(result_check)(&done[i], &u, arena) != CG_OK || u->seq != done[i].tag) return 16;
        got_checks++;
      }
      cg_arena_reset(arena);
    }
    if (cg_shm_release(c, done, n) != CG_OK) return 17;
  }
  cg_arena_destroy(arena);
  if (messages != (int)updates) return 18;
  cg_shm_disconnect(c);
  return 0;
}

static int wait_child(pid_t pid) {
  int status;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

typedef struct served {
  int fd;
  cg_engine *e;
  cg_shm_server *s;
} served;

static served serve(void) {
  served v;
  assert_int_equal(cg_shm_create(NULL, &(cg_shm_config){.slots = 64, .slot_bytes = 4096}, &v.fd), CG_OK);
  assert_int_equal(cg_engine_create(&(cg_engine_config){.workers = 2}, &v.e), CG_OK);
  assert_int_equal(cg_shm_serve(v.e, T(service)(), v.fd, &v.s), CG_OK);
  return v;
}

static void unserve(served *v) {
  assert_int_equal(cg_shm_server_stop(v->s), CG_OK);
  cg_engine_destroy(v->e);
  close(v->fd);
}

static void calls_and_streams_from_another_process(void **state) {
  (void)state;
  served v = serve();
  for (int round = 0; round < 3; round++) { /* one client after another */
    pid_t pid = fork();
    if (pid == 0) _exit(child() ? 99 : client_work(v.fd, 500, 200));
    assert_int_equal(wait_child(pid), 0);
  }
  for (int i = 0; i < 200 && cg_shm_server_clients_lost(v.s) < 3; i++) sleep_ms(5);
  assert_int_equal(cg_shm_server_clients_lost(v.s), 3); /* each left; each was cleaned up after */
  unserve(&v);
}

static void a_client_killed_mid_stream(void **state) {
  (void)state;
  served v = serve();
  pid_t pid = fork();
  if (pid == 0) {
    child();
    cg_shm_client *c = connect_to(v.fd);
    uint8_t buf[64];
    if (!c || cg_shm_stream_open(c, 2, buf, watch_request(buf, 0, "forever"), 7) != CG_OK) _exit(1);
    for (int got = 0; got < 5;) { /* read some, release some, then die holding the rest */
      cg_completion done[4];
      size_t n = cg_shm_wait(c, done, 4, 5000);
      if (!n) _exit(2);
      got += (int)n;
      if (got < 5) cg_shm_release(c, done, n);
    }
    for (int i = 0; i < 20; i++) cg_shm_submit(c, 1, buf, watch_request(buf, 1, "x"), 100 + (uint64_t)i);
    raise(SIGKILL);
  }
  assert_int_equal(wait_child(pid), 100 + SIGKILL);
  double t0 = now_ms();
  while (cg_shm_server_clients_lost(v.s) < 1 && now_ms() - t0 < 2000) sleep_ms(1);
  assert_int_equal(cg_shm_server_clients_lost(v.s), 1);
  print_message("server recovered from the killed client in %.1f ms\n", now_ms() - t0);
  pid = fork(); /* the next client is served as if nothing happened */
  if (pid == 0) _exit(child() ? 99 : client_work(v.fd, 300, 50));
  assert_int_equal(wait_child(pid), 0);
  unserve(&v);
}

static pid_t server_process(int fd) {
  pid_t pid = fork();
  if (pid == 0) {
    child();
    cg_engine *e;
    cg_shm_server *s;
    if (cg_engine_create(&(cg_engine_config){.workers = 2}, &e) != CG_OK) _exit(1);
    for (int i = 0; cg_shm_serve(e, T(service)(), fd, &s) != CG_OK; i++) {
      if (i > 500) _exit(2);
      sleep_ms(2);
    }
    for (;;) pause();
  }
  return pid;
}

static void the_server_killed_mid_stream(void **state) {
  (void)state;
  int fd;
  assert_int_equal(cg_shm_create(NULL, &(cg_shm_config){.slots = 64, .slot_bytes = 4096}, &fd), CG_OK);
  pid_t server = server_process(fd);
  cg_shm_client *c = connect_to(fd);
  assert_non_null(c);
  uint8_t buf[64];
  assert_int_equal(cg_shm_stream_open(c, 2, buf, watch_request(buf, 0, "forever"), 7), CG_OK);
  cg_completion done[8];
  size_t got = cg_shm_wait(c, done, 3, 5000);
  assert_true(got > 0);
  assert_int_equal(cg_shm_release(c, done, got), CG_OK);
  assert_int_equal(cg_shm_release(c, done, got), CG_ERR_INVALID_ARGUMENT); /* twice */
  for (int i = 0; i < 10; i++) assert_int_equal(cg_shm_submit(c, 1, buf, watch_request(buf, 5, "y"), 100 + (uint64_t)i), CG_OK);
  kill(server, SIGKILL);
  assert_int_equal(wait_child(server), 100 + SIGKILL);
  /* every call ends, once: with its result if the server sent it, else CG_ERR_CLOSED */
  int ends[11] = {0};
  double t0 = now_ms();
  for (;;) {
    size_t n = cg_shm_wait(c, done, 8, 2000);
    if (!n) break;
    for (size_t i = 0; i < n; i++) {
      if (!(done[i].flags & CG_COMPLETION_END)) continue;
      int k = done[i].tag == 7 ? 10 : (int)(done[i].tag - 100);
      assert_true(k >= 0 && k <= 10);
      ends[k]++;
      if (done[i].status != CG_OK) assert_int_equal(done[i].status, CG_ERR_CLOSED);
    }
    assert_int_equal(cg_shm_release(c, done, n), CG_OK);
  }
  for (int k = 0; k <= 10; k++) assert_int_equal(ends[k], 1);
  assert_true(now_ms() - t0 < 1500);
  print_message("client saw the server gone and ended its 11 calls in %.1f ms\n", now_ms() - t0);
  assert_int_equal(cg_shm_server_status(c), CG_ERR_CLOSED);
  assert_int_equal(cg_shm_submit(c, 1, buf, 2, 1), CG_ERR_CLOSED);
  assert_int_equal(cg_shm_disconnect(c), CG_OK);
  /* a restarted server takes the region over and serves the client again */
  server = server_process(fd);
  pid_t client = fork();
  if (client == 0) _exit(child() ? 99 : client_work(fd, 200, 20));
  assert_int_equal(wait_child(client), 0);
  kill(server, SIGKILL);
  wait_child(server);
  close(fd);
}

static void misuse(void **state) {
  (void)state;
  served v = serve();
  cg_shm_server *second;
  assert_int_equal(cg_shm_serve(v.e, T(service)(), v.fd, &second), CG_ERR_LIMIT); /* a live server holds it */
  cg_shm_client *c = connect_to(v.fd), *other;
  assert_non_null(c);
  assert_int_equal(cg_shm_connect(v.fd, &other), CG_ERR_LIMIT); /* one client */
  uint8_t big[5000] = {0};
  assert_int_equal(cg_shm_submit(c, 1, big, sizeof big, 1), CG_ERR_LIMIT);
  assert_int_equal(cg_shm_submit(c, 1, NULL, 3, 1), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_shm_submit(c, 99, NULL, 0, 5), CG_OK); /* the server answers: unknown op */
  cg_completion done;
  assert_int_equal(cg_shm_wait(c, &done, 1, 5000), 1);
  assert_int_equal(done.status, CG_ERR_UNKNOWN_OP);
  assert_int_equal(done.tag, 5);
  cg_shm_release(c, &done, 1);
  int junk = open("/dev/null", O_RDONLY);
  assert_int_equal(cg_shm_connect(junk, &other), CG_ERR_INVALID_ARGUMENT);
  close(junk);
  assert_int_equal(cg_shm_create(NULL, &(cg_shm_config){.slots = 1u << 20}, &junk), CG_ERR_LIMIT);
  cg_shm_disconnect(c);
  unserve(&v);
  assert_int_equal(cg_shm_server_stop(NULL), CG_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(calls_and_streams_from_another_process),
      cmocka_unit_test(a_client_killed_mid_stream),
      cmocka_unit_test(the_server_killed_mid_stream),
      cmocka_unit_test(misuse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
