"""protoc-gen-calcgen: the protoc plugin entry point.

    protoc --plugin=protoc-gen-calcgen --calcgen_out=DIR --c_out=DIR FILE.proto

Reads a CodeGeneratorRequest on stdin, writes a CodeGeneratorResponse on
stdout. Schema errors go into the response's error field; protoc prints them
and exits non-zero."""

import sys

from google.protobuf.compiler import plugin_pb2

from .build import SchemaErrors, build
from .render import render_all

LANGUAGES = ("c", "dart", "python")
DEFAULT_LANGUAGES = ("c",)


def parse_parameter(parameter: str):
    """`--calcgen_opt=lang=c:dart:python` selects outputs (default: c)."""
    langs = list(DEFAULT_LANGUAGES)
    for item in filter(None, (p.strip() for p in parameter.split(","))):
        key, _, value = item.partition("=")
        if key != "lang":
            raise ValueError(f"unknown calcgen option '{key}' (known: lang)")
        langs = [v for v in value.split(":") if v]
        for v in langs:
            if v not in LANGUAGES:
                raise ValueError(f"unknown language '{v}' (known: {', '.join(LANGUAGES)})")
    return langs


def generate(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    response = plugin_pb2.CodeGeneratorResponse()
    response.supported_features = plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    try:
        langs = parse_parameter(request.parameter)
        files = build(request.proto_file, request.file_to_generate)
    except (SchemaErrors, ValueError) as e:
        response.error = str(e)
        return response
    for name, text in render_all(files, langs).items():
        f = response.file.add()
        f.name = name
        f.content = text
    return response


def main() -> int:
    request = plugin_pb2.CodeGeneratorRequest()
    request.ParseFromString(sys.stdin.buffer.read())
    sys.stdout.buffer.write(generate(request).SerializeToString())
    return 0
