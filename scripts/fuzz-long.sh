#!/usr/bin/env bash
# Runs the differential libFuzzer target for HOURS (default 1) on all cores
# but one, from the committed corpus. New crashes land in build/fuzz-long/.
set -euo pipefail
cd "$(dirname "$0")/.."
hours=${1:-1}
[ -f build/build.ninja ] || meson setup build
ninja -C build
jobs=$(( $(nproc) > 1 ? $(nproc) - 1 : 1 ))
tests/fuzz/run_libfuzzer.sh "$PWD" build/examples/calculator build/tests/fuzz build/fuzz-long \
  $((hours * 3600)) -jobs="$jobs" -workers="$jobs"
