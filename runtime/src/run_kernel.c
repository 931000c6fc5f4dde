#include <stdint.h>

#include "backend_internal.h"
#include "run_kernel_internal.h"

#include "calcgen/status.h"

cg_status cg__run_kernel(cg_kernel_op kop, cg_elem_type type, cg_overflow overflow,
                        const void *a, const void *b, void *out, size_t n, const char *op) {
  return cg__run_kernel_at(CG_BACKEND_AUTO, kop, type, overflow, a, b, out, n, 0, op);
}

cg_status cg__run_kernel_at(cg_backend backend, cg_kernel_op kop, cg_elem_type type, cg_overflow overflow,
                           const void *a, const void *b, void *out, size_t n, size_t first,
                           const char *op) {
  cg_kernel_fn fn = cg_kernel(kop, type, overflow);
  if (!fn) return cg_fail(CG_ERR_INVALID_ARGUMENT, "%s: no kernel %d for type %d", op, kop, type);
  size_t bad = 0;
  cg_status st = cg__kernel_exec(backend, fn, kop, type, overflow, a, b, out, n, &bad);
  if (st == CG_OK) return CG_OK;
  if (st == CG_ERR_INVALID_ARGUMENT || st == CG_ERR_NO_MEMORY) return st; /* the backend said why */
  return cg__kernel_failed(st, first + bad, op);
}

cg_status cg__kernel_failed(cg_status st, size_t index, const char *op) {
  return cg_fail_at(st, (int64_t)index, "%s: %s at index %zu", op, cg_status_text(st), index);
}
