#!/bin/sh
# Builds a threaded test, the runtime and one schema's generated code with
# ThreadSanitizer (clang) and runs it. Exits 77 (skipped) without clang.
#   run_tsan.sh SRC GEN_DIR BASE WORK_DIR TEST.c HANDLERS.c [ARG...]
# GEN_DIR holds BASE.pb-c.c and BASE.calcgen.c (the build tree's copies).
# TSAN_EXTRA (more sources, space-separated) and TSAN_LIBS (-l flags) add to
# the build.
set -eu
src=$1 gen=$2 base=$3 work=$4 test=$5 handlers=$6
shift 6
command -v clang >/dev/null 2>&1 || { echo "skipped: clang not installed"; exit 77; }
mkdir -p "$work/calcgen"
sed -e 's/@VERSION@/tsan/' -e 's/@MAJOR@/0/' -e 's/@MINOR@/0/' -e 's/@PATCH@/0/' \
  "$src/runtime/include/calcgen/version.h.in" > "$work/calcgen/version.h"
rt="$src/runtime/src"
clang -std=gnu17 -O1 -g -fsanitize=thread -ffp-contract=off -DCG_HAVE_POOL=1 -I"$src/runtime/include" -I"$work" -I"$gen" \
  "$test" "$handlers" "$gen/$base.pb-c.c" "$gen/$base.calcgen.c" \
  "$rt/alloc.c" "$rt/arena.c" "$rt/batch.c" "$rt/call.c" "$rt/cpu.c" "$rt/protobuf.c" \
  "$rt/run_kernel.c" "$rt/backend.c" "$rt/backend_defaults.c" "$rt/parallel.c" "$rt/batch_wide.c" "$rt/cuda_loader.c" "$rt/host.c" "$rt/engine.c" "$rt/engine_host.c" "$rt/stream.c" "$rt/version.c" "$rt/status.c" "$rt/wire.c" "$rt/kernels_scalar.c" \
  "$rt/varint_generic.c" ${TSAN_EXTRA:-} -lprotobuf-c ${TSAN_LIBS:-} -lm -lpthread -ldl -o "$work/test_tsan"
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" "$work/test_tsan" "$@"
