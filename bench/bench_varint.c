/* ns per value of the packed-varint codec, every build this CPU runs
 * (portable, BMI2, AVX2, AVX-512), in one run: encode (pack), decode (unpack)
 * and count, on data the branch predictor cannot learn: per value range, 64
 * distinct arrays of 1000 int64 values (drawn from --seed), cycled. The last
 * column decodes one array over and over, the memorised figure earlier
 * versions of this benchmark reported. These loops are most of a varint
 * batch op: it unpacks each operand and packs the result once.
 *
 *   bench_varint [--quick] [--seed N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fresh_data.h"
#include "timing.h"
#include "varint_table.h"

#define N 1000
#define ARRAYS 64
static int64_t values[ARRAYS][N], decoded[N + 64];
static uint8_t bytes[ARRAYS][10 * N + 16];
static size_t len[ARRAYS];
static const cg__varint_table *table;
static volatile size_t sink;
static size_t turn;

static void do_pack(void *p) {
  (void)p;
  size_t k = turn++ % ARRAYS;
  sink = table->pack(CG_ENC_VARINT64, values[k], N, bytes[k]);
}
static void do_unpack(void *p) {
  (void)p;
  size_t k = turn++ % ARRAYS;
  sink = table->unpack(CG_ENC_VARINT64, bytes[k], len[k], decoded);
}
static void do_count(void *p) {
  (void)p;
  size_t k = turn++ % ARRAYS;
  sink = table->count(bytes[k], len[k]);
}
static void do_unpack_same(void *p) { (void)p, sink = table->unpack(CG_ENC_VARINT64, bytes[0], len[0], decoded); }

static uint64_t rng;

enum { R_SMALL, R_14, R_32, R_63, R_NEG, R_MIXED_SIGN, R_MIXED_LEN, N_RANGES };
static const char *const range_name[N_RANGES] = {"[0, 2^7)", "[0, 2^14)", "[0, 2^32)", "[0, 2^63)",
                                                 "[-2^31, 0)", "[-2^31, 2^31)", "1-10 bytes"};

static int64_t draw(int r) {
  uint64_t x = fresh_next(&rng);
  switch (r) {
    case R_SMALL: return (int64_t)(x & 127);
    case R_14: return (int64_t)(x & 16383);
    case R_32: return (int64_t)(x & 0xffffffffu);
    case R_63: return (int64_t)(x >> 1);
    case R_NEG: return -1 - (int64_t)(x & 0x7fffffffu); /* 10-byte varints */
    case R_MIXED_SIGN: return (int64_t)(int32_t)(uint32_t)x; /* 10- and 5-byte varints */
    default: return fresh_mixed_length(&rng);
  }
}

int main(int argc, char **argv) {
  int quick = 0;
  rng = 0x5eed;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--quick")) quick = 1;
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc) rng = strtoull(argv[++i], NULL, 0);
    else {
      fprintf(stderr, "usage: %s [--quick] [--seed N]\n", argv[0]);
      return 2;
    }
  }
  long reps = quick ? 2000 : 20000;
  printf("ns/value, %d distinct arrays of %d int64 values cycled (memorised: one array repeated); "
         "bytes: packed bytes per value\n", ARRAYS, N);
  printf("%-8s %-14s %6s %8s %8s %8s %12s\n", "build", "range", "bytes", "pack", "unpack", "count",
         "unpack-memo");
  for (int r = 0; r < N_RANGES; r++) {
    for (int k = 0; k < ARRAYS; k++)
      for (int i = 0; i < N; i++) values[k][i] = draw(r);
    for (size_t b = 0; b < cg__varint_build_count; b++) {
      const cg__varint_build *build = &cg__varint_builds[b];
      if (!cg__varint_usable(build->table)) continue;
      table = build->table;
      size_t total = 0;
      for (int k = 0; k < ARRAYS; k++) {
        len[k] = table->pack(CG_ENC_VARINT64, values[k], N, bytes[k]);
        total += len[k];
        if (table->unpack(CG_ENC_VARINT64, bytes[k], len[k], decoded) != N ||
            memcmp(decoded, values[k], sizeof values[k])) {
          fprintf(stderr, "%s: round trip failed\n", build->name);
          return 1;
        }
      }
      double pack = best_ns(do_pack, NULL, reps, 5) / N;
      double unpack = best_ns(do_unpack, NULL, reps, 5) / N;
      double count = best_ns(do_count, NULL, reps, 5) / N;
      double memo = best_ns(do_unpack_same, NULL, reps, 5) / N;
      printf("%-8s %-14s %6.2f %8.3f %8.3f %8.3f %12.3f\n", build->name, range_name[r],
             (double)total / (ARRAYS * N), pack, unpack, count, memo);
    }
  }
  printf("active build: %s\n", cg_varint_active());
  return 0;
}
