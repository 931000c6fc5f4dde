/* Fuzz target: the arena under any sequence of allocations, resets and
 * strdups, with a configuration taken from the input. Every pointer must be
 * 16-byte aligned and writable for its size, the footprint must stay within
 * the cap, and failures must be CG_ERR_LIMIT. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "calcgen/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3) return 0;
  cg_arena_config cfg = {(size_t)data[0] * 64, (size_t)data[1] * 1024, ((size_t)data[2] + 1) * 4096};
  cg_arena *a = cg_arena_create(&cfg);
  if (!a) abort();
  cg_arena_config used = cg_arena_get_config(a);
  for (size_t i = 3; i + 2 < size; i += 3) {
    size_t n = (size_t)data[i + 1] | (size_t)data[i + 2] << 8;
    switch (data[i] % 4) {
      case 0:
      case 1: {
        unsigned char *p = cg_arena_alloc(a, n << (data[i] % 2 ? 0 : 4));
        if (p) {
          if ((uintptr_t)p % 16) abort();
          memset(p, 0xA5, n << (data[i] % 2 ? 0 : 4));
        } else if (cg_arena_failure(a) != CG_ERR_LIMIT) {
          abort();
        }
        break;
      }
      case 2:
        cg_arena_reset(a);
        if (cg_arena_failure(a) != CG_OK) abort();
        break;
      default: {
        char s[64];
        size_t k = n % sizeof s;
        memset(s, 'x', k);
        s[k] = '\0';
        char *d = cg_arena_strdup(a, s);
        if (d && strcmp(d, s)) abort();
        break;
      }
    }
    if (cg_arena_footprint(a) > used.cap) abort();
  }
  cg_arena_destroy(a);
  return 0;
}
