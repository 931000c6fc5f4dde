/* The simd128 kernel set (WebAssembly SIMD): kernel_body.h with 16-byte vectors.
 * Built with -msimd128 only (see runtime/meson.build); wasm has no run-time
 * CPU detection, so a module either carries this set or is built without it. */
#define CG_KERNEL_TABLE cg__kernels_simd128
#define CG_VBYTES 16
#include "kernel_body.h"
