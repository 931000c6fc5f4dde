#!/bin/sh
# Regenerates lib/src/: calcgen's bindings (calculator.calcgen.dart) and
# protoc_plugin's message classes (calculator.pb.dart, .pbenum.dart and
# .pbjson.dart). protoc-gen-dart must be protoc_plugin 21.1.2, the version whose
# output matches this package's protobuf ^3.1.0:
#   dart pub global activate protoc_plugin 21.1.2
# CALCGEN and PROTOC_GEN_DART override where calcgen and the plugin are.
set -eu
cd "$(dirname "$0")/.."
calcgen=${CALCGEN:-calcgen}
plugin=${PROTOC_GEN_DART:-$HOME/.pub-cache/bin/protoc-gen-dart}
schemas=../../schemas
options=$($calcgen --proto-path)
$calcgen generate -I "$schemas" --dart-out lib/src "$schemas/calculator.proto"
protoc --plugin=protoc-gen-dart="$plugin" --dart_out=lib/src -I "$schemas" -I "$options" \
  "$schemas/calculator.proto"
