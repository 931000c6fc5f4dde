/* Where a batch kernel runs: one core, every core, or a CUDA GPU.
 *
 * Every batch op ends in one elementwise kernel over its arrays. This is the
 * one place that decides where that kernel runs, by element count and op:
 *
 *   CG_BACKEND_SINGLE   the active SIMD kernel set on the calling thread
 *   CG_BACKEND_THREADS  the same kernels over cache-sized chunks on a pool of
 *                       threads the runtime keeps (the caller takes part)
 *   CG_BACKEND_CUDA     CUDA kernels in libcalcgen_cuda.so, loaded when first
 *                       needed; only with an NVIDIA GPU and a driver present
 *
 * All three give bit-identical results and the same failure: the status of
 * the lowest failing element and its index. A backend is used for a batch of
 * at least its threshold elements for that op and type (SIZE_MAX: never);
 * the committed defaults come from bench/bench_backends. CALCGEN_BACKEND=
 * single|threads|cuda|auto in the environment forces one at start-up, like
 * cg_backend_force(). The settings are process-wide. */
#ifndef CALCGEN_BACKEND_H
#define CALCGEN_BACKEND_H

#include <stddef.h>

#include "calcgen/kernels.h"
#include "calcgen/status.h"
#include "calcgen/visibility.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cg_backend {
  CG_BACKEND_AUTO = 0, /* by thresholds */
  CG_BACKEND_SINGLE = 1,
  CG_BACKEND_THREADS = 2,
  CG_BACKEND_CUDA = 3,
  CG_BACKEND_END
} cg_backend;

/* out[i] = a[i] op b[i] on the given backend (AUTO: the one the thresholds
 * pick), with cg_kernel_fn's contract: on failure the lowest failing
 * element's status, its index in *fail_index, elements before it computed.
 * out may be a or b itself; other overlaps are not supported.
 * CG_ERR_INVALID_ARGUMENT for an op/type/overflow outside the enums, NULL
 * arrays with n > 0, or a backend this process cannot use. */
CG_API cg_status cg_kernel_run(cg_backend backend, cg_kernel_op op, cg_elem_type type,
                               cg_overflow overflow, const void *a, const void *b, void *out,
                               size_t n, size_t *fail_index);

/* The backend AUTO picks for n elements of op and type right now. */
CG_API cg_backend cg_backend_choice(cg_kernel_op op, cg_elem_type type, size_t n);

/* Forces one backend for every batch (AUTO: back to thresholds). Refuses, with
 * CG_ERR_INVALID_ARGUMENT, a backend this process cannot use. */
CG_API cg_status cg_backend_force(cg_backend backend);
CG_API cg_backend cg_backend_forced(void);

/* 1 when this process can use the backend: THREADS needs thread support,
 * CUDA the plugin, the driver and a device. */
CG_API int cg_backend_available(cg_backend backend);
/* "auto" "single" "threads" "cuda"; NULL outside the enum. */
CG_API const char *cg_backend_name(cg_backend backend);
/* The CUDA device in use ("" when none), for logs and benchmarks. */
CG_API const char *cg_backend_device(void);

/* The smallest batch THREADS or CUDA takes for op and type (SIZE_MAX:
 * never). CG_KERNEL_NONE sets every op, CG_TYPE_END every type. */
CG_API cg_status cg_backend_set_threshold(cg_backend backend, cg_kernel_op op, cg_elem_type type,
                                          size_t n);
CG_API size_t cg_backend_threshold(cg_backend backend, cg_kernel_op op, cg_elem_type type);
/* Batches of packed varints (int32/int64/uint/sint fields) spend most of
 * their time decoding and encoding, not in the kernel: from this many
 * elements (default 8,192) THREADS splits all three across the pool. */
CG_API cg_status cg_backend_set_codec_threshold(size_t n);
CG_API size_t cg_backend_codec_threshold(void);
/* Back to the committed defaults (kernel and codec thresholds). */
CG_API void cg_backend_reset_thresholds(void);

/* Threads taking part in a THREADS batch, the caller included (0: one per
 * online CPU, the default; at most CG_BACKEND_MAX_THREADS). */
#define CG_BACKEND_MAX_THREADS 256
CG_API cg_status cg_backend_set_threads(unsigned threads);
CG_API unsigned cg_backend_threads(void);

#ifdef __cplusplus
}
#endif
#endif
