"""The calcgen command line.

    calcgen generate [-I DIR]... [--c-out DIR] FILE.proto...
    calcgen describe [-I DIR]... FILE.proto...

Runs protoc once for the descriptors, validates and renders in-process, and
has protoc-gen-c write the message code for the inputs and everything they
import (see protoc_c.py). Nothing is written unless every output could be
made."""

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
from .dart_names import dart_asset_id_problem
from . import protoc_c
from .protoc_c import import_closure
from .render import render_all


class CliError(Exception):
    pass


def _parser():
    p = argparse.ArgumentParser(
        prog="calcgen",
        description="Generate FFI operation dispatch from .proto services.",
        epilog="calcgen/options.proto is on the import path automatically.")
    p.add_argument("--version", action="version", version=f"calcgen {__version__}")
    p.add_argument("--proto-path", dest="print_proto_path", action="store_true",
                   help="print the directory holding calcgen/options.proto (for protoc -I) and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in (("generate", "write C dispatch code (and protoc-c's message code)"),
                            ("describe", "list services and ops: id, name, kernel, request -> response")):
        s = sub.add_parser(name, help=help_text, description=help_text)
        s.add_argument("-I", "--proto-path", dest="includes", action="append", default=[], metavar="DIR",
                       help="directory to search for imports (repeatable); default: each file's directory")
        if name == "generate":
            s.add_argument("--c-out", metavar="DIR", help="directory for .pb-c.[ch] and .calcgen.[ch]")
            s.add_argument("--dart-out", metavar="DIR", help="directory for .calcgen.dart (dart:ffi bindings)")
            s.add_argument("--dart-asset-id", metavar="ID",
                           help="native-assets id the Dart bindings resolve their @Native symbols in, "
                                "e.g. package:my_app/my_app.dart (default: each file's own library URI)")
            s.add_argument("--python-out", metavar="DIR", help="directory for _calcgen.py (ctypes bindings)")
            s.add_argument("--js-out", metavar="DIR",
                           help="directory for _calcgen.mjs and .d.mts (JavaScript bindings of the WebAssembly build)")
            s.add_argument("--no-imports", action="store_true",
                           help="write protoc-c code only for the FILEs, not for the files they import "
                                "(for projects that build their imports, well-known types included, elsewhere)")
            s.add_argument("--imports-out", metavar="DIR",
                           help="write protoc-c code for the imported files here instead of --c-out "
                                "(to build them once into a library shared by several schemas)")
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


def _write(outputs):
    """Writes {Path: text}; every output directory is checked first, so a bad
    one fails before anything is written."""
    dirs = sorted({p.parent for p in outputs})
    for d in dirs:
        for parent in [d, *d.parents]:
            if parent.exists() and not parent.is_dir():
                raise CliError(f"{parent}: exists and is not a directory")
    for path, text in sorted(outputs.items()):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        except OSError as e:
            raise CliError(f"cannot write {path}: {e.strerror}")


def cmd_generate(args):
    outs = {"c": args.c_out, "dart": args.dart_out, "python": args.python_out, "js": args.js_out}
    if not any(outs.values()):
        raise CliError("nothing to generate: give --c-out, --dart-out, --python-out or --js-out DIR")
    if args.imports_out and (args.no_imports or not args.c_out):
        raise CliError("--imports-out needs --c-out and no --no-imports")
    problem = dart_asset_id_problem(args.dart_asset_id or "")
    if problem:
        raise CliError(problem)
    _, fds, names, files = _model(args)
    for pf in files:
        pf.dart_asset_id = args.dart_asset_id or ""
    outputs = {}
    try:
        if args.c_out:
            inputs = list(names)
            imports = [] if args.no_imports else import_closure(fds.file, inputs)
            here = imports if not args.imports_out else []
            for rel, text in protoc_c.generate(fds.file, inputs + here).items():
                outputs[Path(args.c_out) / rel] = text
            if args.imports_out:
                for rel, text in protoc_c.generate(fds.file, imports).items():
                    outputs[Path(args.imports_out) / rel] = text
    except protoc_c.ProtocCError as e:
        raise CliError(str(e))
    for lang, out_dir in outs.items():
        if out_dir:
            for rel, text in render_all(files, (lang,)).items():
                outputs[Path(out_dir) / rel] = text
    _write(outputs)
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
    if args.print_proto_path:
        print(paths.PROTO_DIR)
        return 0
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        return {"generate": cmd_generate, "describe": cmd_describe}[args.command](args)
    except CliError as e:
        print(f"calcgen: error: {e}", file=sys.stderr)
        return 1
    except RecursionError:
        print("calcgen: error: the schema nests deeper than calcgen can follow; nothing written", file=sys.stderr)
        return 1
