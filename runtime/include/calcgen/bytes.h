/* A read-only byte view. Who owns the bytes is stated where a view is returned. */
#ifndef CALCGEN_BYTES_H
#define CALCGEN_BYTES_H

#include <stddef.h>
#include <stdint.h>

typedef struct cg_bytes {
  const uint8_t *data;
  size_t len;
} cg_bytes;

#endif
