/* A program built against an installed calcgen (README, "Install"): the code
 * generated from schemas/calculator.proto, the calculator's handlers, and
 * libcalcgen through pkg-config. It calls two ops through the typed host API
 * and prints what a failing call reports. */
#include <inttypes.h>
#include <stdio.h>

#include "calculator.calcgen.h"

int main(void) {
  int64_t r;
  cg_status st = calc_calculator_invoke_add(40, 2, &r);
  if (st != CG_OK) {
    fprintf(stderr, "Add: %s: %s\n", cg_status_name(st), cg_last_error());
    return 1;
  }
  printf("40 + 2 = %" PRId64 " (calcgen %s, %s kernels)\n", r, cg_version(), cg_isa_active());
  st = calc_calculator_invoke_divide(1, 0, &r);
  printf("1 / 0: %s (%s)\n", cg_status_name(st), cg_last_error());
  return st == CG_ERR_DIVIDE_BY_ZERO ? 0 : 1;
}
