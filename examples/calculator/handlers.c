/* The calculator's user handlers: the ops without a built-in kernel.
 * Everything around them (decode, dispatch, encode, errors) is generated. */
#include "calculator.calcgen.h"

cg_status calc_calculator_factorial(const Calc__FactorialRequest *req, Calc__Value *resp,
                                    cg_arena *arena) {
  (void)arena;
  if (req->n > 20)
    return cg_fail(CG_ERR_OVERFLOW, "Factorial: %u! does not fit in int64 (largest is 20!)", req->n);
  int64_t f = 1;
  for (uint32_t i = 2; i <= req->n; i++) f *= i;
  resp->value = f;
  return CG_OK;
}

cg_status calc_calculator_format_number(const Calc__FormatRequest *req,
                                        Calc__CalculatorResponse *resp, cg_arena *arena) {
  uint32_t radix = req->radix ? req->radix : 10;
  if (radix < 2 || radix > 36)
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "FormatNumber: radix %u is outside 2..36", radix);
  static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  char tmp[72];
  size_t n = 0;
  /* Work on the magnitude as unsigned so INT64_MIN needs no special case. */
  uint64_t v = req->value < 0 ? 0 - (uint64_t)req->value : (uint64_t)req->value;
  do {
    tmp[n++] = digits[v % radix];
    v /= radix;
  } while (v);
  if (req->value < 0) tmp[n++] = '-';
  char *text = cg_arena_alloc(arena, n + 1);
  if (!text) return cg_arena_failure(arena);
  for (size_t i = 0; i < n; i++) text[i] = tmp[n - 1 - i];
  text[n] = '\0';
  resp->text = text;
  return CG_OK;
}
