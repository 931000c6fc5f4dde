/* Operands for benchmarks the branch predictor cannot learn: a seeded
 * splitmix64 stream, and the value shapes users have. */
#ifndef CALCGEN_BENCH_FRESH_DATA_H
#define CALCGEN_BENCH_FRESH_DATA_H

#include <stdint.h>

/* The next value of the stream at *state (splitmix64). */
static inline uint64_t fresh_next(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* An int64 whose varint is 1..10 bytes long, each length equally likely
 * (10 bytes: a negative value). */
static inline int64_t fresh_mixed_length(uint64_t *state) {
  uint64_t x = fresh_next(state);
  unsigned length = (unsigned)(fresh_next(state) % 10) + 1;
  if (length == 10) return (int64_t)(x | (1ull << 63));
  unsigned bits = 7 * length;
  return (int64_t)(((x & ((1ull << bits) - 1)) | (1ull << (bits - 1))) & (uint64_t)INT64_MAX);
}

#endif
