/* Bump allocator for one call's decoded messages and scratch arrays.
 *
 * Memory comes in chunks; every pointer is 16-byte aligned. cg_arena_reset()
 * makes all of it reusable at once. The arena grows chunk by chunk up to
 * `cap` bytes; past that an allocation fails and the arena remembers
 * CG_ERR_LIMIT (CG_ERR_NO_MEMORY when the system allocator failed), which
 * dispatch turns into the call's status. On reset an arena that needed
 * several chunks is rebuilt as one chunk of the size it used, so the next call
 * of the same shape allocates nothing; an oversized call (more than `retain`
 * bytes) gives its memory back and the arena shrinks to `initial` bytes. */
#ifndef CALCGEN_ARENA_H
#define CALCGEN_ARENA_H

#include <stddef.h>

#include "calcgen/status.h"
#include "calcgen/visibility.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cg_arena cg_arena;

typedef struct cg_arena_config {
  size_t initial; /* first chunk, bytes (default 16 KiB) */
  size_t retain;  /* most bytes kept across resets (default 1 MiB) */
  size_t cap;     /* most bytes held at once (default 64 MiB) */
} cg_arena_config;

#define CG_ARENA_DEFAULT_INITIAL ((size_t)16 << 10)
#define CG_ARENA_DEFAULT_RETAIN ((size_t)1 << 20)
#define CG_ARENA_DEFAULT_CAP ((size_t)64 << 20)

/* `config` may be NULL for the defaults; zero members also take defaults.
 * Returns NULL when memory for the first chunk cannot be had. */
CG_API cg_arena *cg_arena_create(const cg_arena_config *config);
CG_API void cg_arena_destroy(cg_arena *a);

/* 16-byte aligned; NULL on failure (cap reached or no memory). size 0 gives a
 * valid unique pointer. */
CG_API void *cg_arena_alloc(cg_arena *a, size_t size);
/* Copies `s` with its terminator into the arena; NULL on failure or NULL s. */
CG_API char *cg_arena_strdup(cg_arena *a, const char *s);

/* Makes all memory reusable; see the shrinking rules above. Clears the failure. */
CG_API void cg_arena_reset(cg_arena *a);

/* CG_OK, or why the first failed allocation since the last reset failed. */
CG_API cg_status cg_arena_failure(const cg_arena *a);
/* Bytes of chunk memory the arena holds now (its footprint). */
CG_API size_t cg_arena_footprint(const cg_arena *a);
/* Configuration in force (defaults filled in). */
CG_API cg_arena_config cg_arena_get_config(const cg_arena *a);

#ifdef __cplusplus
}
#endif
#endif
