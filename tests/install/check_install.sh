#!/bin/sh
# `meson install` into a scratch DESTDIR provides everything CONTRACT.md lists.
#   check_install.sh BUILD_DIR SCRATCH_DIR [PYTHON PREFIX]
set -eu
build=$1 dest=$2 python=${3:-} prefix=${4:-}
rm -rf "$dest"
DESTDIR="$dest" meson install -C "$build" --no-rebuild --quiet
missing=0
for want in include/calcgen/calcgen.h include/calcgen/version.h include/calcgen/generated_support.h \
            include/calcgen/support/wire.h bin/calcgen bin/protoc-gen-calcgen \
            share/calcgen/proto/calcgen/options.proto share/calcgen/templates/c/source.c.j2 \
            share/calcgen/generator/calcgen/cli.py share/calcgen/python/calcgen_runtime.py \
            share/calcgen/dart/calcgen/pubspec.yaml share/calcgen/dart/calcgen/lib/generated_support.dart; do
  [ -n "$(find "$dest" -path "*/$want" -print -quit)" ] || { echo "missing: $want"; missing=1; }
done
for lib in libcalcgen.a libcalcgen.so pkgconfig/calcgen.pc; do
  [ -n "$(find "$dest" -path "*/lib*/$lib" -print -quit)" ] || { echo "missing: lib/$lib"; missing=1; }
done
for exe in bin/calcgen bin/protoc-gen-calcgen; do
  f=$(find "$dest" -path "*/$exe" -print -quit)
  [ -x "$f" ] || { echo "not executable: $exe"; missing=1; }
done
# _calcgen_fast, where the build made it, goes where the build's Python
# reads modules for the prefix, and imports from there.
if [ -n "$python" ] && [ -n "$(find "$build/runtime/python" -maxdepth 1 -name '_calcgen_fast*.so' 2>/dev/null)" ]; then
  fast=$(find "$dest" -name '_calcgen_fast*.so' -print -quit)
  site=$(dirname "${fast:-/none/x}")
  site=${site#"$dest"}
  want=$("$python" "$(dirname "$0")/../../runtime/python/site_dir.py" "$prefix")
  if [ "$site" != "$want" ]; then
    echo "_calcgen_fast installed in ${site:-nowhere}, not in $want"; missing=1
  elif ! PYTHONPATH="$dest$want" "$python" -c 'import _calcgen_fast; assert _calcgen_fast.ABI == 1'; then
    echo "_calcgen_fast does not import from $want"; missing=1
  fi
fi
[ $missing -eq 0 ] && echo "install tree complete"
exit $missing
