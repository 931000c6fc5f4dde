#!/usr/bin/env bash
# The CUDA backend on a machine with an NVIDIA GPU (the lent device machine;
# docs/backends.md): builds the runtime alone with -Dcuda=enabled, runs the
# kernel matrix on the GPU and on all cores against the scalar reference,
# then the backends benchmark and the thresholds' calibration. Needs a C
# compiler, nvcc, meson and ninja; about 6 minutes on 16 cores and an H200.
# Everything it prints is also in $OUT/gpu-check.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/calcgen-gpu}
mkdir -p "$out"
# Exits non-zero when the build or either kernel matrix fails.
{
  rc=0
  echo "== machine"; nproc; grep -m1 "model name" /proc/cpuinfo
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  nvcc --version | tail -1; meson --version
  rm -rf build-gpu
  meson setup build-gpu -Dkernels_only=true -Dcuda=enabled -Dgpu_archs=90 -Dbuildtype=release >/dev/null \
    && ninja -C build-gpu >/dev/null || { echo "build failed"; exit 1; }
  export CALCGEN_CUDA_PLUGIN=$PWD/build-gpu/runtime/cuda/libcalcgen_cuda.so
  echo "== kernel matrix on the GPU"; timeout 240 build-gpu/tests/runtime/test_kernels --backend cuda || rc=1
  echo "== kernel matrix on all cores"; timeout 120 build-gpu/tests/runtime/test_kernels --backend threads || rc=1
  echo "== backends"; timeout 300 build-gpu/bench/bench_backends --trials 3 --svg "$out/bench-backends-gpu.svg"
  echo "== calibration"; timeout 200 build-gpu/bench/bench_backends --trials 5 --calibrate --max-n 16777216
  echo "== gpu-check: exit $rc"
  exit $rc
} 2>&1 | tee "$out/gpu-check.txt"
exit "${PIPESTATUS[0]}"
