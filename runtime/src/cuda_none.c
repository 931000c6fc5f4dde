/* Builds without dlopen (WebAssembly) have no CUDA plugin. */
#include "cuda_plugin.h"

const cg__cuda_plugin *cg__cuda(void) { return 0; }

const char *cg__cuda_device(void) { return ""; }
