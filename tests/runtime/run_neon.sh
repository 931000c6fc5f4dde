#!/bin/sh
# Builds the runtime core and the kernel test for aarch64 with Debian's cross
# compiler and runs it under qemu-user: the NEON kernels against the scalar
# reference. Exits 77 (skipped) when the cross tools are not installed.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$(mktemp -d)}
cc=${CROSS_CC:-aarch64-linux-gnu-gcc}
command -v "$cc" >/dev/null 2>&1 || { echo "skipped: $cc not installed"; exit 77; }
command -v qemu-aarch64 >/dev/null 2>&1 || { echo "skipped: qemu-aarch64 not installed"; exit 77; }
mkdir -p "$out/calcgen"
sed -e 's/@VERSION@/cross/' -e 's/@MAJOR@/0/' -e 's/@MINOR@/0/' -e 's/@PATCH@/0/' \
  "$src/runtime/include/calcgen/version.h.in" > "$out/calcgen/version.h"
flags="-std=gnu17 -O2 -Wall -Wextra -Werror -ffp-contract=off -I$src/runtime/include -I$out"
"$cc" $flags -fno-tree-vectorize -c "$src/runtime/src/kernels_scalar.c" -o "$out/kscalar.o"
"$cc" $flags -c "$src/runtime/src/kernels_neon.c" -o "$out/kneon.o"
"$cc" $flags -DCG_HAVE_NEON=1 -DCG_HAVE_POOL=1 -static -o "$out/test_kernels" \
  "$src/tests/runtime/test_kernels.c" "$out/kscalar.o" "$out/kneon.o" \
  "$src/runtime/src/cpu.c" "$src/runtime/src/status.c" "$src/runtime/src/call.c" "$src/runtime/src/alloc.c" \
  "$src/runtime/src/arena.c" "$src/runtime/src/varint_generic.c" \
  "$src/runtime/src/backend.c" "$src/runtime/src/backend_defaults.c" "$src/runtime/src/parallel.c" \
  "$src/runtime/src/cuda_none.c" -lpthread -lm
CALCGEN_ISA=neon qemu-aarch64 "$out/test_kernels" scalar neon
CALCGEN_ISA=neon qemu-aarch64 "$out/test_kernels" --backend threads
