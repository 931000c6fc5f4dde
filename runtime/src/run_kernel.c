#include <stdint.h>

#include "run_kernel_internal.h"

#include "calcgen/status.h"

/* Keeps one chunk's three arrays well inside L2 when operands are streamed. */
#define CHUNK_BYTES ((size_t)16 << 10)

/* Bytes of one element of each type: projected from CG_ELEM_TYPE_MAP. */
static const size_t elem_size[CG_TYPE_END] = {
#define ELEM_SIZE(v, UP, low, T) [v] = sizeof(T),
    CG_ELEM_TYPE_MAP(ELEM_SIZE)
#undef ELEM_SIZE
};

cg_status cg__run_kernel(cg_kernel_op kop, cg_elem_type type, cg_overflow overflow,
                        const void *a, const void *b, void *out, size_t n, const char *op) {
  return cg__run_kernel_at(kop, type, overflow, a, b, out, n, 0, op);
}

cg_status cg__run_kernel_at(cg_kernel_op kop, cg_elem_type type, cg_overflow overflow,
                           const void *a, const void *b, void *out, size_t n, size_t first,
                           const char *op) {
  cg_kernel_fn fn = cg_kernel(kop, type, overflow);
  if (!fn) return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: no kernel %d for type %d", op, kop, type);
  size_t es = elem_size[type], chunk = es == 8 ? CHUNK_BYTES / 8 : CHUNK_BYTES / 4;
  const unsigned char *pa = a, *pb = b;
  unsigned char *po = out;
  for (size_t done = 0; done < n; done += chunk) {
    size_t len = n - done < chunk ? n - done : chunk, bad = 0;
    cg_status st = fn(pa + done * es, pb + done * es, po + done * es, len, &bad);
    if (st != CG_OK)
      return cg_fail_at(st, (int64_t)(first + done + bad), "%s: %s at index %zu", op,
                        cg_status_text(st), first + done + bad);
  }
  return CG_OK;
}
