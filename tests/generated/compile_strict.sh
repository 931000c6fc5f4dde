#!/bin/sh
# Compiles calcgen's output with -std=c17 -Wall -Wextra -Wpedantic -Werror
# under both gcc and clang, and every generated header as C++17 with g++: the checked-in generated/ and fresh output for
# the unseen schemas in tests/schemas and the unusual ones in
# tests/schemas/unusual (macro and keyword names, proto2, 300 ops, imports),
# and the streaming corpus (tests/engine/telemetry.proto, every kind of stream).
#   compile_strict.sh CALCGEN_LAUNCHER SOURCE_ROOT WORK_DIR BUILD_INCLUDE_DIR
set -eu
calcgen=$1 src=$2 work=$3 build_inc=$4
rm -rf "$work" && mkdir -p "$work/schemas" "$work/unusual" "$work/streams"
"$calcgen" generate -I "$src/tests/schemas" --c-out "$work/schemas" \
  "$src/tests/schemas/kitchen.proto" "$src/tests/schemas/plain.proto" "$src/tests/schemas/shapes/common.proto"
u="$src/tests/schemas/unusual"
"$calcgen" generate -I "$u" --c-out "$work/unusual" --dart-out "$work/unusual" --python-out "$work/unusual" \
  "$u/uses_lib.proto" "$u/macro_names.proto" "$u/proto2.proto" "$u/many_ops.proto" "$u/lib/a/types.proto" \
  "$u/collisions.proto" "$u/optional_bytes.proto"
"$calcgen" generate -I "$src/tests/engine" --c-out "$work/streams" --dart-out "$work/streams" \
  --python-out "$work/streams" "$src/tests/engine/telemetry.proto"
for py in "$work"/unusual/*.py "$work"/streams/*.py; do python3 -m py_compile "$py"; done
status=0 compiled=0
for cc in gcc clang; do
  if ! command -v $cc >/dev/null 2>&1; then echo "missing compiler: $cc"; exit 1; fi
  for std in c17 gnu17; do  # gnu17: `linux` and `unix` are macros there
    for dir in "$src/generated" "$work/schemas" "$work/unusual" "$work/streams"; do
      for f in $(find "$dir" -name '*.c' | sort); do
        if $cc -std=$std -Wall -Wextra -Wpedantic -Werror -I"$dir" -I"$src/runtime/include" -I"$build_inc" \
             -c "$f" -o "$work/out.o"; then
          compiled=$((compiled + 1))
        else
          echo "FAILED: $cc -std=$std $f"; status=1
        fi
      done
    done
  done
done
# Generated headers also compile as C++ (a C++ host includes them).
headers=0
if ! command -v g++ >/dev/null 2>&1; then echo "missing compiler: g++"; exit 1; fi
for dir in "$src/generated" "$work/schemas" "$work/unusual" "$work/streams"; do
  for h in $(find "$dir" -name '*.calcgen.h' | sort); do
    printf '#include "%s"\n' "$h" > "$work/header.cpp"
    if g++ -std=gnu++17 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I"$dir" -I"$src/runtime/include" \
         -I"$build_inc" "$work/header.cpp"; then
      headers=$((headers + 1))
    else
      echo "FAILED: g++ $h"; status=1
    fi
  done
done
echo "$compiled files compiled cleanly; $headers headers compiled as C++"
exit $status
