#!/usr/bin/env bash
# Configures a WebAssembly (wasm32-wasi) build of calcgen in BUILDDIR
# (default build-wasm): Meson 1.0.1 machine files cannot name paths relative
# to themselves, so this writes the checkout's absolute path into
# BUILDDIR/calcgen-root.ini, which cross/wasm32-wasi.ini builds on.
#   scripts/setup-wasm.sh build-wasm && ninja -C build-wasm && meson test -C build-wasm
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build-wasm}
shift || true
mkdir -p "$dir"
printf "[constants]\nroot = '%s'\n" "$root" >"$dir/calcgen-root.ini"
exec meson setup "$dir" --cross-file "$dir/calcgen-root.ini" --cross-file "$root/cross/wasm32-wasi.ini" "$@"
