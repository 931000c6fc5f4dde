#!/usr/bin/env bash
# Runs each libFuzzer target (codec, dispatch, arena) for HOURS (default 1)
# on all cores but one, from the committed corpora. Crashes land in
# build/fuzz-long-TARGET/; copy them to tests/fuzz/regressions/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
hours=${1:-1}
[ -f build/build.ninja ] || meson setup build
ninja -C build
jobs=$(( $(nproc) > 1 ? $(nproc) - 1 : 1 ))
for target in codec dispatch arena; do
  tests/fuzz/run_libfuzzer.sh "$target" "$PWD" build "build/fuzz-long-$target" $((hours * 3600)) \
    -jobs="$jobs" -workers="$jobs"
done
