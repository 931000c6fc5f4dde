/* Packed varints with AVX-512 (F, BW, CD, VBMI, VBMI2): an encoder and a
 * decoder that take eight elements per step with no per-element branch;
 * what they leave (groups with 9- and 10-byte values to encode, buffer
 * tails, malformed input) and counting are the BMI2 build's. Built with these flags only, used only
 * where the CPU has them (cpu.c).
 *
 * One step: the byte length of each element from its leading zeros (a
 * 64-byte table lookup), the 7-bit groups spread into bytes by one
 * multishift, continuation bits added under a mask, and the used bytes of
 * the eight lanes compressed together and stored at once. A group holding a
 * value of 2^56 or more (9 or 10 bytes: negative int32/int64 among them)
 * goes through the scalar encoder instead. */
#include <immintrin.h>
#include <stdint.h>

#define VARINT_TABLE cg__varint_avx512
#define VARINT_AVX2 1
#define VARINT_BMI2 1
#include "varint_common.h"
#include "varint_avx512.h"
#include "varint_body.h"
