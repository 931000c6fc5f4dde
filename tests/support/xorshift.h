/* xorshift64 (Marsaglia 2003): the tests' deterministic random data, each
 * stream from its own seed, so a failure reproduces exactly. */
#ifndef CALCGEN_TESTS_XORSHIFT_H
#define CALCGEN_TESTS_XORSHIFT_H

#include <stdint.h>

static inline uint64_t xorshift64(uint64_t *state) {
  uint64_t x = *state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *state = x;
}

#endif
