#!/usr/bin/env bash
# Rewrites the checked-in generated code after a generator or schema change:
# generated/ (C, Dart, Python, JavaScript) and the Dart example's copy of the bindings.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || meson setup build
ninja -C build generator/calcgen
build/generator/calcgen generate -I schemas --c-out generated --dart-out generated --python-out generated --js-out generated \
  schemas/calculator.proto
cp generated/calculator.calcgen.dart examples/dart/lib/src/
