/* The committed thresholds: the smallest batch, in elements, from which a
 * backend beat one core by more than noise at every larger size, as
 * bench/bench_backends --calibrate (--codec-only for the last one) prints
 * them; each value here is the median of three calibration runs
 * (docs/backends.md gives them all). The threads row is from this project's
 * 2-vCPU machines: hosts with more cores win earlier and can lower it with
 * cg_backend_set_threshold(). CUDA is never picked by size until a GPU run
 * (scripts/gpu-check.sh) gives its row. */
#include <stdint.h>

#include "backend_internal.h"

const size_t cg__default_threshold[2][CG__CLASS_COUNT] = {
    /*            cheap  int div  float div  fmod */
    /* threads */ {16384, 2048, 65536, 2048},
    /* cuda    */ {SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX},
};

const size_t cg__default_codec_threshold = 8192;
