#!/bin/sh
# Builds a fuzz target with clang's libFuzzer (+ASan+UBSan) and runs it for
# SECONDS on a copy of its committed corpus and regressions. Exits 77
# (skipped) without clang's fuzzer runtime. Any crash or mismatch fails.
#   run_libfuzzer.sh codec|dispatch|arena SRC BUILD_ROOT WORK_DIR SECONDS [libFuzzer flags...]
set -eu
target=$1 src=$2 build=$3 work=$4 secs=$5
shift 5
command -v clang >/dev/null 2>&1 || { echo "skipped: clang not installed"; exit 77; }
mkdir -p "$work/corpus" "$work/calcgen"
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' > "$work/probe.c"
if ! clang -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" 2>/dev/null; then
  echo "skipped: clang's libFuzzer runtime missing (Debian: libclang-rt-14-dev)"; exit 77
fi
sed -e 's/@VERSION@/fuzz/' -e 's/@MAJOR@/0/' -e 's/@MINOR@/0/' -e 's/@PATCH@/0/' \
  "$src/runtime/include/calcgen/version.h.in" > "$work/calcgen/version.h"
rt="$src/runtime/src" calc="$build/examples/calculator" fgen="$build/tests/fuzz" unseen="$build/tests/schemas"
runtime="$rt/alloc.c $rt/arena.c $rt/batch.c $rt/call.c $rt/cpu.c $rt/protobuf.c $rt/run_kernel.c $rt/backend.c $rt/backend_defaults.c $rt/parallel.c $rt/batch_wide.c $rt/cuda_loader.c $rt/host.c $rt/engine.c $rt/engine_host.c $rt/stream.c $rt/version.c $rt/status.c
  $rt/wire.c $rt/kernels_scalar.c $rt/varint_generic.c"
case "$target" in
  codec) # includes the generated .c files itself
    sources="$src/tests/fuzz/fuzz_codec.c $src/examples/calculator/handlers.c $calc/calculator.pb-c.c $fgen/fuzz.pb-c.c" ;;
  dispatch)
    sources="$src/tests/fuzz/fuzz_dispatch.c $src/examples/calculator/handlers.c $calc/calculator.pb-c.c
      $calc/calculator.calcgen.c $unseen/kitchen.pb-c.c $unseen/kitchen.calcgen.c $unseen/plain.pb-c.c
      $unseen/plain.calcgen.c $unseen/shapes/common.pb-c.c $src/tests/schemas/plain_handlers.c" ;;
  arena) sources="$src/tests/fuzz/fuzz_arena.c" ;;
  *) echo "unknown target $target"; exit 2 ;;
esac
# The x86-64 varint builds (AVX2, BMI2, AVX-512) go in as well, each compiled
# with only its own flags as in the library, so the run covers the codec this
# CPU picks (CALCGEN_VARINT caps it, as in the library); where clang lacks the
# flags the portable build alone is used.
defs="" objs=""
cflags="-std=gnu17 -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -I$src/runtime/include -I$work"
if [ "$(uname -m)" = x86_64 ]; then
  avx2="-mbmi -mlzcnt -mpopcnt -mavx2" bmi2="-mbmi -mbmi2 -mlzcnt -mpopcnt -mavx2"
  # shellcheck disable=SC2086
  if clang $cflags $avx2 -c "$rt/varint_avx2.c" -o "$work/varint_avx2.o" 2>/dev/null &&
     clang $cflags $bmi2 -c "$rt/varint_bmi2.c" -o "$work/varint_bmi2.o" 2>/dev/null; then
    defs="-DCG_HAVE_BMI2=1" objs="$work/varint_avx2.o $work/varint_bmi2.o"
    avx512="$bmi2 -mavx512f -mavx512bw -mavx512cd -mavx512vbmi -mavx512vbmi2"
    # shellcheck disable=SC2086
    if clang $cflags $avx512 -c "$rt/varint_avx512.c" -o "$work/varint_avx512.o" 2>/dev/null; then
      defs="$defs -DCG_HAVE_VARINT_AVX512=1" objs="$objs $work/varint_avx512.o"
    fi
  fi
fi
# shellcheck disable=SC2086
clang -std=gnu17 -O1 -g $defs -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -ffp-contract=off -DCG_HAVE_POOL=1 \
  -I"$src/runtime/include" -I"$src/runtime/src" -I"$work" -I"$calc" -I"$fgen" -I"$unseen" -I"$src/tests/fuzz" \
  $sources $runtime $objs -lprotobuf-c -lm -lpthread -ldl -o "$work/fuzz_$target"
cp "$src/tests/fuzz/corpus/$target/"* "$src/tests/fuzz/regressions/$target/"* "$work/corpus/" 2>/dev/null || true
"$work/fuzz_$target" -max_total_time="$secs" -print_final_stats=1 -max_len=4096 -artifact_prefix="$work/" \
  "$@" "$work/corpus" > "$work/log.txt" 2>&1 || true
grep -E "stat::number_of_executed_units|stat::new_units_added|MISMATCH|ERROR" "$work/log.txt" || true
if grep -q "MISMATCH\|ERROR: \|runtime error\|deadly signal\|Aborted" "$work/log.txt"; then
  grep -A12 "MISMATCH\|ERROR: \|runtime error\|deadly signal" "$work/log.txt" | head -40
  exit 1
fi
grep -q "Done [0-9]* runs" "$work/log.txt"
