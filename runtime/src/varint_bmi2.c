/* Packed varints with BMI2 pext/pdep; built with -mbmi2 -mlzcnt -mpopcnt only. */
#define VARINT_TABLE cg__varint_bmi2
#define VARINT_BMI2 1
#include "varint_body.h"
