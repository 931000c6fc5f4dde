#!/usr/bin/env bash
# Installs what calcgen needs on Debian 12 (idempotent; apt only when something
# is missing). Run as root, or with sudo available.
set -euo pipefail
packages=(
  gcc clang pkg-config meson ninja-build python3 python3-protobuf python3-jinja2
  protobuf-compiler protobuf-c-compiler libprotobuf-c-dev libcmocka-dev
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user   # NEON kernels under qemu
  libclang-rt-14-dev                                        # libFuzzer and TSan (clang)
  valgrind                                                  # memcheck of the C host
)
# Node.js runs the tree-sitter Dart parse check; take Debian's unless one is on PATH.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
