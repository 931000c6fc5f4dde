#!/usr/bin/env bash
# The main job: generate from schemas/calculator.proto, build, run the C host
# example (dlopen, like any FFI host) and a short benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build
echo "== generated from schemas/calculator.proto into build/examples/calculator/:"
ls build/examples/calculator/*.calcgen.* build/examples/calculator/*.pb-c.*
echo "== C host (dlopen of build/examples/calculator/libcalculator.so):"
build/examples/c-host/calc-host build/examples/calculator/libcalculator.so
echo "== short benchmark:"
build/bench/bench_paths --quick --json build/bench-paths.json --svg build/bench-paths.svg
build/bench/bench_kernels --quick
build/bench/bench_varint --quick
