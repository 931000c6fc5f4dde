/* Streaming methods of all three kinds through the engine (telemetry.proto):
 * order, ends, errors mid-stream, backpressure both ways, cancellation from
 * either side, misuse, close and shutdown with streams open. */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "telemetry.calcgen.h"
#include "test_alloc.h"

#define T(name) acme_telemetry_v1_telemetry_##name

typedef struct fixture {
  cg_engine *e;
  cg_host *h;
  cg_arena *arena;
} fixture;

static int setup(void **state) {
  static fixture f;
  assert_int_equal(cg_engine_create(&(cg_engine_config){.workers = 2, .max_streams = 8}, &f.e), CG_OK);
  assert_int_equal(cg_host_open(f.e, &(cg_host_config){.capacity = 64, .stream_window = 4}, &f.h), CG_OK);
  f.arena = cg_arena_create(NULL);
  *state = &f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  assert_int_equal(cg_host_in_use(f->h), 0); /* every test releases what it took */
  cg_arena_destroy(f->arena);
  assert_int_equal(cg_engine_destroy(f->e), CG_OK);
  cg_thread_release();
  return 0;
}

static cg_completion next(cg_host *h) {
  cg_completion c;
  assert_int_equal(cg_host_wait(h, &c, 1, 5000), 1);
  return c;
}

/* Takes and releases completions up to a stream's end, which must have
 * status `want`; how many messages came before it. */
static size_t until_end(cg_host *h, cg_status want) {
  for (size_t messages = 0;; messages++) {
    cg_completion c = next(h);
    cg_host_release(h, &c, 1);
    if (c.flags & CG_COMPLETION_END) {
      assert_int_equal(c.status, want);
      return messages;
    }
  }
}

static void open_watch(cg_host *h, const char *service, uint32_t count, uint32_t fail_after, uint64_t tag) {
  Acme__Telemetry__V1__WatchRequest req = ACME__TELEMETRY__V1__WATCH_REQUEST__INIT;
  req.service = (char *)service;
  req.count = count;
  req.fail_after = fail_after;
  assert_int_equal(T(open_watch)(h, &req, tag), CG_OK);
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void server_stream_in_order(void **state) {
  fixture *f = *state;
  open_watch(f->h, "db", 100, 0, 42);
  for (uint32_t i = 0; i < 100; i++) {
    cg_completion c = next(f->h);
    assert_int_equal(c.tag, 42);
    assert_int_equal(c.flags, CG_COMPLETION_MESSAGE);
    Acme__Telemetry__V1__HealthUpdate *u;
    assert_int_equal(T(result_watch)(&c, &u, f->arena), CG_OK);
    assert_int_equal(u->seq, i);
    assert_string_equal(u->service, "db");
    assert_int_equal(u->at->seconds, 1700000000 + i);
    cg_arena_reset(f->arena);
    assert_int_equal(cg_host_release(f->h, &c, 1), CG_OK);
  }
  cg_completion end = next(f->h);
  assert_int_equal(end.tag, 42);
  assert_int_equal(end.flags, CG_COMPLETION_END);
  assert_int_equal(end.status, CG_OK);
  Acme__Telemetry__V1__HealthUpdate *u = (void *)1;
  assert_int_equal(T(result_watch)(&end, &u, f->arena), CG_OK);
  assert_null(u);
  cg_host_release(f->h, &end, 1);
}

static void error_mid_stream(void **state) {
  fixture *f = *state;
  open_watch(f->h, "cache", 100, 5, 1);
  for (int i = 0; i < 5; i++) {
    cg_completion c = next(f->h);
    assert_int_equal(c.flags, CG_COMPLETION_MESSAGE);
    cg_host_release(f->h, &c, 1);
  }
  cg_completion end = next(f->h);
  assert_int_equal(end.flags, CG_COMPLETION_END);
  assert_int_equal(end.status, CG_ERR_HANDLER);
  assert_string_equal(end.error, "cache went away after 5 updates");
  cg_host_release(f->h, &end, 1);
}

/* A reader that releases nothing holds the writer at its window. */
static void slow_reader_bounds_the_writer(void **state) {
  fixture *f = *state;
  open_watch(f->h, "feed", 0, 0, 7); /* forever */
  cg_completion held[8];
  size_t n = 0;
  for (int spins = 0; spins < 50 && n < 8; spins++) {
    n += cg_host_poll(f->h, held + n, 8 - n);
    sleep_ms(5);
  }
  assert_int_equal(n, 4);                    /* the window */
  assert_int_equal(cg_host_in_use(f->h), 5); /* 4 messages and the open stream */
  cg_host_release(f->h, held, 2);            /* two more may come */
  sleep_ms(30);
  assert_int_equal(cg_host_poll(f->h, held + 4, 4), 2);
  assert_int_equal(cg_host_poll(f->h, held + 6, 2), 0);
  cg_host_release(f->h, held + 2, 4);
  /* cancelled while blocked in a send: the end says so */
  assert_int_equal(cg_host_cancel(f->h, 7), CG_OK);
  assert_true(until_end(f->h, CG_ERR_CANCELLED) <= 4);
  assert_int_equal(cg_host_release(f->h, held, 2), CG_ERR_INVALID_ARGUMENT); /* released above */
}

static void client_stream_sums(void **state) {
  fixture *f = *state;
  assert_int_equal(T(open_upload)(f->h, 3), CG_OK);
  double sum = 0;
  for (int i = 0; i < 1000; i++) {
    Acme__Telemetry__V1__Sample s = ACME__TELEMETRY__V1__SAMPLE__INIT;
    s.value = i * 0.5;
    sum += s.value;
    assert_int_equal(T(write_upload)(f->h, 3, &s, -1), CG_OK); /* waits while the window is full */
  }
  assert_int_equal(cg_stream_close_send(f->h, 3), CG_OK);
  Acme__Telemetry__V1__Sample late = ACME__TELEMETRY__V1__SAMPLE__INIT;
  assert_int_equal(T(write_upload)(f->h, 3, &late, 0), CG_ERR_CLOSED);
  cg_completion end = next(f->h);
  assert_int_equal(end.flags, CG_COMPLETION_END);
  assert_int_equal(end.status, CG_OK);
  Acme__Telemetry__V1__Summary *s;
  assert_int_equal(T(result_upload)(&end, &s, f->arena), CG_OK);
  assert_int_equal(s->count, 1000);
  assert_true(s->sum == sum);
  assert_true(s->max == 499.5);
  cg_host_release(f->h, &end, 1);
  assert_int_equal(T(write_upload)(f->h, 3, &late, 0), CG_ERR_CLOSED); /* the stream is gone */
  /* the handler refuses a sample: the end carries its status */
  assert_int_equal(T(open_upload)(f->h, 4), CG_OK);
  Acme__Telemetry__V1__Sample bad = ACME__TELEMETRY__V1__SAMPLE__INIT;
  bad.label = "reject";
  assert_int_equal(T(write_upload)(f->h, 4, &bad, -1), CG_OK);
  end = next(f->h);
  assert_int_equal(end.status, CG_ERR_INVALID_ARGUMENT);
  assert_string_equal(end.error, "sample 0 is rejected");
  cg_host_release(f->h, &end, 1);
}

static void chat(cg_host *h, uint64_t tag, const char *text) {
  Acme__Telemetry__V1__ChatMessage m = ACME__TELEMETRY__V1__CHAT_MESSAGE__INIT;
  m.from = "host";
  m.text = (char *)text;
  assert_int_equal(T(write_chat)(h, tag, &m, 5000), CG_OK);
}

static void bidi_echoes(void **state) {
  fixture *f = *state;
  assert_int_equal(T(open_chat)(f->h, 9), CG_OK);
  const char *words[] = {"hello", "streams", "of", "calcgen"};
  for (uint32_t i = 0; i < 4; i++) {
    chat(f->h, 9, words[i]);
    cg_completion c = next(f->h);
    Acme__Telemetry__V1__ChatMessage *m;
    assert_int_equal(T(result_chat)(&c, &m, f->arena), CG_OK);
    assert_int_equal(m->seq, i);
    assert_string_equal(m->from, "server");
    char up[16];
    for (size_t k = 0; k <= strlen(words[i]); k++) up[k] = (char)(words[i][k] >= 'a' ? words[i][k] - 32 : words[i][k]);
    assert_string_equal(m->text, up);
    cg_arena_reset(f->arena);
    cg_host_release(f->h, &c, 1);
  }
  chat(f->h, 9, "bye"); /* the handler ends the stream */
  cg_completion end = next(f->h);
  assert_int_equal(end.flags, CG_COMPLETION_END);
  assert_int_equal(end.status, CG_OK);
  cg_host_release(f->h, &end, 1);
  Acme__Telemetry__V1__ChatMessage m = ACME__TELEMETRY__V1__CHAT_MESSAGE__INIT;
  m.text = "anyone?";
  assert_int_equal(T(write_chat)(f->h, 9, &m, 0), CG_ERR_CLOSED);
  /* an error mid-stream, after one echo */
  assert_int_equal(T(open_chat)(f->h, 10), CG_OK);
  chat(f->h, 10, "one");
  chat(f->h, 10, "boom");
  cg_completion c = next(f->h);
  assert_int_equal(c.flags, CG_COMPLETION_MESSAGE);
  cg_host_release(f->h, &c, 1);
  end = next(f->h);
  assert_int_equal(end.status, CG_ERR_HANDLER);
  assert_string_equal(end.error, "boom at message 1");
  cg_host_release(f->h, &end, 1);
}

/* The host's direction has a window too: a handler that is not reading
 * (blocked sending to a host that releases nothing) fills it. */
static void host_writes_see_the_window(void **state) {
  fixture *f = *state;
  assert_int_equal(T(open_chat)(f->h, 11), CG_OK);
  Acme__Telemetry__V1__ChatMessage m = ACME__TELEMETRY__V1__CHAT_MESSAGE__INIT;
  m.text = "x";
  int accepted = 0;
  cg_status st;
  for (int spins = 0; spins < 200; spins++) {
    while ((st = T(write_chat)(f->h, 11, &m, 0)) == CG_OK) accepted++;
    if (accepted >= 9) break;
    sleep_ms(2);
  }
  assert_int_equal(st, CG_ERR_LIMIT);
  assert_non_null(strstr(cg_last_error(), "window"));
  /* 4 echoed and held by the host, 1 in the handler's hands, 4 waiting */
  assert_int_equal(accepted, 9);
  assert_int_equal(T(write_chat)(f->h, 11, &m, 20), CG_ERR_LIMIT); /* waited, still full */
  assert_int_equal(cg_host_cancel(f->h, 11), CG_OK);
  st = T(write_chat)(f->h, 11, &m, 0); /* CLOSED once the handler has returned */
  assert_true(st == CG_ERR_CANCELLED || st == CG_ERR_CLOSED);
  until_end(f->h, CG_ERR_CANCELLED);
}

static void misuse(void **state) {
  fixture *f = *state;
  const cg_service *svc = T(service)();
  assert_int_equal(T(op_kind)(ACME_TELEMETRY_V1_TELEMETRY_OP_WATCH), CG_OP_SERVER_STREAM);
  assert_int_equal(T(op_kind)(3), CG_OP_CLIENT_STREAM);
  assert_int_equal(T(op_kind)(4), CG_OP_BIDI_STREAM);
  assert_int_equal(T(op_kind)(1), CG_OP_UNARY);
  assert_int_equal(T(op_kind)(99), CG_OP_UNKNOWN);
  assert_string_equal(T(op_name)(4), "Chat");
  assert_int_equal(cg_submit(f->h, svc, 2, NULL, 0, 1), CG_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(cg_last_error(), "cg_stream_open"));
  cg_bytes r;
  assert_int_equal(T(dispatch)(2, NULL, 0, &r), CG_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(cg_last_error(), "server streaming method"));
  assert_int_equal(cg_stream_open(f->h, svc, 3, (const uint8_t *)"x", 1, 1), CG_ERR_INVALID_ARGUMENT);
  assert_int_equal(cg_stream_open(f->h, svc, 77, NULL, 0, 1), CG_ERR_UNKNOWN_OP);
  assert_int_equal(cg_stream_write(f->h, 12345, NULL, 0, 0), CG_ERR_CLOSED);
  assert_int_equal(cg_stream_write(f->h, 1, NULL, 5, 0), CG_ERR_INVALID_ARGUMENT);
  /* a tag names one open stream */
  assert_int_equal(T(open_upload)(f->h, 20), CG_OK);
  assert_int_equal(T(open_chat)(f->h, 20), CG_ERR_INVALID_ARGUMENT);
  open_watch(f->h, "w", 0, 0, 21);
  assert_int_equal(cg_stream_write(f->h, 21, NULL, 0, 0), CG_ERR_INVALID_ARGUMENT); /* a server stream */
  assert_int_equal(cg_stream_close_send(f->h, 21), CG_ERR_INVALID_ARGUMENT);
  /* max_streams is 8: two open, six more fit */
  for (uint64_t t = 30; t < 36; t++) assert_int_equal(T(open_upload)(f->h, t), CG_OK);
  assert_int_equal(T(open_upload)(f->h, 36), CG_ERR_LIMIT);
  assert_non_null(strstr(cg_last_error(), "max_streams"));
  /* malformed bytes from the host reach the handler's decoder */
  assert_int_equal(cg_stream_write(f->h, 20, (const uint8_t *)"\xff\xff", 2, -1), CG_OK);
  for (uint64_t t = 30; t < 36; t++) assert_int_equal(cg_stream_close_send(f->h, t), CG_OK);
  assert_int_equal(cg_host_cancel(f->h, 21), CG_OK);
  int ends = 0, decode = 0;
  while (ends < 8) {
    cg_completion c = next(f->h);
    if (c.flags & CG_COMPLETION_END) {
      ends++;
      if (c.tag == 20) {
        assert_int_equal(c.status, CG_ERR_DECODE);
        decode++;
      }
    }
    cg_host_release(f->h, &c, 1);
  }
  assert_int_equal(decode, 1);
}

/* Endless streams opened together each get a thread of their own. */
static void endless_streams_run_side_by_side(void **state) {
  fixture *f = *state;
  for (uint64_t t = 1; t <= 4; t++) open_watch(f->h, "many", 0, 0, t);
  int seen[5] = {0};
  for (int spins = 0; spins < 500 && !(seen[1] && seen[2] && seen[3] && seen[4]); spins++) {
    cg_completion c;
    while (cg_host_poll(f->h, &c, 1)) {
      seen[c.tag]++;
      cg_host_release(f->h, &c, 1);
    }
    sleep_ms(2);
  }
  for (int t = 1; t <= 4; t++) assert_true(seen[t] > 0);
  for (uint64_t t = 1; t <= 4; t++) assert_int_equal(cg_host_cancel(f->h, t), CG_OK);
  for (int ends = 0; ends < 4;) {
    cg_completion c = next(f->h);
    ends += (c.flags & CG_COMPLETION_END) != 0;
    cg_host_release(f->h, &c, 1);
  }
}

/* A host keeps half its slots for messages: streams past that are refused. */
static void streams_per_host_are_bounded(void **state) {
  fixture *f = *state;
  cg_host *h;
  assert_int_equal(cg_host_open(f->e, &(cg_host_config){.capacity = 4}, &h), CG_OK);
  assert_int_equal(T(open_upload)(h, 1), CG_OK);
  assert_int_equal(T(open_upload)(h, 2), CG_OK);
  assert_int_equal(T(open_upload)(h, 3), CG_ERR_LIMIT);
  assert_non_null(strstr(cg_last_error(), "half its 4 slots"));
  assert_int_equal(cg_host_close(h), CG_OK);
}

/* Closing a host or shutting down with streams open cancels them; nothing
 * leaks (ASan) and nothing hangs. */
static void close_and_shutdown_with_open_streams(void **state) {
  fixture *f = *state;
  cg_host *h;
  assert_int_equal(cg_host_open(f->e, &(cg_host_config){.capacity = 16, .stream_window = 2}, &h), CG_OK);
  open_watch(h, "a", 0, 0, 1);
  assert_int_equal(T(open_chat)(h, 2), CG_OK);
  assert_int_equal(T(open_upload)(h, 3), CG_OK);
  chat(h, 2, "hi");
  sleep_ms(20);
  assert_int_equal(cg_host_close(h), CG_OK);

  cg_engine *e;
  assert_int_equal(cg_engine_create(&(cg_engine_config){.workers = 1}, &e), CG_OK);
  assert_int_equal(cg_host_open(e, NULL, &h), CG_OK);
  open_watch(h, "b", 0, 0, 1);
  assert_int_equal(T(open_chat)(h, 2), CG_OK);
  sleep_ms(20);
  size_t cancelled;
  assert_int_equal(cg_engine_shutdown(e, CG_SHUTDOWN_CANCEL, &cancelled), CG_OK);
  assert_int_equal(cancelled, 2);
  int ends = 0;
  cg_completion c;
  while (cg_host_poll(h, &c, 1)) {
    if (c.flags & CG_COMPLETION_END) {
      assert_int_equal(c.status, CG_ERR_CANCELLED);
      ends++;
    }
    cg_host_release(h, &c, 1);
  }
  assert_int_equal(ends, 2);
  assert_int_equal(T(open_chat)(h, 3), CG_ERR_CLOSED);
  cg_engine_destroy(e);
}

/* An allocation failure injected at each allocation of an engine, a host
 * and a stream of 20 updates (the stream object, its arena, its thread's
 * state, message buffers): each step succeeds or says CG_ERR_NO_MEMORY, the
 * stream ends once either way, and nothing leaks. */
static void allocation_failures_in_streams(void **state) {
  (void)state;
  test_alloc_install();
  int whole = 0;
  for (long n = 0; n < 80; n++) {
    test_alloc_fail_after(n);
    cg_engine *e;
    cg_host *h;
    if (cg_engine_create(&(cg_engine_config){.workers = 1, .max_streams = 2}, &e) != CG_OK) continue;
    if (cg_host_open(e, &(cg_host_config){.capacity = 16, .stream_window = 4}, &h) == CG_OK) {
      Acme__Telemetry__V1__WatchRequest req = ACME__TELEMETRY__V1__WATCH_REQUEST__INIT;
      req.service = "s";
      req.count = 20;
      cg_status st = T(open_watch)(h, &req, 1);
      if (st == CG_OK) {
        size_t messages = 0;
        for (;;) {
          cg_completion c = next(h);
          cg_host_release(h, &c, 1);
          if (!(c.flags & CG_COMPLETION_END)) {
            messages++;
            continue;
          }
          assert_true(c.status == CG_OK || c.status == CG_ERR_NO_MEMORY);
          if (c.status == CG_OK) {
            assert_int_equal(messages, 20);
            whole++;
          }
          break;
        }
      } else {
        assert_int_equal(st, CG_ERR_NO_MEMORY);
      }
    }
    cg_engine_destroy(e);
    test_alloc_fail_after(-1);
    cg_thread_release();
  }
  assert_true(whole > 0);
  test_alloc_uninstall(); /* asserts nothing leaked */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(server_stream_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(error_mid_stream, setup, teardown),
      cmocka_unit_test_setup_teardown(slow_reader_bounds_the_writer, setup, teardown),
      cmocka_unit_test_setup_teardown(client_stream_sums, setup, teardown),
      cmocka_unit_test_setup_teardown(bidi_echoes, setup, teardown),
      cmocka_unit_test_setup_teardown(host_writes_see_the_window, setup, teardown),
      cmocka_unit_test_setup_teardown(misuse, setup, teardown),
      cmocka_unit_test_setup_teardown(endless_streams_run_side_by_side, setup, teardown),
      cmocka_unit_test_setup_teardown(streams_per_host_are_bounded, setup, teardown),
      cmocka_unit_test_setup_teardown(close_and_shutdown_with_open_streams, setup, teardown),
      cmocka_unit_test(allocation_failures_in_streams),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
