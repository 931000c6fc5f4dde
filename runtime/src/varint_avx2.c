/* Packed varints with AVX2, BMI1, LZCNT and POPCNT but not pext/pdep: for
 * CPUs that have BMI2 only in microcode (AMD before Zen 3, where pext and
 * pdep take 18 cycles or more) and so would otherwise get the portable
 * build. Built with these flags only, used only where the CPU has them
 * (cpu.c).
 *
 * Decoding is the BMI2 build's: terminators from AVX2 byte masks, four
 * varints per step in vector lanes; the few decoded one at a time squeeze
 * their 7-bit groups with shifts. Encoding spreads the 7-bit groups of four
 * values into bytes with vector shifts (what pdep does one value at a time),
 * then stores each value's 8 bytes with its continuation bits. */
#include <immintrin.h>
#include <stdint.h>

#define VARINT_TABLE cg__varint_avx2
#define VARINT_AVX2 1
#define VARINT_BMI2 0
#include "varint_common.h"
#include "varint_avx2.h"
#include "varint_body.h"
