#!/usr/bin/env bash
# Installs what the peer suite of bench_peers builds from, on Debian 12: cargo
# and Debian's Rust crates (librust-prost-dev, used offline from
# /usr/share/cargo/registry) and nanopb. Not needed for anything else; then
# configure with -Dpeers=enabled (see docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(cargo rustc librust-prost-dev nanopb libnanopb-dev)
. scripts/install-packages.sh
install_packages "${packages[@]}"
