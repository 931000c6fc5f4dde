"""Stands in for protoc_plugin's protoc-gen-dart (no Dart SDK here) when
tests run examples/dart/tool/generate.sh: it answers protoc's request with
one <name>.pb.dart per file to generate, naming the message classes
protoc_plugin would declare (calcgen's port of its rules), so the test sees
the script's protoc call reach a plugin and its output land in lib/src."""

import sys

from google.protobuf.compiler import plugin_pb2

sys.path.insert(0, sys.argv[1])
from calcgen.dart_names import message_class_names  # noqa: E402

request = plugin_pb2.CodeGeneratorRequest.FromString(sys.stdin.buffer.read())
response = plugin_pb2.CodeGeneratorResponse()
by_name = {f.name: f for f in request.proto_file}
for name in request.file_to_generate:
    fdp = by_name[name]
    classes = message_class_names(fdp, fdp.package + "." if fdp.package else "")
    out = response.file.add()
    out.name = name[:-len(".proto")] + ".pb.dart"
    out.content = "".join(f"class {c} {{}}\n" for c in sorted(classes.values()))
sys.stdout.buffer.write(response.SerializeToString())
