/* The SIMD128 varint build's own encoder (see varint_simd128.c), after
 * varint_common.h and before the shared loops of varint_body.h, which use it
 * through PACK_GROUPS: varint_avx2.h's pack4 with two lanes. */
#ifndef CALCGEN_SRC_VARINT_SIMD128_H
#define CALCGEN_SRC_VARINT_SIMD128_H

#include <stdint.h>
#include <wasm_simd128.h>

#include "varint_common.h"

/* Two elements as the 64-bit values to encode. */
static inline v128_t load2(cg_encoding kind, const void *in, size_t i) {
  switch (kind) {
    case CG_ENC_INT32:
      return wasm_i64x2_load32x2((const int32_t *)in + i);
    case CG_ENC_UINT32:
      return wasm_u64x2_load32x2((const uint32_t *)in + i);
    case CG_ENC_SINT32: {
      v128_t x = wasm_v128_load64_zero((const int32_t *)in + i);
      return wasm_u64x2_extend_low_u32x4(wasm_v128_xor(wasm_i32x4_shl(x, 1), wasm_i32x4_shr(x, 31)));
    }
    case CG_ENC_SINT64: {
      v128_t x = wasm_v128_load((const int64_t *)in + i);
      return wasm_v128_xor(wasm_i64x2_shl(x, 1), wasm_i64x2_shr(x, 63));
    }
    default:
      return wasm_v128_load((const int64_t *)in + i);
  }
}

/* Encodes two values at p (10 bytes of room from the last one's start), as
 * pack4 in varint_avx2.h: 7-bit groups spread into bytes in both lanes at
 * once, then each value's first eight bytes and its long tail. */
static inline uint8_t *pack2(v128_t v, uint8_t *p) {
  v128_t x = wasm_v128_or(wasm_v128_and(v, wasm_i64x2_splat(0x000000000fffffffll)),
                          wasm_i64x2_shl(wasm_v128_and(v, wasm_i64x2_splat(0x00fffffff0000000ll)), 4));
  x = wasm_v128_or(wasm_v128_and(x, wasm_i64x2_splat(0x00003fff00003fffll)),
                   wasm_i64x2_shl(wasm_v128_and(x, wasm_i64x2_splat(0x0fffc0000fffc000ll)), 2));
  x = wasm_v128_or(wasm_v128_and(x, wasm_i64x2_splat(0x007f007f007f007fll)),
                   wasm_i64x2_shl(wasm_v128_and(x, wasm_i64x2_splat(0x3f803f803f803f80ll)), 1));
  uint64_t w[2], value[2];
  wasm_v128_store(w, x);
  wasm_v128_store(value, v);
  for (int k = 0; k < 2; k++) p = put_spread(p, w[k], value[k]);
  return p;
}

#define PACK_GROUPS(KIND)                                                      \
  for (; i + 2 <= n; i += 2) p = pack2(load2(KIND, in, i), p);

#endif
