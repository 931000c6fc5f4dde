#!/bin/sh
# Builds the differential target with clang's libFuzzer (+ASan+UBSan) and runs
# it for SECONDS on a copy of the committed seed corpus. Exits 77 (skipped)
# without clang's fuzzer runtime. Any mismatch or crash fails.
#   run_libfuzzer.sh SRC CALC_GEN_DIR FUZZ_GEN_DIR WORK_DIR SECONDS [libFuzzer flags...]
set -eu
src=$1 calc=$2 fgen=$3 work=$4 secs=$5
shift 5
command -v clang >/dev/null 2>&1 || { echo "skipped: clang not installed"; exit 77; }
mkdir -p "$work/corpus" "$work/calcgen"
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' > "$work/probe.c"
if ! clang -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" 2>/dev/null; then
  echo "skipped: clang's libFuzzer runtime missing (Debian: libclang-rt-14-dev)"; exit 77
fi
sed -e 's/@VERSION@/fuzz/' -e 's/@MAJOR@/0/' -e 's/@MINOR@/0/' -e 's/@PATCH@/0/' \
  "$src/runtime/include/calcgen/version.h.in" > "$work/calcgen/version.h"
rt="$src/runtime/src"
clang -std=gnu17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -ffp-contract=off -I"$src/runtime/include" -I"$work" -I"$calc" -I"$fgen" -I"$src/tests/fuzz" \
  "$src/tests/fuzz/fuzz_codec.c" "$src/examples/calculator/handlers.c" \
  "$calc/calculator.pb-c.c" "$fgen/fuzz.pb-c.c" \
  "$rt/alloc.c" "$rt/arena.c" "$rt/batch.c" "$rt/call.c" "$rt/cpu.c" "$rt/protobuf.c" \
  "$rt/run_kernel.c" "$rt/status.c" "$rt/wire.c" "$rt/kernels_scalar.c" "$rt/varint_generic.c" \
  -lprotobuf-c -lm -lpthread -o "$work/fuzz_codec"
cp "$src/tests/fuzz/corpus/"* "$src/tests/fuzz/regressions/"* "$work/corpus/" 2>/dev/null || true
"$work/fuzz_codec" -max_total_time="$secs" -print_final_stats=1 -max_len=4096 \
  -artifact_prefix="$work/" "$@" \
  "$work/corpus" 2>&1 | tee "$work/log.txt" | grep -E "stat::number_of_executed_units|stat::new_units_added|ERROR|MISMATCH|Done" || true
grep -q "MISMATCH\|ERROR: AddressSanitizer\|runtime error\|deadly signal" "$work/log.txt" && exit 1
grep -q "Done [0-9]* runs" "$work/log.txt"
