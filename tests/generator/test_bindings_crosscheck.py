"""The Dart and Python bindings agree with the C side: symbol names, native
signatures, op ids, status codes and the schema hash. Checked on the
checked-in calculator output and on fresh output for the unseen schemas
(keyword method names)."""

import re
import subprocess
import tempfile
import unittest
from pathlib import Path

from calcgen import render
from calcgen.build import build
from calcgen.statuses import STATUSES, dart_const
from support import ROOT, descriptor_set

GEN = ROOT / "generated"
STATUS_H = (ROOT / "runtime" / "include" / "calcgen" / "status.h").read_text()

# C parameter and return types -> dart:ffi native types (imported as $ffi) / ctypes.
C_SCALAR_TO_DART = {"cg_status": "Int32", "uint32_t": "Uint32", "uint8_t": "Uint8", "size_t": "Size",
                    "uint64_t": "Uint64", "int64_t": "Int64", "int32_t": "Int32", "double": "Double",
                    "float": "Float", "char": "Uint8", "cg_bytes": "Size", "cg_service": "Void"}
DART_RUNTIME = ROOT / "dart" / "calcgen" / "lib"


def c_to_dart(c_type):
    """`const int64_t *` -> `$ffi.Pointer<$ffi.Int64>`; a cg_bytes * is read as
    two size_t (data address, length), a const char * as bytes."""
    base = c_type.replace("const ", "").strip()
    if base.endswith("*"):
        return f"$ffi.Pointer<$ffi.{C_SCALAR_TO_DART[base[:-1].strip()]}>"
    return f"$ffi.{C_SCALAR_TO_DART[base]}"

C_TO_CTYPES = {"cg_status": "ctypes.c_int32", "uint32_t": "ctypes.c_uint32", "const uint8_t *": "ctypes.c_void_p",
               "size_t": "ctypes.c_size_t", "cg_bytes *": "ctypes.POINTER(_rt.Bytes)", "uint64_t": "ctypes.c_uint64",
               "const char *": "ctypes.c_char_p"}


def c_prototypes(header):
    """name -> (return type, [param types]) for every CG_API function."""
    out = {}
    for ret, name, params in re.findall(r"CG_API\s+([\w ]+?\s*\*?)\s*(\w+)\((.*?)\);", header, re.S):
        types = [] if params.strip() == "void" else [
            re.sub(r"\s*\w+$", "", p.strip()).replace(" *", " *").strip() for p in params.split(",")]
        out[name] = (ret.strip(), [t if not t.endswith("*") else t[:-1].rstrip() + " *" for t in types])
    return out


def c_status_map():
    return [(int(c), n) for c, n in re.findall(r"X\((\d+), (CG_\w+), \"", STATUS_H)]


class Crosscheck(unittest.TestCase):
    def check(self, header, dart, py, svc_prefix, upper, dart_file=None):
        protos = c_prototypes(header)
        protos.update(c_prototypes(STATUS_H))
        # op ids: this service's X-macro rows against Dart and Python constants
        rows_block = re.search(rf"#define {upper}_OPS\(X\)(.*?)\n\n", header, re.S).group(1)
        rows = re.findall(r"X\((\d+), (\w+), (\w+), (\w+),", rows_block)
        self.assertTrue(rows)
        ops_block = re.search(r"abstract final class \w+Ops \{(.*?)\n\}", dart, re.S).group(1)
        dart_ops = {k: int(v) for k, v in re.findall(r"static const int (\w+) = (\d+);", ops_block)}
        py_block = re.search(r"class \w+Ops:(.*?)\n\n", py, re.S).group(1)
        py_ops = {k: int(v) for k, v in re.findall(r"    (\w+) = (\d+)$", py_block, re.M)}
        for op_id, name, snake, up in rows:
            self.assertEqual(py_ops[up], int(op_id), name)
            self.assertIn(int(op_id), dart_ops.values(), name)
        self.assertEqual(len(dart_ops), len(rows))
        # schema hash
        c_hash = int(re.search(rf"#define {upper}_SCHEMA_HASH UINT64_C\((0x[0-9a-f]+)\)", header).group(1), 16)
        self.assertEqual(int(re.search(r"static const int schemaHash = (0x[0-9a-f]+);", ops_block).group(1), 16), c_hash)
        self.assertEqual(int(re.search(r"SCHEMA_HASH = (0x[0-9a-f]+)", py_block).group(1), 16), c_hash)
        # symbols and native signatures, Dart: every entry point is looked up
        # (DynamicLibrary) and declared @Native (native assets) alike
        typedefs = dict(re.findall(r"typedef (_\w+C) = (.+?);", dart_file or dart))
        lookups = re.findall(r"lookupFunction<(_\w+C), _\w+Dart>\('(\w+)', isLeaf: (true|false)\)", dart)
        natives = re.findall(r"@\$ffi\.Native<(_\w+C)>\(symbol: '(\w+)', isLeaf: (true|false)\)", dart)
        self.assertTrue(lookups)
        self.assertEqual(sorted(lookups), sorted(natives))
        for ctype_name, symbol, _ in lookups:
            self.assertIn(symbol, protos, symbol)
            ret, params = protos[symbol]
            want = f"{c_to_dart(ret)} Function(" + ", ".join(c_to_dart(p) for p in params) + ")"
            got = re.sub(r" \w+(?=[,)])", "", typedefs[ctype_name])  # drop parameter names
            self.assertEqual(got, want, symbol)
        invokes = {name for name, (ret, _) in protos.items() if name.startswith(f"{svc_prefix}_invoke_")}
        batch = {n for n in invokes if len(protos[n][1]) == 4}
        want = {(f"{svc_prefix}_dispatch", "true"), (f"{svc_prefix}_dispatch", "false"),
                (f"{svc_prefix}_schema_hash", "true"), ("cg_last_error", "true"), ("cg_last_error_index", "true"),
                (f"{svc_prefix}_service", "true")}
        want |= {(n, "true") for n in invokes} | {(n, "false") for n in batch}
        self.assertEqual({(sym, leaf) for _, sym, leaf in lookups}, want)
        # symbols and signatures, Python
        for symbol in (f"{svc_prefix}_dispatch", f"{svc_prefix}_schema_hash", "cg_last_error"):
            self.assertIn(symbol, protos)
        ret, params = protos[f"{svc_prefix}_dispatch"]
        self.assertIn(f"argtypes = [{', '.join(C_TO_CTYPES[p] for p in params)}]", py)
        self.assertIn(f"restype = {C_TO_CTYPES[ret]}", py)

    def test_streaming_methods(self):
        """Streaming methods: their ids in the X-macro rows, the Dart and Python
        Ops classes, a Dart <Service>Streams method and a Python *Async method
        each, of the right kind."""
        engine_dir = ROOT / "tests" / "engine"
        files = {"telemetry.proto": (engine_dir / "telemetry.proto").read_text()}
        (pf,) = build(descriptor_set(files, ["/usr/include"]).file, ["telemetry.proto"])
        out = render.render_all([pf], ("c", "dart", "python"))
        header, dart, py = out["telemetry.calcgen.h"], out["telemetry.calcgen.dart"], out["telemetry_calcgen.py"]
        (svc,) = pf.services
        block = re.search(rf"#define {svc.upper}_STREAMS\(X\)(.*?)\n\n", header, re.S).group(1)
        rows = re.findall(r"X\((\d+), (\w+), (\w+), (\w+), .*?, (CG_OP_\w+)\)", block)
        self.assertEqual([(r[1], r[4]) for r in rows], [("Watch", "CG_OP_SERVER_STREAM"), ("Upload", "CG_OP_CLIENT_STREAM"),
                                                        ("Chat", "CG_OP_BIDI_STREAM")])
        ops_block = re.search(r"abstract final class \w+Ops \{(.*?)\n\}", dart, re.S).group(1)
        dart_ops = {k: int(v) for k, v in re.findall(r"static const int (\w+) = (\d+);", ops_block)}
        py_block = re.search(r"class \w+Ops:(.*?)\n\n", py, re.S).group(1)
        py_ops = {k: int(v) for k, v in re.findall(r"    (\w+) = (\d+)$", py_block, re.M)}
        streams = dart.split(f"final class {svc.dart_class}Streams {{")[1]
        for op_id, name, snake, upper, kind in rows:
            self.assertEqual(dart_ops[snake], int(op_id))
            self.assertEqual(py_ops[upper], int(op_id))
            self.assertIn(f"{svc.prefix}_open_{snake}(cg_host *host", header)
            takes_request = kind == "CG_OP_SERVER_STREAM"
            self.assertRegex(streams, rf"\$cg\.CgStream<\$pb\d\.\w+, \$pb\d\.\w+>> {snake}\("
                                      + (r"\$pb\d\.\w+ request\)" if takes_request else r"\)"))
            self.assertIn(f"async def {snake}(self{', request' if takes_request else ''}):", py)
        self.assertIn(f"{svc.prefix}_service(void)", header)

    def test_engine_runtime_matches_the_header(self):
        """package:calcgen's engine.dart: every C function it looks up exists
        with the signature it declares, and its structs have the C layout
        (offsets and sizes from the compiler)."""
        engine_h = (ROOT / "runtime" / "include" / "calcgen" / "engine.h").read_text()
        stream_h = (ROOT / "runtime" / "include" / "calcgen" / "stream.h").read_text()
        dart = (DART_RUNTIME / "src" / "engine.dart").read_text()
        protos = {}
        for header in (engine_h, stream_h, STATUS_H):
            for ret, name, params in re.findall(r"CG_API\s+([\w ]+?\s*\**)\s*(\w+)\((.*?)\);", header, re.S):
                types = [] if params.strip() in ("", "void") else [
                    re.sub(r"\s*\b\w+$", "", p.strip()) for p in params.split(",")]
                protos[name] = (ret, types)
        structs = ("cg_engine_config", "cg_host_config", "cg_completion")  # passed as bytes (Pointer<Uint8>)
        scalar = {"cg_status": "Int32", "int": "Int", "cg_shutdown": "Int", "uint64_t": "Uint64", "uint32_t": "Uint32",
                  "size_t": "Size", "uint8_t": "Uint8", "char": "Uint8"}

        def to_dart(c):
            c = c.replace("const ", "").strip()
            stars = c.count("*")
            base = c.replace("*", "").strip()
            if not stars:
                return scalar[base]
            t = "Uint8" if base in structs else scalar.get(base, "Void")  # handles are opaque
            for _ in range(stars):
                t = f"Pointer<{t}>"
            return t
        typedefs = dict(re.findall(r"typedef (_\w+C) = (.+?);", dart))
        lookups = re.findall(r"lookupFunction<(_\w+C), _\w+Dart>\('(\w+)'", dart)
        self.assertGreaterEqual(len(lookups), 13)
        for ctype, symbol in lookups:
            self.assertIn(symbol, protos, symbol)
            ret, params = protos[symbol]
            want = f"{to_dart(ret)} Function(" + ", ".join(to_dart(p) for p in params) + ")"
            self.assertEqual(typedefs[ctype], want, symbol)
        # CgEngineLayout's offsets and sizes against the compiler's
        consts = dict(re.findall(r"static const int (\w+) = (\d+);", dart))
        self.assertGreaterEqual(len(consts), 15)
        fields = {"completion": "cg_completion", "engineConfig": "cg_engine_config", "hostConfig": "cg_host_config"}
        members = {"Data": "response.data", "Len": "response.len", "ErrorIndex": "error_index",
                   "StreamWindow": "stream_window"}
        program = ["#include <stddef.h>", "#include <stdio.h>", "#include <calcgen/engine.h>", "int main(void) {"]
        for name in consts:
            prefix = next(p for p in fields if name.startswith(p))
            member = name[len(prefix):]
            expr = (f"sizeof({fields[prefix]})" if member == "Size" else
                    f"offsetof({fields[prefix]}, {members.get(member, member.lower())})")
            program.append(f'  printf("{name} %zu\\n", {expr});')
        program += ["  return 0;", "}"]
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "layout.c"
            src.write_text("\n".join(program) + "\n")
            exe = Path(tmp) / "layout"
            subprocess.run(["cc", "-std=c17", f"-I{ROOT / 'runtime' / 'include'}", str(src), "-o", str(exe)], check=True)
            c_layout = dict(line.split() for line in
                            subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.splitlines())
        self.assertEqual(consts, c_layout)

    def test_status_codes_agree_everywhere(self):
        c_map = c_status_map()
        self.assertEqual(c_map, STATUSES)
        dart = (DART_RUNTIME / "src" / "status.dart").read_text()  # the Dart runtime package's statuses
        py = (ROOT / "runtime" / "python" / "calcgen_runtime.py").read_text()  # the stubs' statuses
        for code, name in c_map:
            self.assertIn(f"static const int {dart_const(name)} = {code};", dart)
            self.assertIn(f"{code} => '{name}',", dart)
            self.assertIn(f'    {code}: "{name}",', py)

    def test_calculator(self):
        self.check((GEN / "calculator.calcgen.h").read_text(), (GEN / "calculator.calcgen.dart").read_text(),
                   (GEN / "calculator_calcgen.py").read_text(), "calc_calculator", "CALC_CALCULATOR")

    def test_unseen_schema_with_keyword_names(self):
        schemas = ROOT / "tests" / "schemas"
        files = {n: (schemas / n).read_text() for n in ("kitchen.proto", "shapes/common.proto")}
        (pf,) = build(descriptor_set(files).file, ["kitchen.proto"])
        out = render.render_all([pf], ("c", "dart", "python"))
        dart, py = out["kitchen.calcgen.dart"], out["kitchen_calcgen.py"]
        for svc in pf.services:
            part = dart.split(f"// ---- service {svc.full_name} ----")[1].split("// ---- service ")[0]
            ppart = py.split(f"class {svc.class_name}Ops:")[1]
            self.check(out["kitchen.calcgen.h"], part, f"class {svc.class_name}Ops:" + ppart, svc.prefix, svc.upper,
                       dart_file=dart)
        for escaped in ("return_", "class_", "switch_", "new_", "await_", "default_"):
            self.assertIn(f"static const int {escaped} =", dart)
        self.assertIn("def return_(self, a, b):", py)
        self.assertIn("import 'shapes/common.pb.dart' as $pb0;", dart)


if __name__ == "__main__":
    unittest.main()
