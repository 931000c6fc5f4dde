"""Stands in for protoc_plugin's protoc-gen-dart (no Dart SDK here) when
tests run examples/dart/tool/generate.sh: it answers protoc's request with
one <name>.pb.dart per file to generate, naming the message classes and
field getters protoc_plugin would declare (calcgen's port of its rules),
so the test sees
the script's protoc call reach a plugin and its output land in lib/src."""

import sys

from google.protobuf.compiler import plugin_pb2

sys.path.insert(0, sys.argv[1])
from calcgen.dart_names import message_class_names, message_field_names  # noqa: E402

request = plugin_pb2.CodeGeneratorRequest.FromString(sys.stdin.buffer.read())
response = plugin_pb2.CodeGeneratorResponse()
by_name = {f.name: f for f in request.proto_file}
for name in request.file_to_generate:
    fdp = by_name[name]
    prefix = fdp.package + "." if fdp.package else ""
    classes = message_class_names(fdp, prefix)
    lines = []
    for m in fdp.message_type:
        getters = " ".join(f"get {g};" for g in message_field_names(m).values())
        lines.append(f"class {classes[prefix + m.name]} {{ {getters} }}\n")
    out = response.file.add()
    out.name = name[:-len(".proto")] + ".pb.dart"
    out.content = "".join(lines)
sys.stdout.buffer.write(response.SerializeToString())
