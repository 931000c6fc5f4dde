#!/usr/bin/env bash
# The whole test suite: a release build and an ASan+UBSan build, each running
# every test, and a WebAssembly build running its suites under Node; ends
# with one "N passed, N failed" line for all of them together.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
passed=0 failed=0
run_suite() { # name, meson setup options... (or: name, --wasm for the WebAssembly build)
  local dir=$1; shift
  if [ "${1:-}" = --wasm ]; then
    [ -f "$dir/build.ninja" ] || scripts/setup-wasm.sh "$dir"
  else
    [ -f "$dir/build.ninja" ] || meson setup "$dir" "$@"
  fi
  ninja -C "$dir"
  local log=$dir/test-summary.txt rc=0
  meson test -C "$dir" --print-errorlogs --num-processes 2 | tee "$log" || rc=$?
  local ok fail
  ok=$(awk '/^Ok:/ {print $2}' "$log"); fail=$(awk '/^Fail:/ {print $2}' "$log")
  timeouts=$(awk '/^Timeout:/ {print $2}' "$log")
  passed=$((passed + ${ok:-0})); failed=$((failed + ${fail:-0} + ${timeouts:-0}))
  [ "$rc" -eq 0 ] || [ "${fail:-0}" -gt 0 ] || failed=$((failed + 1))
}
run_suite build-test
run_suite build-asan -Db_sanitize=address,undefined -Dc_args=-fno-sanitize-recover=all \
  -Dbuildtype=debugoptimized
run_suite build-wasm --wasm
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
