#!/usr/bin/env bash
# Installs what the peer suite of bench_peers builds from, on Debian 12: cargo
# and Debian's Rust crates (librust-prost-dev, used offline from
# /usr/share/cargo/registry) and nanopb. Not needed for anything else; then
# configure with -Dpeers=enabled (see docs/benchmarks.md).
set -euo pipefail
packages=(cargo rustc librust-prost-dev nanopb libnanopb-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
