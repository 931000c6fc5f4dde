#!/bin/sh
# Builds the prost peer offline and copies its static library to OUT:
#   build.sh CARGO OUT CRATE_DIR WORK_DIR CONFIG
# The crate is copied into WORK_DIR (cargo writes its Cargo.lock beside the
# manifest, resolved against the crates this machine's Debian packages
# installed) and built there with CONFIG (cargo-config.toml) as
# CARGO_HOME/config.toml.
set -eu
cargo=$1 out=$2 crate=$3 work=$4 config=$5
mkdir -p "$work/crate/src" "$work/home"
cp "$crate/Cargo.toml" "$work/crate/"
cp "$crate/src/lib.rs" "$work/crate/src/"
cp "$config" "$work/home/config.toml"
CARGO_HOME=$work/home "$cargo" build --release --offline --quiet \
  --manifest-path "$work/crate/Cargo.toml" --target-dir "$work/target"
cp "$work/target/release/libcalcgen_peer_prost.a" "$out"
