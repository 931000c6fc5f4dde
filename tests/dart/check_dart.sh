#!/bin/sh
# Parses every given Dart file with the tree-sitter Dart grammar; any ERROR or
# MISSING node fails. The grammar's npm packages are installed, pinned by
# package-lock.json, by scripts/setup-deps.sh into tests/dart/node_modules.
#   check_dart.sh FILE.dart...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null 2>&1 || { echo "node is required: run scripts/setup-deps.sh"; exit 1; }
if ! cmp -s "$here/package-lock.json" "$here/node_modules/.calcgen-lockfile"; then
  echo "tests/dart/node_modules is missing or older than package-lock.json: run scripts/setup-deps.sh"
  exit 1
fi
node "$here/parse_dart.mjs" "$@"
