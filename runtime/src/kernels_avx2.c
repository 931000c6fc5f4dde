/* The avx2 kernel set: kernel_body.h with 32-byte vectors.
 * Built with this ISA's flags only (see runtime/meson.build). */
#define CG_KERNEL_TABLE cg__kernels_avx2
#define CG_VBYTES 32
#include "kernel_body.h"
