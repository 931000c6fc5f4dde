#!/usr/bin/env bash
# The AVX-512 check on a machine that has it (the lent device machine): the
# kernel tests of every set under each forced ISA, and the kernel benchmark.
# Needs only a C compiler, meson and ninja (-Dkernels_only=true).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/calcgen-device}
mkdir -p "$out"
{
  echo "== machine"; uname -m; grep -m1 "model name" /proc/cpuinfo
  grep -o 'avx512[a-z]*' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
  gcc --version | head -1; meson --version
  rm -rf build-device
  meson setup build-device -Dkernels_only=true -Dbuildtype=release >/dev/null && ninja -C build-device >/dev/null
  echo "== kernel tests (all sets)"; build-device/tests/runtime/test_kernels
  for isa in scalar sse42 avx2 avx512; do
    echo "== meson test --setup=$isa"; meson test -C build-device --setup=$isa 2>&1 | grep -E "^ *[0-9]+/|Ok:|Fail:"
  done
  echo "== kernel benchmark"; build-device/bench/bench_kernels
} 2>&1 | tee "$out/device-avx512.txt"
