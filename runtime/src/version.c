#include "calcgen/version.h"

const char *cg_version(void) { return CALCGEN_VERSION; }
