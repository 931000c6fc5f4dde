/* Runs the differential target without libFuzzer: replays corpus files,
 * then feeds generated inputs (valid messages packed by protobuf-c, half of
 * them mutated). Deterministic for a given seed, so every build runs it.
 *
 *   test_codec_diff [-n COUNT] [-s SEED] [--write-corpus DIR] [FILE|DIR]... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcgen/arena.h"
#include "fuzz_codec.h"
#include "fuzz_replay.h"
#include "xorshift.h"

static uint64_t rng = 0x853c49e6748fea9bull;
static uint64_t rnd(void) { return xorshift64(&rng); }

static cg_arena *pool;

static uint64_t random_bits(void) {
  switch (rnd() % 5) {
    case 0: return 0;
    case 1: return rnd() % 300;
    case 2: return (uint64_t)-(int64_t)(rnd() % 300);
    case 3: { static const uint64_t e[] = {0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffull,
                                           0x80000000ull, 0x7fffffffull, 0x7ff0000000000000ull,
                                           0x7f800000ull, 0xfff8000000000001ull, 0x80000000000ull};
              return e[rnd() % 9]; }
    default: return rnd();
  }
}

static void random_scalar(ProtobufCType t, void *dst) {
  uint64_t v = random_bits();
  if (fuzz_scalar_size(t) == 8)
    memcpy(dst, &v, 8);
  else {
    uint32_t u = (uint32_t)v;
    memcpy(dst, &u, 4);
  }
}

/* A random message of descriptor d, in the pool; repeated fields mostly of
 * equal length, so batch ops reach their kernels. */
static void *random_message(const ProtobufCMessageDescriptor *d) {
  void *m = cg_arena_alloc(pool, d->sizeof_message);
  protobuf_c_message_init(d, m);
  size_t common = rnd() % 4 == 0 ? rnd() % 600 : rnd() % 40;
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    char *member = (char *)m + f->offset;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      size_t n = rnd() % 8 == 0 ? rnd() % 50 : common, es = fuzz_scalar_size(f->type);
      char *arr = cg_arena_alloc(pool, n * es + 1);
      for (size_t k = 0; k < n; k++) random_scalar(f->type, arr + k * es);
      memcpy((char *)m + f->quantifier_offset, &n, sizeof n);
      memcpy(member, &arr, sizeof arr);
    } else if (f->type == PROTOBUF_C_TYPE_STRING) {
      size_t n = rnd() % 24;
      char *s = cg_arena_alloc(pool, n + 1);
      for (size_t k = 0; k < n; k++) s[k] = (char)(' ' + rnd() % 95);
      s[n] = '\0';
      memcpy(member, &s, sizeof s);
    } else if (f->type == PROTOBUF_C_TYPE_BYTES) {
      ProtobufCBinaryData b = {rnd() % 24, NULL};
      b.data = cg_arena_alloc(pool, b.len + 1);
      for (size_t k = 0; k < b.len; k++) b.data[k] = (uint8_t)rnd();
      memcpy(member, &b, sizeof b);
    } else {
      random_scalar(f->type, member);
    }
  }
  return m;
}

static size_t mutate(uint8_t *buf, size_t len, size_t cap) {
  int rounds = 1 + (int)(rnd() % 4);
  for (int r = 0; r < rounds; r++) {
    switch (rnd() % 6) {
      case 0: if (len) buf[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8)); break;
      case 1: if (len) { static const uint8_t v[] = {0x00, 0x80, 0xff, 0x7f, 0x08, 0x0a}; buf[rnd() % len] = v[rnd() % 6]; } break;
      case 2: if (len) len = rnd() % len; break; /* truncate */
      case 3: { /* insert random bytes */
        size_t at = len ? rnd() % len : 0, n = 1 + rnd() % 6;
        if (len + n > cap) break;
        memmove(buf + at + n, buf + at, len - at);
        for (size_t k = 0; k < n; k++) buf[at + k] = (uint8_t)rnd();
        len += n;
        break;
      }
      case 4: { /* repeat a chunk: fields occurring twice */
        if (!len) break;
        size_t at = rnd() % len, n = 1 + rnd() % (len - at);
        if (len + n > cap) break;
        memcpy(buf + len, buf + at, n);
        len += n;
        break;
      }
      default: { /* append a random field */
        if (len + 12 > cap) break;
        buf[len++] = (uint8_t)rnd();
        for (int k = (int)(rnd() % 11); k > 0; k--) buf[len++] = (uint8_t)rnd();
        break;
      }
    }
  }
  return len;
}

static size_t generate(uint8_t *buf, size_t cap, int mutated) {
  cg_arena_reset(pool);
  size_t k = rnd() % fuzz_target_count();
  const ProtobufCMessageDescriptor *d = fuzz_target_message(k);
  void *m = random_message(d);
  size_t need = protobuf_c_message_get_packed_size(m);
  if (need + 1 > cap) return 0;
  buf[0] = (uint8_t)k;
  size_t len = 1 + protobuf_c_message_pack(m, buf + 1);
  return mutated ? 1 + mutate(buf + 1, len - 1, cap - 1) : len;
}

int main(int argc, char **argv) {
  long count = 20000, replayed = 0;
  const char *corpus_out = NULL;
  pool = cg_arena_create(NULL);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-n") && i + 1 < argc) count = atol(argv[++i]);
    else if (!strcmp(argv[i], "-s") && i + 1 < argc) rng = strtoull(argv[++i], NULL, 0) | 1;
    else if (!strcmp(argv[i], "--write-corpus") && i + 1 < argc) corpus_out = argv[++i];
    else replayed += fuzz_replay(argv[i]);
  }
  static uint8_t buf[1 << 16];
  if (corpus_out) { /* valid messages, one per target and a few more */
    for (long i = 0; i < count; i++) {
      size_t len = generate(buf, sizeof buf, 0);
      char path[4096];
      snprintf(path, sizeof path, "%s/seed-%03ld", corpus_out, i);
      FILE *f = fopen(path, "wb");
      if (f) fwrite(buf, 1, len, f), fclose(f);
    }
    printf("wrote %ld seeds to %s\n", count, corpus_out);
    return 0;
  }
  for (long i = 0; i < count; i++) {
    size_t len = generate(buf, sizeof buf, (int)(i & 1));
    if (len) LLVMFuzzerTestOneInput(buf, len);
  }
  /* A mismatch aborts, so reaching here means none. */
  printf("%ld corpus files and %ld generated inputs: no mismatch\n", replayed, count);
  printf("%ld passed, 0 failed\n", replayed + count);
  return 0;
}
