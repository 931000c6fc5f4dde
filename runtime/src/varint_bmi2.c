/* Packed varints with BMI1/2 (pext, pdep, bzhi, tzcnt) and AVX2 byte masks; built with
 * -mbmi -mbmi2 -mlzcnt -mpopcnt -mavx2 only, used only where the CPU has them. */
#define VARINT_TABLE cg__varint_bmi2
#define VARINT_AVX2 1
#define VARINT_BMI2 1
#include "varint_body.h"
