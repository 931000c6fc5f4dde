/* Packed varints with portable bit tricks. */
#define VARINT_TABLE cg__varint_generic
#define VARINT_AVX2 0
#define VARINT_BMI2 0
#include "varint_body.h"
