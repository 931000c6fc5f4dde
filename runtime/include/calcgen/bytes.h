/* A read-only byte view. Who owns the bytes is stated where a view is returned. */
#ifndef CALCGEN_BYTES_H
#define CALCGEN_BYTES_H

#include <stddef.h>
#include <stdint.h>

typedef struct cg_bytes {
  const uint8_t *data;
  size_t len;
} cg_bytes;

/* The Dart and Python stubs read a cg_bytes as two size_t words. */
#ifdef __cplusplus
static_assert(sizeof(cg_bytes) == 2 * sizeof(size_t), "cg_bytes layout");
#else
_Static_assert(sizeof(cg_bytes) == 2 * sizeof(size_t), "cg_bytes layout");
#endif

#endif
