/* ns per value of the packed-varint codec, every build this CPU runs
 * (portable, BMI2, AVX-512), in one run: encode (pack), decode (unpack) and
 * count, 1000 int64 values, for five value ranges (the last two with
 * negative values, 10 bytes each). These loops are most of path (c) in bench_paths: a batch
 * op packs and unpacks each operand and the result once per side.
 *
 *   bench_varint [--quick] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timing.h"
#include "varint_table.h"

#define N 1000
static int64_t values[N], decoded[N + 64];
static uint8_t bytes[10 * N + 16];
static size_t len;
static const cg__varint_table *table;
static volatile size_t sink;

static void do_pack(void *p) { (void)p; sink = table->pack(CG_ENC_VARINT64, values, N, bytes); }
static void do_unpack(void *p) { (void)p; sink = table->unpack(CG_ENC_VARINT64, bytes, len, decoded); }
static void do_count(void *p) { (void)p; sink = table->count(bytes, len); }

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  static const struct {
    const char *name;
    int bits;
  } ranges[] = {{"[0, 2^14)", 14}, {"[0, 2^32)", 32}, {"[0, 2^63)", 63}, {"[-2^31, 0)", -31},
                {"[-2^31, 2^31)", 0}};
  long reps = quick ? 2000 : 20000;
  printf("ns/value, %d int64 values; bytes: the packed size\n", N);
  printf("%-8s %-14s %8s %8s %8s %8s\n", "build", "range", "bytes", "pack", "unpack", "count");
  for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (int i = 0; i < N; i++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      int bits = ranges[r].bits;
      if (bits > 0)
        values[i] = (int64_t)(x & ((1ull << bits) - 1));
      else if (bits < 0) /* negative: 10-byte varints */
        values[i] = -1 - (int64_t)(x & ((1ull << -bits) - 1));
      else /* signs mixed at random: 10-byte and 5-byte varints */
        values[i] = (int64_t)(int32_t)(uint32_t)x;
    }
    for (size_t b = 0; b < cg__varint_build_count; b++) {
      const cg__varint_build *build = &cg__varint_builds[b];
      if (!cg__varint_usable(build->table)) continue;
      table = build->table;
      len = table->pack(CG_ENC_VARINT64, values, N, bytes);
      if (table->unpack(CG_ENC_VARINT64, bytes, len, decoded) != N || memcmp(decoded, values, sizeof values)) {
        fprintf(stderr, "%s: round trip failed\n", build->name);
        return 1;
      }
      double pack = best_ns(do_pack, NULL, reps, 5) / N;
      double unpack = best_ns(do_unpack, NULL, reps, 5) / N;
      double count = best_ns(do_count, NULL, reps, 5) / N;
      printf("%-8s %-14s %8zu %8.3f %8.3f %8.3f\n", build->name, ranges[r].name, len, pack, unpack, count);
    }
  }
  printf("active build: %s\n", cg_varint_active());
  return 0;
}
