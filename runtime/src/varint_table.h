/* The packed-varint array codec, one table per build (varint_body.h). */
#ifndef CALCGEN_SRC_VARINT_TABLE_H
#define CALCGEN_SRC_VARINT_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "calcgen/kernels.h"
#include "calcgen/support/wire.h"

/* Element i of an array of `kind` as the value its varint encodes. */
static inline uint64_t cg__varint_element(cg_encoding kind, const void *in, size_t i) {
  switch (kind) {
    case CG_ENC_INT32: { int32_t x; memcpy(&x, (const char *)in + 4 * i, 4); return (uint64_t)(int64_t)x; }
    case CG_ENC_UINT32: { uint32_t x; memcpy(&x, (const char *)in + 4 * i, 4); return x; }
    case CG_ENC_SINT32: { int32_t x; memcpy(&x, (const char *)in + 4 * i, 4); return cg_zigzag32(x); }
    case CG_ENC_SINT64: { int64_t x; memcpy(&x, (const char *)in + 8 * i, 8); return cg_zigzag64(x); }
    default: { uint64_t v; memcpy(&v, (const char *)in + 8 * i, 8); return v; }
  }
}

/* Stores decoded varint v as element i of an array of `kind` (32-bit kinds
 * keep the low 32 bits, as protobuf-c does). */
static inline void cg__varint_store(cg_encoding kind, void *out, size_t i, uint64_t v) {
  switch (kind) {
    case CG_ENC_SINT32: { int32_t x = cg_unzigzag32((uint32_t)v); memcpy((char *)out + 4 * i, &x, 4); break; }
    case CG_ENC_SINT64: { int64_t x = cg_unzigzag64(v); memcpy((char *)out + 8 * i, &x, 8); break; }
    case CG_ENC_VARINT64: memcpy((char *)out + 8 * i, &v, 8); break;
    default: { uint32_t x = (uint32_t)v; memcpy((char *)out + 4 * i, &x, 4); break; }
  }
}

typedef struct cg__varint_table {
  size_t (*count)(const uint8_t *p, size_t len);
  size_t (*unpack)(cg_encoding kind, const uint8_t *p, size_t len, void *out);
  size_t (*pack)(cg_encoding kind, const void *in, size_t n, uint8_t *out);
  size_t (*size)(cg_encoding kind, const void *in, size_t n);
} cg__varint_table;

extern const cg__varint_table cg__varint_generic;
extern const cg__varint_table cg__varint_avx2;
extern const cg__varint_table cg__varint_bmi2;
extern const cg__varint_table cg__varint_avx512;
extern const cg__varint_table cg__varint_simd128;

/* The table for this CPU, chosen once (cpu.c). */
const cg__varint_table *cg__varint_ops(void);
/* Whether this CPU runs a given build (for tests). */
int cg__varint_usable(const cg__varint_table *t);

/* Every build compiled in, worst first, by name (for tests, benchmarks and
 * cg_varint_active()). */
typedef struct cg__varint_build {
  const char *name;
  const cg__varint_table *table;
} cg__varint_build;
extern const cg__varint_build cg__varint_builds[];
extern const size_t cg__varint_build_count;

#endif
