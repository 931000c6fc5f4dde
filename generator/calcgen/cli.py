"""The calcgen command line.

    calcgen generate [-I DIR]... [--c-out DIR] FILE.proto...
    calcgen describe [-I DIR]... FILE.proto...

Runs protoc once for the descriptors, validates and renders in-process, and
runs protoc-c for the message code. Nothing is written unless the whole
schema is valid."""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2

from . import __version__, paths
from .build import SchemaErrors, build
from .render import render_all


class CliError(Exception):
    pass


def _parser():
    p = argparse.ArgumentParser(
        prog="calcgen",
        description="Generate FFI operation dispatch from .proto services.",
        epilog="calcgen/options.proto is on the import path automatically.")
    p.add_argument("--version", action="version", version=f"calcgen {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in (("generate", "write C dispatch code (and protoc-c's message code)"),
                            ("describe", "list services and ops: id, name, kernel, request -> response")):
        s = sub.add_parser(name, help=help_text, description=help_text)
        s.add_argument("-I", "--proto-path", dest="includes", action="append", default=[], metavar="DIR",
                       help="directory to search for imports (repeatable); default: each file's directory")
        if name == "generate":
            s.add_argument("--c-out", metavar="DIR", help="directory for .pb-c.[ch] and .calcgen.[ch]")
            s.add_argument("--dart-out", metavar="DIR", help="directory for .calcgen.dart (dart:ffi bindings)")
            s.add_argument("--python-out", metavar="DIR", help="directory for _calcgen.py (ctypes bindings)")
        s.add_argument("files", nargs="+", metavar="FILE.proto")
    return p


def _which(name, env_var, package):
    path = os.environ.get(env_var) or shutil.which(name)
    if not path:
        raise CliError(f"{name} not found on PATH (install Debian's {package}, or set {env_var})")
    return path


def _layout(files, includes):
    """Include dirs for protoc and each input's name relative to one of them."""
    for f in files:
        if not Path(f).is_file():
            raise CliError(f"{f}: no such file")
    incs = [str(Path(i)) for i in includes] or sorted({str(Path(f).parent) for f in files})
    names = {}
    for f in files:
        absf = Path(f).resolve()
        for inc in incs:
            try:
                names[absf.relative_to(Path(inc).resolve()).as_posix()] = f
                break
            except ValueError:
                continue
        else:
            raise CliError(f"{f}: not under any -I directory ({', '.join(incs)})")
    return incs + [str(paths.PROTO_DIR)], names


def _run(cmd, names=None):
    """Runs a tool; its messages name files as the user did (`names` maps
    protoc's import-relative names to the paths given on the command line)."""
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.stderr:
        err = proc.stderr
        for rel, given in (names or {}).items():
            err = "\n".join(given + line[len(rel):] if line.startswith(rel + ":") else line
                            for line in err.split("\n"))
        sys.stderr.write(err)
    if proc.returncode != 0:
        raise CliError(f"{Path(cmd[0]).name} failed (exit status {proc.returncode})")


def _descriptors(protoc, incs, rel_names):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.pb"
        _run([protoc] + [f"-I{i}" for i in incs] + ["--include_imports", "--include_source_info",
                                                    f"--descriptor_set_out={out}"] + list(rel_names), rel_names)
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(out.read_bytes())
    return fds


def _run_protoc_c(protoc, fds, rel_names, out):
    """protoc-c's message code. Services are removed first: calcgen's dispatch
    replaces protoc-c's RPC stubs, which do not even compile for methods named
    after C keywords (`rpc Return`)."""
    messages_only = descriptor_pb2.FileDescriptorSet()
    messages_only.CopyFrom(fds)
    for f in messages_only.file:
        del f.service[:]
    with tempfile.TemporaryDirectory() as tmp:
        set_path = Path(tmp) / "messages.pb"
        set_path.write_bytes(messages_only.SerializeToString())
        args = [f"--descriptor_set_in={set_path}", f"--c_out={out}"] + list(rel_names)
        protoc_c = os.environ.get("CALCGEN_PROTOC_C") or shutil.which("protoc-c")
        if protoc_c:
            _run([protoc_c] + args)
        else:
            plugin = _which("protoc-gen-c", "CALCGEN_PROTOC_GEN_C", "protobuf-c-compiler")
            _run([protoc, f"--plugin=protoc-gen-c={plugin}"] + args)


def _model(args):
    protoc = _which("protoc", "CALCGEN_PROTOC", "protobuf-compiler")
    incs, names = _layout(args.files, args.includes)
    fds = _descriptors(protoc, incs, names)
    try:
        return protoc, fds, names, build(fds.file, list(names))
    except SchemaErrors as e:
        for err in e.errors:
            err.file = names.get(err.file, err.file)
            print(err, file=sys.stderr)
        raise CliError(f"{len(e.errors)} schema error{'s' if len(e.errors) != 1 else ''}; nothing written")


def _write(out_dir, outputs):
    for rel, text in outputs.items():
        path = Path(out_dir) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def cmd_generate(args):
    outs = {"c": args.c_out, "dart": args.dart_out, "python": args.python_out}
    if not any(outs.values()):
        raise CliError("nothing to generate: give --c-out, --dart-out or --python-out DIR")
    protoc, fds, names, files = _model(args)
    if args.c_out:
        Path(args.c_out).mkdir(parents=True, exist_ok=True)
        _run_protoc_c(protoc, fds, names, Path(args.c_out))
    for lang, out_dir in outs.items():
        if out_dir:
            _write(out_dir, render_all(files, (lang,)))
    return 0


def cmd_describe(args):
    _, _, _, files = _model(args)
    for pf in files:
        print(f"{pf.name}")
        for svc in pf.services:
            print(f"  service {svc.full_name}  prefix {svc.prefix}  schema hash 0x{svc.schema_hash:016x}")
            for op in svc.ops:
                if op.is_user:
                    what = f"handler {op.user_handler}"
                else:
                    what = f"{op.kernel} {op.elem.proto}{'[]' if op.batch else ''} {op.overflow}"
                print(f"    {op.id:>5}  {op.name:<24} {what:<32} {op.request.full_name} -> {op.response.full_name}")
    return 0


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        return {"generate": cmd_generate, "describe": cmd_describe}[args.command](args)
    except CliError as e:
        print(f"calcgen: error: {e}", file=sys.stderr)
        return 1
