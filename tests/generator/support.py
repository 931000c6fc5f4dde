"""Helpers: compile .proto text with protoc into descriptors, run the generator."""

import os
import subprocess
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2

from calcgen import paths
from calcgen.build import build

ROOT = Path(__file__).resolve().parents[2]
CALCGEN = os.environ.get("CALCGEN_LAUNCHER", "")
PLUGIN = os.environ.get("PROTOC_GEN_CALCGEN", "")


def descriptor_set(files: dict, include_dirs=()):
    """files: {relative name: text}. Returns (FileDescriptorSet, names)."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            p = Path(tmp) / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        out = Path(tmp) / "set.pb"
        cmd = ["protoc", f"-I{tmp}", f"-I{paths.PROTO_DIR}"] + [f"-I{d}" for d in include_dirs] + [
            "--include_imports", "--include_source_info", f"--descriptor_set_out={out}"] + list(files)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(proc.stderr)
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(out.read_bytes())
    return fds


def model(files: dict, generate=None):
    fds = descriptor_set(files)
    return build(fds.file, list(generate or files))


HEADER = 'syntax = "proto3";\npackage t;\nimport "calcgen/options.proto";\n'
PAIR = "message Pair { int64 a = 1; int64 b = 2; }\nmessage Val { int64 value = 1; }\n"
