/* The sse42 kernel set: kernel_body.h with 16-byte vectors.
 * Built with this ISA's flags only (see runtime/meson.build). */
#define CG_KERNEL_TABLE cg__kernels_sse42
#define CG_VBYTES 16
#include "kernel_body.h"
