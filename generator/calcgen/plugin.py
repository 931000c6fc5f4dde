"""protoc-gen-calcgen: the protoc plugin entry point.

    protoc --calcgen_out=DIR --c_out=DIR -I "$(calcgen --proto-path)" FILE.proto
    protoc --calcgen_out=DIR --calcgen_opt=lang=c:dart:python:js,pbc=all ...

Reads a CodeGeneratorRequest on stdin, writes a CodeGeneratorResponse on
stdout. Schema errors go into the response's error field; protoc prints them
and exits non-zero.

Parameters (comma-separated, in --calcgen_opt: protoc splits --calcgen_out at
its first colon):
  lang=c:dart:python:js  outputs (default c); `+` also separates
  pbc=imports|all|none which protoc-c files to write with the C output:
                       `imports` (default) the files the inputs import, for use
                       beside --c_out; `all` the inputs' too, instead of --c_out
                       (protoc refuses to give protoc-gen-c proto3 `optional`
                       fields; calcgen rewrites them, see protoc_c.py); `none`.
  dart_asset=package:P/F.dart  the Dart bindings' @DefaultAsset (native assets)
"""

import sys

from google.protobuf.compiler import plugin_pb2

from . import protoc_c
from .build import SchemaErrors, build
from .dart_names import dart_asset_id_problem
from .render import render_all

LANGUAGES = ("c", "dart", "python", "js")
DEFAULT_LANGUAGES = ("c",)
PBC_CHOICES = ("imports", "all", "none")


def parse_parameter(parameter: str):
    """(languages, pbc, Dart asset id) from `--calcgen_opt`."""
    langs, pbc, asset = list(DEFAULT_LANGUAGES), "imports", ""
    for item in filter(None, (p.strip() for p in parameter.split(","))):
        key, _, value = item.partition("=")
        if key == "lang":
            langs = [v for v in value.replace("+", ":").split(":") if v]
            for v in langs:
                if v not in LANGUAGES:
                    raise ValueError(f"unknown language '{v}' (known: {', '.join(LANGUAGES)})")
        elif key == "pbc":
            if value not in PBC_CHOICES:
                raise ValueError(f"unknown pbc value '{value}' (known: {', '.join(PBC_CHOICES)})")
            pbc = value
        elif key == "dart_asset":
            asset = value
            if dart_asset_id_problem(asset):
                raise ValueError(dart_asset_id_problem(asset).replace("--dart-asset-id", "dart_asset="))
        else:
            raise ValueError(f"unknown calcgen option '{key}' (known: lang, pbc, dart_asset)")
    return langs, pbc, asset


def generate(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    response = plugin_pb2.CodeGeneratorResponse()
    response.supported_features = plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    try:
        langs, pbc, asset = parse_parameter(request.parameter)
        inputs = list(request.file_to_generate)
        files = build(request.proto_file, inputs)
        for pf in files:
            pf.dart_asset_id = asset
        outputs = {}
        if "c" in langs and pbc != "none":
            wanted = protoc_c.import_closure(request.proto_file, inputs)
            if pbc == "all":
                wanted = inputs + wanted
            outputs.update(protoc_c.generate(request.proto_file, wanted))
        outputs.update(render_all(files, langs))
    except (SchemaErrors, ValueError, protoc_c.ProtocCError) as e:
        response.error = str(e)
        return response
    except RecursionError:
        response.error = "the schema nests deeper than calcgen can follow"
        return response
    for name, text in outputs.items():
        f = response.file.add()
        f.name = name
        f.content = text
    return response


def main() -> int:
    request = plugin_pb2.CodeGeneratorRequest()
    request.ParseFromString(sys.stdin.buffer.read())
    sys.stdout.buffer.write(generate(request).SerializeToString())
    return 0
