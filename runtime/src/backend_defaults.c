/* The committed thresholds: the smallest batch, in elements, from which each
 * backend beat one core in bench/bench_backends --calibrate, which prints
 * this table (docs/measurements/2026-11-29-bench-backends.txt). The threads
 * row is from this project's 2-vCPU machines, where it pays latest; a host
 * with more cores can lower it with cg_backend_set_threshold(). */
#include <stdint.h>

#include "backend_internal.h"

const size_t cg__default_threshold[2][CG__CLASS_COUNT] = {
    /*            cheap    int div  float div  fmod */
    /* threads */ {262144, 16384, 65536, 4096},
    /* cuda    */ {SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX},
};

const size_t cg__default_codec_threshold = 65536;
