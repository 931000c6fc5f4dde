#include <stdint.h>
#include <string.h>

#include "alloc_internal.h"
#include "calcgen/arena.h"

#define ALIGN 16u
#define ROUND_UP(x, a) (((x) + ((a)-1)) & ~((size_t)(a)-1))

typedef struct chunk {
  struct chunk *prev; /* older chunk */
  size_t size;        /* usable bytes after the aligned start */
  size_t used;
} chunk;

struct cg_arena {
  chunk *head;   /* newest chunk; allocations bump from here */
  size_t held;   /* usable bytes across all chunks */
  size_t cycle;  /* bytes handed out since the last reset */
  unsigned chunks;
  cg_status failure;
  cg_arena_config cfg;
};

/* The usable area starts at the first 16-byte boundary after the header, so
 * the allocator hook need not guarantee more than byte alignment. */
#define CHUNK_OVERHEAD (sizeof(chunk) + ALIGN)

static unsigned char *chunk_base(chunk *c) {
  uintptr_t p = (uintptr_t)(c + 1);
  return (unsigned char *)ROUND_UP(p, ALIGN);
}

static chunk *chunk_new(size_t size) {
  if (size > SIZE_MAX - CHUNK_OVERHEAD) return NULL;
  chunk *c = cg__alloc(size + CHUNK_OVERHEAD);
  if (!c) return NULL;
  c->prev = NULL;
  c->size = size;
  c->used = 0;
  return c;
}

static void chunk_free(chunk *c) { cg__free(c, c->size + CHUNK_OVERHEAD); }

static void free_chunks(cg_arena *a) {
  chunk *c = a->head;
  while (c) {
    chunk *prev = c->prev;
    chunk_free(c);
    c = prev;
  }
  a->head = NULL;
  a->held = 0;
  a->chunks = 0;
}

static void push_chunk(cg_arena *a, chunk *c) {
  c->prev = a->head;
  a->head = c;
  a->held += c->size;
  a->chunks++;
}

static cg_arena_config fill_defaults(const cg_arena_config *in) {
  cg_arena_config c = in ? *in : (cg_arena_config){0, 0, 0};
  if (!c.initial) c.initial = CG_ARENA_DEFAULT_INITIAL;
  if (!c.retain) c.retain = CG_ARENA_DEFAULT_RETAIN;
  if (!c.cap) c.cap = CG_ARENA_DEFAULT_CAP;
  c.initial = ROUND_UP(c.initial, ALIGN);
  if (c.initial > c.cap) c.initial = c.cap & ~(size_t)(ALIGN - 1);
  if (c.retain < c.initial) c.retain = c.initial;
  return c;
}

cg_arena *cg_arena_create(const cg_arena_config *config) {
  cg_arena *a = cg__alloc(sizeof *a);
  if (!a) return NULL;
  memset(a, 0, sizeof *a);
  a->cfg = fill_defaults(config);
  chunk *c = chunk_new(a->cfg.initial);
  if (!c) {
    cg__free(a, sizeof *a);
    return NULL;
  }
  push_chunk(a, c);
  return a;
}

void cg_arena_destroy(cg_arena *a) {
  if (!a) return;
  free_chunks(a);
  cg__free(a, sizeof *a);
}

static void *fail(cg_arena *a, cg_status why) {
  if (a->failure == CG_OK) a->failure = why;
  return NULL;
}

void *cg_arena_alloc(cg_arena *a, size_t size) {
  /* the second test keeps the 16-byte rounding below from wrapping */
  if (size > a->cfg.cap || size > SIZE_MAX - ALIGN) return fail(a, CG_ERR_LIMIT);
  size_t need = size ? ROUND_UP(size, ALIGN) : ALIGN;
  chunk *c = a->head;
  if (!c || c->size - c->used < need) {
    /* Double the newest chunk, but never past the cap. */
    size_t room = a->cfg.cap - a->held;
    if (need > room) return fail(a, CG_ERR_LIMIT);
    size_t want = c ? c->size * 2 : a->cfg.initial;
    if (want < need) want = need;
    if (want > room) want = room;
    c = chunk_new(want);
    if (!c) return fail(a, CG_ERR_NO_MEMORY);
    push_chunk(a, c);
  }
  void *p = chunk_base(c) + c->used;
  c->used += need;
  a->cycle += need;
  return p;
}

char *cg_arena_strdup(cg_arena *a, const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *p = cg_arena_alloc(a, n);
  if (p) memcpy(p, s, n);
  return p;
}

void cg_arena_reset(cg_arena *a) {
  if (a->cycle == 0 && a->failure == CG_OK) return; /* nothing was allocated */
  a->failure = CG_OK;
  size_t used = a->cycle;
  a->cycle = 0;
  if (a->chunks == 1) {
    a->head->used = 0;
    return;
  }
  /* Several chunks: rebuild as one chunk that fits this call's use, so a
   * repeat of it allocates nothing; an oversized call shrinks to `initial`. */
  size_t size = ROUND_UP(used, 4096);
  if (size < a->cfg.initial || size > a->cfg.retain) size = a->cfg.initial;
  free_chunks(a);
  chunk *c = chunk_new(size);
  if (!c && size != a->cfg.initial) c = chunk_new(a->cfg.initial);
  if (c) push_chunk(a, c); /* else the next alloc retries */
}

cg_status cg_arena_failure(const cg_arena *a) { return a->failure; }

size_t cg_arena_footprint(const cg_arena *a) { return a->held; }

cg_arena_config cg_arena_get_config(const cg_arena *a) { return a->cfg; }
