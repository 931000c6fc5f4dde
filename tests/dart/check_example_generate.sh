#!/bin/sh
# Runs examples/dart/tool/generate.sh as documented, in a copy of the
# example, with calcgen from the build and a stand-in protoc-gen-dart
# (fake_protoc_gen_dart.py): the bindings it writes must be the checked-in
# ones and the plugin's output must land beside them.
#   check_example_generate.sh SOURCE_ROOT CALCGEN_LAUNCHER PYTHON
set -eu
root=$1 launcher=$2 python=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/examples" "$tmp/bin"
cp -r "$root/examples/dart" "$tmp/examples/dart"
cp -r "$root/schemas" "$tmp/schemas"
rm -f "$tmp/examples/dart/lib/src/calculator.calcgen.dart"
printf '#!/bin/sh\nexec "%s" "%s" "%s"\n' "$python" "$root/tests/dart/fake_protoc_gen_dart.py" \
  "$root/generator" > "$tmp/bin/protoc-gen-dart"
chmod +x "$tmp/bin/protoc-gen-dart"
CALCGEN=$launcher PROTOC_GEN_DART=$tmp/bin/protoc-gen-dart "$tmp/examples/dart/tool/generate.sh"
cmp "$tmp/examples/dart/lib/src/calculator.calcgen.dart" "$root/generated/calculator.calcgen.dart"
# the classes and fields the example's Dart code uses
pb=$tmp/examples/dart/lib/src/calculator.pb.dart
for want in 'class FactorialRequest { get n; }' 'class FormatRequest { get value; get radix; }' \
            'class Value { get value; }'; do
  grep -qF "$want" "$pb" || { echo "calculator.pb.dart lacks: $want"; cat "$pb"; exit 1; }
done
grep -q '^class CalculatorResponse {.* get text;' "$pb" || { echo "no CalculatorResponse.text"; exit 1; }
echo "tool/generate.sh: bindings match generated/, calculator.pb.dart written"
