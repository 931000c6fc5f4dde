/* The avx512 kernel set: kernel_body.h with 64-byte vectors.
 * Built with this ISA's flags only (see runtime/meson.build). */
#define CG_KERNEL_TABLE cg__kernels_avx512
#define CG_VBYTES 64
#include "kernel_body.h"
