#!/bin/sh
# Configures, builds and tests examples/meson-consumer, a separate Meson
# project that takes calcgen as a subproject.  run_consumer.sh SRC BUILD_DIR
set -eu
src=$1 build=$2
rm -rf "$build"
meson setup "$build" "$src/examples/meson-consumer" --wrap-mode=nodownload
ninja -C "$build"
"$build/shapes"
meson test -C "$build" --print-errorlogs
