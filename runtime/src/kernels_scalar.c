/* The scalar reference kernel set: kernel_body.h with no vectors, built
 * without auto-vectorisation so it is the plain per-element baseline. */
#define CG_KERNEL_TABLE cg__kernels_scalar
#define CG_VBYTES 0
#include "kernel_body.h"
