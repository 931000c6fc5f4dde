#!/bin/sh
# Builds the stress test, the runtime and the generated calculator with
# ThreadSanitizer (clang) and runs it. Exits 77 (skipped) without clang.
#   run_tsan.sh SRC CALC_GEN_DIR WORK_DIR [CALLS_PER_THREAD]
set -eu
src=$1 calc=$2 work=$3 calls=${4:-1000000}
command -v clang >/dev/null 2>&1 || { echo "skipped: clang not installed"; exit 77; }
mkdir -p "$work/calcgen"
sed -e 's/@VERSION@/tsan/' -e 's/@MAJOR@/0/' -e 's/@MINOR@/0/' -e 's/@PATCH@/0/' \
  "$src/runtime/include/calcgen/version.h.in" > "$work/calcgen/version.h"
rt="$src/runtime/src"
clang -std=gnu17 -O1 -g -fsanitize=thread -ffp-contract=off -I"$src/runtime/include" -I"$work" -I"$calc" \
  "$src/tests/generated/test_stress.c" "$src/examples/calculator/handlers.c" \
  "$calc/calculator.pb-c.c" "$calc/calculator.calcgen.c" \
  "$rt/alloc.c" "$rt/arena.c" "$rt/batch.c" "$rt/call.c" "$rt/cpu.c" "$rt/protobuf.c" \
  "$rt/run_kernel.c" "$rt/host.c" "$rt/version.c" "$rt/status.c" "$rt/wire.c" "$rt/kernels_scalar.c" "$rt/varint_generic.c" \
  -lprotobuf-c -lm -lpthread -o "$work/test_stress_tsan"
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" "$work/test_stress_tsan" "$calls"
