#!/bin/sh
# Installs the pinned tree-sitter packages (npm ci, into TOOLS_DIR, once) and
# parses every given Dart file; any ERROR or MISSING node fails.
#   check_dart.sh TOOLS_DIR FILE.dart...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tools=$1
shift
command -v node >/dev/null 2>&1 || { echo "node is required (Debian: nodejs npm)"; exit 1; }
mkdir -p "$tools"
if [ ! -f "$tools/node_modules/tree-sitter-wasms/out/tree-sitter-dart.wasm" ] ||
   ! cmp -s "$here/package-lock.json" "$tools/package-lock.json"; then
  cp "$here/package.json" "$here/package-lock.json" "$tools/"
  (cd "$tools" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi
cp "$here/parse_dart.mjs" "$tools/"
node "$tools/parse_dart.mjs" "$@"
