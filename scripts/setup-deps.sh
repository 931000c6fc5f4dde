#!/usr/bin/env bash
# Installs everything calcgen's build, tests, examples and tools use on Debian 12
# (idempotent: apt only when a package is missing, npm only when the lockfile
# changed). Run as root, or with sudo available. Nothing is assumed from the
# machine beyond Debian's minbase.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(
  gcc g++ clang pkg-config meson ninja-build python3 python3-protobuf python3-jinja2
  python3-dev                                               # _calcgen_fast: the stub's single ops from C
  # libprotobuf-dev is only *recommended* by protobuf-compiler: without it there is no
  # google/protobuf/descriptor.proto nor any well-known type, and protoc then stops
  # searching /usr/include (so protobuf-c/protobuf-c.proto is not found either).
  protobuf-compiler libprotobuf-dev protobuf-c-compiler libprotobuf-c-dev libcmocka-dev
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user   # NEON kernels under qemu
  libclang-rt-14-dev                                        # libFuzzer and TSan (clang)
  valgrind                                                  # memcheck of the C host
  util-linux                                                # unshare: the documented-commands test
  # WebAssembly: clang's wasm32 target links with lld, against wasi-libc and
  # compiler-rt's wasm32 builtins; llvm-ar-14 archives (cross/wasm32-wasi.ini)
  lld-14 llvm-14 wasi-libc libclang-rt-14-dev-wasm32
  chromium                                                  # the web example page, headless
  node-typescript                                           # tsc: the JS bindings' .d.mts
)
# Node.js runs the tree-sitter Dart parse check; take Debian's unless one is on PATH.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
. scripts/install-packages.sh
install_packages "${packages[@]}"

# The tests' npm packages (the tree-sitter Dart grammar), pinned by the lockfile,
# into tests/dart/node_modules.
lock=tests/dart/package-lock.json stamp=tests/dart/node_modules/.calcgen-lockfile
if ! cmp -s "$lock" "$stamp" 2>/dev/null; then
  echo "installing the tests' npm packages (npm ci in tests/dart)"
  (cd tests/dart && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  cp "$lock" "$stamp"
fi
