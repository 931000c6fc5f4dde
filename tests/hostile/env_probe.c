/* Prints the active kernel set and varint build, twice each (the warnings
 * for unknown CALCGEN_ISA / CALCGEN_VARINT values must come once). */
#include <stdio.h>

#include <calcgen/calcgen.h>

int main(void) {
  for (int i = 0; i < 2; i++) (void)cg_isa_active(), (void)cg_varint_active();
  printf("%s %s\n", cg_isa_active(), cg_varint_active());
  return 0;
}
