/* The engine across processes: a region of shared memory with two slot
 * pools and four rings, a server thread that bridges it to a host of the
 * engine, and the client side. Linux (futexes, memfd). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "alloc_internal.h"
#include "calcgen/call.h"
#include "calcgen/shm.h"
#include "engine_internal.h"

#define SHM_MAGIC UINT64_C(0x31656e6567636c61) /* "alcgcen1" */
#define SHM_VERSION 1u
#define SHM_LIVENESS_NS 10000000u /* how often a side looks for its peer's death */

enum { REQ_SUBMIT = 1, REQ_OPEN, REQ_WRITE, REQ_CLOSE_SEND, REQ_CANCEL };

typedef struct shm_header {
  uint64_t magic;
  uint32_t version, slots, slot_bytes, stride;
  uint64_t size;
  _Atomic int32_t server_pid; /* 0: not served */
  _Atomic uint32_t server_epoch;
  _Atomic int32_t client_pid; /* 0: no client */
  _Atomic uint32_t to_server, to_client; /* futex words, bumped after each push */
  _Atomic uint32_t server_sleeps, client_sleeps;
  uint64_t req_slots, comp_slots, req_free, req_ring, comp_free, comp_ring; /* offsets */
} shm_header;

typedef struct shm_slot {
  uint32_t kind; /* a request's REQ_*, a completion's CG_COMPLETION_* flags */
  uint32_t op;
  uint64_t tag;
  int32_t status;
  uint32_t len;
  int64_t error_index;
  char error[CG__ENGINE_ERROR_CAP];
  uint8_t data[];
} shm_slot;

typedef struct region {
  shm_header *h;
  size_t size;
} region;

static uint64_t align64(uint64_t n) { return (n + 63) & ~(uint64_t)63; }

static cg__ring *ring_at(const region *r, uint64_t off) { return (cg__ring *)((uint8_t *)r->h + off); }
static shm_slot *slot_at(const region *r, uint64_t base, uint64_t i) {
  return (shm_slot *)((uint8_t *)r->h + base + i * r->h->stride);
}

static int futex_wait(_Atomic uint32_t *word, uint32_t seen, uint64_t ns) {
  struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
  return (int)syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, seen, &ts, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word) { syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0); }

/* Bumps the word after a push and wakes the other side if it sleeps. */
static void signal_side(_Atomic uint32_t *word, _Atomic uint32_t *sleeps) {
  atomic_fetch_add(word, 1);
  atomic_thread_fence(memory_order_seq_cst);
  if (atomic_load(sleeps)) futex_wake(word);
}

/* Sleeps on word unless `ready` (the caller's ring) has something, at most ns. */
static void sleep_on(_Atomic uint32_t *word, _Atomic uint32_t *sleeps, cg__ring *ready, uint64_t ns) {
  uint32_t seen = atomic_load(word);
  atomic_fetch_add(sleeps, 1);
  atomic_thread_fence(memory_order_seq_cst);
  if (!cg__ring_count(ready)) futex_wait(word, seen, ns);
  atomic_fetch_sub(sleeps, 1);
}

static int pid_alive(int32_t pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

/* Empties the rings and gives every slot back to its pool (one side alone). */
static void reset_rings(region *r) {
  shm_header *h = r->h;
  cg__ring_init(ring_at(r, h->req_free), h->slots);
  cg__ring_init(ring_at(r, h->req_ring), h->slots);
  cg__ring_init(ring_at(r, h->comp_free), h->slots);
  cg__ring_init(ring_at(r, h->comp_ring), h->slots);
  for (uint32_t i = 0; i < h->slots; i++) {
    cg__ring_push(ring_at(r, h->req_free), i);
    cg__ring_push(ring_at(r, h->comp_free), i);
  }
}

static cg_status map_region(int fd, region *r, const char *who) {
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(shm_header))
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: fd %d is not a calcgen region", who, fd);
  void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return cg_fail(CG_ERR_NO_MEMORY, "%s: mmap: %s", who, strerror(errno));
  r->h = p;
  r->size = (size_t)st.st_size;
  if (r->h->magic != SHM_MAGIC || r->h->version != SHM_VERSION || r->h->size != r->size) {
    munmap(p, r->size);
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: fd %d is not a calcgen region of this version", who, fd);
  }
  return CG_OK;
}

cg_status cg_shm_create(const char *name, const cg_shm_config *cfg, int *fd) {
  cg__engine_clear_error();
  if (!fd) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_shm_create: fd is NULL");
  *fd = -1;
  cg_shm_config c = cfg ? *cfg : (cg_shm_config){0};
  uint32_t slots = 1;
  while (slots < (c.slots ? c.slots : 256u)) slots <<= 1;
  uint32_t bytes = c.slot_bytes ? c.slot_bytes : 64u << 10;
  if (slots > (1u << 16) || bytes > (64u << 20))
    return cg_fail(CG_ERR_LIMIT, "cg_shm_create: at most 65536 slots of 64 MiB");
  uint64_t stride = align64(sizeof(shm_slot) + bytes), ring = align64(cg__ring_size(slots));
  uint64_t off = align64(sizeof(shm_header));
  shm_header h = {.magic = SHM_MAGIC, .version = SHM_VERSION, .slots = slots, .slot_bytes = bytes,
                  .stride = (uint32_t)stride};
  h.req_slots = off, off += stride * slots;
  h.comp_slots = off, off += stride * slots;
  h.req_free = off, off += ring;
  h.req_ring = off, off += ring;
  h.comp_free = off, off += ring;
  h.comp_ring = off, off += ring;
  h.size = off;
  int f = name ? shm_open(name, O_RDWR | O_CREAT | O_TRUNC, 0600) : memfd_create("calcgen-region", MFD_CLOEXEC);
  if (f < 0) return cg_fail(CG_ERR_NO_MEMORY, "cg_shm_create: %s: %s", name ? name : "memfd", strerror(errno));
  if (ftruncate(f, (off_t)h.size) != 0) {
    cg_status st = cg_fail(CG_ERR_NO_MEMORY, "cg_shm_create: %llu bytes: %s", (unsigned long long)h.size, strerror(errno));
    close(f);
    return st;
  }
  shm_header *p = mmap(NULL, h.size, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
  if (p == MAP_FAILED) {
    cg_status st = cg_fail(CG_ERR_NO_MEMORY, "cg_shm_create: mmap: %s", strerror(errno));
    close(f);
    return st;
  }
  memcpy(p, &h, sizeof h);
  region r = {p, h.size};
  reset_rings(&r);
  munmap(p, h.size);
  *fd = f;
  return CG_OK;
}

/* ---- the server ---- */

struct cg_shm_server {
  region r;
  cg_engine *engine;
  const cg_service *svc;
  cg_host *host;
  pthread_t thread;
  _Atomic int stopping;
  _Atomic int client_gone; /* completions for the client are dropped */
  _Atomic uint64_t lost;
};

/* Whether there is still a client to deliver to; a dead one is flagged
 * here too, by whichever thread waits on it (the server thread then
 * recovers), so that nothing waits for a client that will never release. */
static int client_here(cg_shm_server *s) {
  if (atomic_load(&s->client_gone) || atomic_load(&s->stopping)) return 0;
  if (pid_alive(atomic_load(&s->r.h->client_pid))) return 1;
  atomic_store(&s->client_gone, 1);
  return 0;
}

/* Takes a completion slot, waiting while the client holds all of them. */
static int take_comp_slot(cg_shm_server *s, uint64_t *index) {
  region *r = &s->r;
  while (!cg__ring_pop(ring_at(r, r->h->comp_free), index)) {
    if (!client_here(s)) return 0;
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
  }
  return 1;
}

static void send_completion(cg_shm_server *s, uint64_t tag, uint32_t flags, cg_status status, const char *error,
                            int64_t error_index, const uint8_t *data, size_t len) {
  region *r = &s->r;
  uint64_t index;
  if (!take_comp_slot(s, &index)) return;
  shm_slot *slot = slot_at(r, r->h->comp_slots, index);
  slot->kind = flags;
  slot->tag = tag;
  slot->status = status;
  slot->error_index = error_index;
  if (status == CG_OK && len > r->h->slot_bytes) {
    slot->status = CG_ERR_LIMIT;
    snprintf(slot->error, sizeof slot->error, "a response of %zu bytes is over the region's slot_bytes (%u)", len,
             r->h->slot_bytes);
    len = 0;
  } else {
    snprintf(slot->error, sizeof slot->error, "%s", error ? error : "");
  }
  slot->len = (uint32_t)len;
  if (len) memcpy(slot->data, data, len);
  cg__ring_push_sure(ring_at(r, r->h->comp_ring), index);
  signal_side(&r->h->to_client, &r->h->client_sleeps);
}

/* The local host's completions, on a worker or stream thread. */
static void on_complete(void *ud, const cg_completion *c) {
  cg_shm_server *s = ud;
  if (atomic_load(&s->client_gone)) return;
  send_completion(s, c->tag, c->flags, c->status, c->error, c->error_index, c->response.data, c->response.len);
}

static cg_status open_host(cg_shm_server *s) {
  return cg_host_open(s->engine, &(cg_host_config){.capacity = s->r.h->slots, .callback = on_complete, .ud = s},
                      &s->host);
}

/* Runs one request of the client (its slot is given back by the caller). */
static void handle(cg_shm_server *s, const shm_slot *q) {
  const uint8_t *data = q->len ? q->data : NULL;
  cg_status st = CG_OK;
  switch (q->kind) {
    case REQ_SUBMIT:
    case REQ_OPEN:
      /* The local host is full only while completions wait for the client's
       * releases (or for its death, which frees them too): wait for a slot. */
      st = q->kind == REQ_SUBMIT ? cg_submit_wait(s->host, s->svc, q->op, data, q->len, q->tag, -1)
                                 : cg__stream_open_wait(s->host, s->svc, q->op, data, q->len, q->tag, -1);
      if (st != CG_OK) send_completion(s, q->tag, CG_COMPLETION_END, st, cg_last_error(), -1, NULL, 0);
      return;
    case REQ_WRITE: /* a full window waits here; a stream that ended says so with its end */
      while (cg_stream_write(s->host, q->tag, data, q->len, 5) == CG_ERR_LIMIT && client_here(s)) {
      }
      return;
    case REQ_CLOSE_SEND:
      cg_stream_close_send(s->host, q->tag);
      return;
    case REQ_CANCEL:
      cg_host_cancel(s->host, q->tag);
      return;
    default:
      return;
  }
}

/* The client died: cancel its work, reset the region, admit the next one. */
static void recover(cg_shm_server *s) {
  atomic_store(&s->client_gone, 1);
  cg_host_close(s->host); /* cancels and waits; callbacks drop what they had */
  s->host = NULL;
  reset_rings(&s->r);
  atomic_fetch_add(&s->lost, 1);
  atomic_store(&s->client_gone, 0);
  if (open_host(s) != CG_OK) s->host = NULL;
  atomic_store(&s->r.h->client_pid, 0);
}

static void *server_main(void *arg) {
  cg_shm_server *s = arg;
  region *r = &s->r;
  cg__ring *req_ring = ring_at(r, r->h->req_ring);
  uint64_t next_check = 0;
  while (!atomic_load(&s->stopping)) {
    uint64_t now = cg__now_ns();
    if (now >= next_check) {
      next_check = now + SHM_LIVENESS_NS;
      int32_t client = atomic_load(&r->h->client_pid);
      if (atomic_load(&s->client_gone) || (client && !pid_alive(client))) recover(s);
      if (!s->host) break; /* no memory for a new host */
    }
    uint64_t index;
    if (cg__ring_pop(req_ring, &index)) {
      shm_slot *q = slot_at(r, r->h->req_slots, index);
      handle(s, q);
      cg__ring_push_sure(ring_at(r, r->h->req_free), index);
      continue;
    }
    sleep_on(&r->h->to_server, &r->h->server_sleeps, req_ring, SHM_LIVENESS_NS);
  }
  cg_thread_release();
  return NULL;
}

cg_status cg_shm_serve(cg_engine *engine, const cg_service *svc, int fd, cg_shm_server **out) {
  cg__engine_clear_error();
  if (!engine || !svc || !out) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_shm_serve: an argument is NULL");
  *out = NULL;
  region r;
  cg_status st = map_region(fd, &r, "cg_shm_serve");
  if (st != CG_OK) return st;
  int32_t prev = atomic_load(&r.h->server_pid), client = atomic_load(&r.h->client_pid);
  if (pid_alive(prev) || pid_alive(client)) {
    munmap(r.h, r.size);
    return cg_fail(CG_ERR_LIMIT, "cg_shm_serve: the region is held by live %s %d", pid_alive(prev) ? "server" : "client",
                   pid_alive(prev) ? prev : client);
  }
  cg_shm_server *s = cg__alloc(sizeof *s);
  if (!s) {
    munmap(r.h, r.size);
    return cg_fail(CG_ERR_NO_MEMORY, "cg_shm_serve: out of memory");
  }
  memset(s, 0, sizeof *s);
  s->r = r;
  s->engine = engine;
  s->svc = svc;
  reset_rings(&s->r);
  atomic_store(&r.h->client_pid, 0);
  if ((st = open_host(s)) != CG_OK) {
    munmap(r.h, r.size);
    cg__free(s, sizeof *s);
    return st;
  }
  atomic_fetch_add(&r.h->server_epoch, 1);
  atomic_store(&r.h->server_pid, (int32_t)getpid());
  if (pthread_create(&s->thread, NULL, server_main, s) != 0) {
    atomic_store(&r.h->server_pid, 0);
    cg_host_close(s->host);
    munmap(r.h, r.size);
    cg__free(s, sizeof *s);
    return cg_fail(CG_ERR_NO_MEMORY, "cg_shm_serve: cannot start the server thread");
  }
  *out = s;
  return CG_OK;
}

cg_status cg_shm_server_stop(cg_shm_server *s) {
  if (!s) return CG_OK;
  atomic_store(&s->r.h->server_pid, 0); /* the client sees the server gone */
  signal_side(&s->r.h->to_client, &s->r.h->client_sleeps);
  atomic_store(&s->client_gone, 1);
  atomic_store(&s->stopping, 1);
  futex_wake(&s->r.h->to_server);
  pthread_join(s->thread, NULL);
  if (s->host) cg_host_close(s->host);
  munmap(s->r.h, s->r.size);
  cg__free(s, sizeof *s);
  return CG_OK;
}

uint64_t cg_shm_server_clients_lost(const cg_shm_server *s) { return s ? atomic_load(&s->lost) : 0; }

/* ---- the client ---- */

struct cg_shm_client {
  region r;
  int32_t server_pid;
  uint32_t epoch;
  int server_gone;
  uint64_t *open;    /* tags of calls and streams without their end */
  size_t n_open, cap_open;
  cg_completion *ended; /* the CG_ERR_CLOSED ends made up once the server died */
  size_t n_ended, next_ended;
  uint64_t next_check;
};

static cg_status track(cg_shm_client *c, uint64_t tag) {
  if (c->n_open == c->cap_open) {
    size_t cap = c->cap_open ? c->cap_open * 2 : 64;
    uint64_t *p = cg__alloc(cap * sizeof *p);
    if (!p) return cg_fail(CG_ERR_NO_MEMORY, "cg_shm: out of memory");
    if (c->n_open) memcpy(p, c->open, c->n_open * sizeof *p);
    cg__free(c->open, c->cap_open * sizeof *p);
    c->open = p;
    c->cap_open = cap;
  }
  c->open[c->n_open++] = tag;
  return CG_OK;
}

static void untrack(cg_shm_client *c, uint64_t tag) {
  for (size_t i = c->n_open; i-- > 0;)
    if (c->open[i] == tag) {
      c->open[i] = c->open[--c->n_open];
      return;
    }
}

/* Notices a server that died or stopped (at most every SHM_LIVENESS_NS). */
static int server_alive(cg_shm_client *c, int now) {
  if (c->server_gone) return 0;
  uint64_t t = cg__now_ns();
  if (!now && t < c->next_check) return 1;
  c->next_check = t + SHM_LIVENESS_NS;
  shm_header *h = c->r.h;
  if (atomic_load(&h->server_pid) == c->server_pid && atomic_load(&h->server_epoch) == c->epoch &&
      pid_alive(c->server_pid))
    return 1;
  c->server_gone = 1;
  return 0;
}

cg_status cg_shm_connect(int fd, cg_shm_client **out) {
  cg__engine_clear_error();
  if (!out) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_shm_connect: out is NULL");
  *out = NULL;
  region r;
  cg_status st = map_region(fd, &r, "cg_shm_connect");
  if (st != CG_OK) return st;
  int32_t server = atomic_load(&r.h->server_pid);
  if (!pid_alive(server)) {
    munmap(r.h, r.size);
    return cg_fail(CG_ERR_CLOSED, "cg_shm_connect: no live server serves the region");
  }
  int32_t expect = 0;
  if (!atomic_compare_exchange_strong(&r.h->client_pid, &expect, (int32_t)getpid())) {
    munmap(r.h, r.size);
    return cg_fail(CG_ERR_LIMIT, "cg_shm_connect: client %d holds the region%s", expect,
                   pid_alive(expect) ? "" : " (dead: the server reclaims it within 10 ms; retry)");
  }
  cg_shm_client *c = cg__alloc(sizeof *c);
  if (!c) {
    atomic_store(&r.h->client_pid, 0);
    munmap(r.h, r.size);
    return cg_fail(CG_ERR_NO_MEMORY, "cg_shm_connect: out of memory");
  }
  memset(c, 0, sizeof *c);
  c->r = r;
  c->server_pid = server;
  c->epoch = atomic_load(&r.h->server_epoch);
  *out = c;
  return CG_OK;
}

cg_status cg_shm_disconnect(cg_shm_client *c) {
  if (!c) return CG_OK;
  /* The server recovers from a client that left as from one that died:
   * -pid names no live process. */
  int32_t me = (int32_t)getpid();
  atomic_compare_exchange_strong(&c->r.h->client_pid, &me, -me);
  /* wait (a little) for a live server to reset the region, so that the next
   * client connects at once */
  for (int i = 0; i < 1000 && atomic_load(&c->r.h->client_pid) == -me && server_alive(c, 1); i++) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  munmap(c->r.h, c->r.size);
  cg__free(c->open, c->cap_open * sizeof *c->open);
  cg__free(c->ended, c->n_ended * sizeof *c->ended);
  cg__free(c, sizeof *c);
  return CG_OK;
}

cg_status cg_shm_server_status(cg_shm_client *c) {
  cg__engine_clear_error();
  if (!c) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_shm_server_status: client is NULL");
  return server_alive(c, 1) ? CG_OK : cg_fail(CG_ERR_CLOSED, "the server process %d is gone", c->server_pid);
}

static cg_status send_request(cg_shm_client *c, uint32_t kind, uint32_t op, uint64_t tag, const uint8_t *data,
                              size_t len, const char *who) {
  cg__engine_clear_error();
  if (!c) return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: client is NULL", who);
  if (!data && len) return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: data is NULL with len %zu", who, len);
  region *r = &c->r;
  if (len > r->h->slot_bytes)
    return cg_fail(CG_ERR_LIMIT, "%s: %zu bytes are over the region's slot_bytes (%u)", who, len, r->h->slot_bytes);
  if (!server_alive(c, 0)) return cg_fail(CG_ERR_CLOSED, "%s: the server process %d is gone", who, c->server_pid);
  uint64_t index;
  if (!cg__ring_pop(ring_at(r, r->h->req_free), &index))
    return cg_fail(CG_ERR_LIMIT, "%s: all %u request slots of the region are in use", who, r->h->slots);
  if ((kind == REQ_SUBMIT || kind == REQ_OPEN) && track(c, tag) != CG_OK) {
    cg__ring_push_sure(ring_at(r, r->h->req_free), index);
    return CG_ERR_NO_MEMORY;
  }
  shm_slot *q = slot_at(r, r->h->req_slots, index);
  q->kind = kind;
  q->op = op;
  q->tag = tag;
  q->len = (uint32_t)len;
  if (len) memcpy(q->data, data, len);
  cg__ring_push_sure(ring_at(r, r->h->req_ring), index);
  signal_side(&r->h->to_server, &r->h->server_sleeps);
  return CG_OK;
}

cg_status cg_shm_submit(cg_shm_client *c, uint32_t op, const uint8_t *req, size_t len, uint64_t tag) {
  return send_request(c, REQ_SUBMIT, op, tag, req, len, "cg_shm_submit");
}
cg_status cg_shm_stream_open(cg_shm_client *c, uint32_t op, const uint8_t *req, size_t len, uint64_t tag) {
  return send_request(c, REQ_OPEN, op, tag, req, len, "cg_shm_stream_open");
}
cg_status cg_shm_stream_write(cg_shm_client *c, uint64_t tag, const uint8_t *msg, size_t len) {
  return send_request(c, REQ_WRITE, 0, tag, msg, len, "cg_shm_stream_write");
}
cg_status cg_shm_stream_close_send(cg_shm_client *c, uint64_t tag) {
  return send_request(c, REQ_CLOSE_SEND, 0, tag, NULL, 0, "cg_shm_stream_close_send");
}
cg_status cg_shm_cancel(cg_shm_client *c, uint64_t tag) {
  return send_request(c, REQ_CANCEL, 0, tag, NULL, 0, "cg_shm_cancel");
}

/* Once the server is gone and its completions drained: an end for each call
 * still open. */
static void make_up_ends(cg_shm_client *c) {
  if (c->ended || !c->n_open) return;
  c->ended = cg__alloc(c->n_open * sizeof *c->ended);
  if (!c->ended) return; /* tried again at the next poll */
  for (size_t i = 0; i < c->n_open; i++)
    c->ended[i] = (cg_completion){.tag = c->open[i], .status = CG_ERR_CLOSED, .flags = CG_COMPLETION_END,
                                  .error = "the server process is gone", .error_index = -1, .slot = UINT32_MAX};
  c->n_ended = c->n_open;
  c->n_open = 0;
}

size_t cg_shm_poll(cg_shm_client *c, cg_completion *out, size_t max) {
  if (!c || !out) return 0;
  region *r = &c->r;
  size_t n = 0;
  uint64_t index;
  while (n < max && cg__ring_pop(ring_at(r, r->h->comp_ring), &index)) {
    shm_slot *s = slot_at(r, r->h->comp_slots, index);
    out[n++] = (cg_completion){.tag = s->tag, .status = s->status, .flags = s->kind,
                               .response = {s->len ? s->data : NULL, s->len}, .error = s->error,
                               .error_index = s->status == CG_OK ? -1 : s->error_index,
                               .slot = (uint32_t)index, .reserved = 0};
    if (s->kind & CG_COMPLETION_END) untrack(c, s->tag);
  }
  if (n < max && !server_alive(c, 0)) {
    make_up_ends(c);
    while (n < max && c->next_ended < c->n_ended) out[n++] = c->ended[c->next_ended++];
  }
  return n;
}

size_t cg_shm_wait(cg_shm_client *c, cg_completion *out, size_t max, int timeout_ms) {
  if (!c || !out || !max) return 0;
  uint64_t end = timeout_ms < 0 ? UINT64_MAX : cg__now_ns() + (uint64_t)timeout_ms * 1000000u;
  for (;;) {
    size_t n = cg_shm_poll(c, out, max);
    if (n || c->server_gone) return n;
    uint64_t now = cg__now_ns();
    if (now >= end) return 0;
    uint64_t ns = end - now < SHM_LIVENESS_NS ? end - now : SHM_LIVENESS_NS;
    sleep_on(&c->r.h->to_client, &c->r.h->client_sleeps, ring_at(&c->r, c->r.h->comp_ring), ns);
  }
}

cg_status cg_shm_release(cg_shm_client *c, const cg_completion *done, size_t n) {
  cg__engine_clear_error();
  if (!c || (!done && n)) return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_shm_release: an argument is NULL");
  region *r = &c->r;
  for (size_t i = 0; i < n; i++) {
    if (done[i].slot == UINT32_MAX) continue; /* made up here */
    shm_slot *s = done[i].slot < r->h->slots ? slot_at(r, r->h->comp_slots, done[i].slot) : NULL;
    if (!s || !s->kind)
      return cg_fail(CG_ERR_INVALID_ARGUMENT, "cg_shm_release: completion %zu (tag %llu) is not this region's, or "
                     "was released already", i, (unsigned long long)done[i].tag);
    s->kind = 0; /* the server sets it again when it fills the slot */
    cg__ring_push_sure(ring_at(r, r->h->comp_free), done[i].slot);
  }
  return CG_OK;
}
