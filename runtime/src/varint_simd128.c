/* Packed varints with WebAssembly SIMD: the portable decoder with
 * terminators found by byte masks (varint_common.h's stops64), and an
 * encoder that spreads two values' 7-bit groups at once (varint_simd128.h).
 * Built with -msimd128 for the module that carries the simd128 kernels
 * (runtime/meson.build). */
#define VARINT_TABLE cg__varint_simd128
#define VARINT_AVX2 0
#define VARINT_BMI2 0
#include "varint_common.h"
#include "varint_simd128.h"
#include "varint_body.h"
