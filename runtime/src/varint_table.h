/* The packed-varint array codec, one table per build (varint_body.h). */
#ifndef CALCGEN_SRC_VARINT_TABLE_H
#define CALCGEN_SRC_VARINT_TABLE_H

#include <stddef.h>

#include "calcgen/wire.h"

typedef struct cg__varint_table {
  size_t (*count)(const uint8_t *p, size_t len);
  size_t (*unpack)(cg_varint_kind kind, const uint8_t *p, size_t len, void *out);
  size_t (*pack)(cg_varint_kind kind, const void *in, size_t n, uint8_t *out);
  size_t (*size)(cg_varint_kind kind, const void *in, size_t n);
} cg__varint_table;

extern const cg__varint_table cg__varint_generic;
extern const cg__varint_table cg__varint_bmi2;
extern const cg__varint_table cg__varint_avx512;

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
