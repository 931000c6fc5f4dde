/* The interface between the runtime and libcalcgen_cuda.so (cuda/), which the
 * runtime dlopens the first time a batch could use the GPU. Plain C on both
 * sides, so a plugin built by nvcc and a runtime built by gcc agree. */
#ifndef CALCGEN_SRC_CUDA_PLUGIN_H
#define CALCGEN_SRC_CUDA_PLUGIN_H

#include <stddef.h>

#include "calcgen/kernels.h"
#include "calcgen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CG_CUDA_PLUGIN_ABI 1

/* memcpy on every core the runtime's pool has: staging is the CPU's share. */
typedef void (*cg__copy_fn)(void *dst, const void *src, size_t bytes);

typedef struct cg__cuda_plugin {
  int abi; /* CG_CUDA_PLUGIN_ABI */
  /* Usable devices (0: none, or no driver); the first one's name in name.
   * host_nan32/64 are this CPU's default NaNs (0.0/0.0), which the kernels
   * give for NaNs they generate, so results stay bit-identical to the CPU. */
  int (*init)(unsigned host_nan32, unsigned long long host_nan64, char *name, size_t name_cap);
  /* The kernel over host arrays, with cg_kernel_fn's contract: operands are
   * staged (with `copy`) through pinned buffers in chunks, copies overlapped
   * with compute. CG_ERR_NO_MEMORY (with text in err) when the device cannot
   * take it; *wrote says whether any of out was written before it gave up. */
  cg_status (*run)(cg_kernel_op op, cg_elem_type type, cg_overflow overflow, const void *a,
                   const void *b, void *out, size_t n, size_t *fail_index, cg__copy_fn copy,
                   int *wrote, char *err, size_t err_cap);
  /* For benchmarks: the kernel alone over n elements already on the device,
   * best of reps, in nanoseconds. */
  cg_status (*kernel_only)(cg_kernel_op op, cg_elem_type type, cg_overflow overflow, size_t n,
                           int reps, double *best_ns);
} cg__cuda_plugin;

/* The one symbol the plugin exports. */
typedef const cg__cuda_plugin *(*cg__cuda_plugin_entry)(void);
#define CG_CUDA_PLUGIN_SYMBOL "cg_cuda_plugin"

/* The runtime's side (cuda_loader.c): the loaded plugin, or NULL when there
 * is none, no driver or no device. Loads once. */
const cg__cuda_plugin *cg__cuda(void);
const char *cg__cuda_device(void);

#ifdef __cplusplus
}
#endif
#endif
