"""The calcgen command line, through its installed-style launcher."""

import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from calcgen import __version__
from support import CALCGEN, HEADER, PAIR, ROOT


def run(*args, env=None):
    return subprocess.run([CALCGEN, *args], capture_output=True, text=True, env=env)


@unittest.skipUnless(CALCGEN, "CALCGEN_LAUNCHER not set")
class Cli(unittest.TestCase):
    def test_help_and_version(self):
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("generate", p.stdout)
        self.assertIn("describe", p.stdout)
        p = run("--version")
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout.strip(), f"calcgen {__version__}")
        self.assertEqual(run().returncode, 2)  # no command: usage on stderr

    def test_describe(self):
        p = run("describe", "-I", str(ROOT / "schemas"), str(ROOT / "schemas" / "calculator.proto"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("service calc.Calculator  prefix calc_calculator", p.stdout)
        self.assertRegex(p.stdout, r"\s1  Add\s+ADD int64 WRAP\s+calc.BinaryOp -> calc.Value")
        self.assertRegex(p.stdout, r"20  Factorial\s+handler calc_calculator_factorial")

    def test_generate_dart_and_python(self):
        with tempfile.TemporaryDirectory() as tmp:
            p = run("generate", "-I", str(ROOT / "schemas"), "--dart-out", f"{tmp}/dart", "--python-out",
                    f"{tmp}/py", str(ROOT / "schemas" / "calculator.proto"))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(sorted(os.listdir(f"{tmp}/dart")), ["calculator.calcgen.dart", "calculator.calcgen.web.dart"])
            self.assertEqual(sorted(os.listdir(f"{tmp}/py")), ["calcgen_runtime.py", "calculator_calcgen.py"])

    def test_generate_js(self):
        with tempfile.TemporaryDirectory() as tmp:
            p = run("generate", "-I", str(ROOT / "schemas"), "--js-out", tmp, str(ROOT / "schemas" / "calculator.proto"))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(sorted(os.listdir(tmp)), ["calcgen_runtime.d.mts", "calcgen_runtime.mjs",
                                                       "calculator_calcgen.d.mts", "calculator_calcgen.mjs"])

    def test_generate_writes_both_halves(self):
        with tempfile.TemporaryDirectory() as tmp:
            p = run("generate", "-I", str(ROOT / "schemas"), "--c-out", tmp, str(ROOT / "schemas" / "calculator.proto"))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(sorted(os.listdir(tmp)), ["calculator.calcgen.c", "calculator.calcgen.h",
                                                       "calculator.pb-c.c", "calculator.pb-c.h"])

    def test_proto_path(self):
        p = run("--proto-path")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(Path(p.stdout.strip(), "calcgen", "options.proto").is_file(), p.stdout)

    def test_imports_are_generated(self):
        """protoc-c code for every file the inputs import, transitively, well-known
        types included; --no-imports leaves them out, --imports-out moves them."""
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "lib").mkdir()
            Path(tmp, "lib", "when.proto").write_text(
                'syntax = "proto3";\npackage lib;\nimport "google/protobuf/duration.proto";\n'
                "message When { google.protobuf.Duration after = 1; optional int64 at = 2; }\n")
            Path(tmp, "app.proto").write_text(
                'syntax = "proto3";\npackage app;\nimport "lib/when.proto";\nimport "google/protobuf/empty.proto";\n'
                "service Clock { rpc Next(lib.When) returns (google.protobuf.Empty); }\n")
            out = Path(tmp, "out")
            p = run("generate", "-I", tmp, "--c-out", str(out), f"{tmp}/app.proto")
            self.assertEqual(p.returncode, 0, p.stderr)
            files = sorted(str(f.relative_to(out)) for f in out.rglob("*.c"))
            self.assertEqual(files, ["app.calcgen.c", "app.pb-c.c", "google/protobuf/duration.pb-c.c",
                                     "google/protobuf/empty.pb-c.c", "lib/when.pb-c.c"])
            shutil.rmtree(out)
            p = run("generate", "-I", tmp, "--c-out", str(out), "--no-imports", f"{tmp}/app.proto")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(sorted(f.name for f in out.rglob("*.c")), ["app.calcgen.c", "app.pb-c.c"])
            shutil.rmtree(out)
            p = run("generate", "-I", tmp, "--c-out", str(out), "--imports-out", f"{tmp}/shared", f"{tmp}/app.proto")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(sorted(f.name for f in out.rglob("*.c")), ["app.calcgen.c", "app.pb-c.c"])
            self.assertEqual(sorted(str(f.relative_to(f"{tmp}/shared")) for f in Path(tmp, "shared").rglob("*.c")),
                             ["google/protobuf/duration.pb-c.c", "google/protobuf/empty.pb-c.c", "lib/when.pb-c.c"])

    def test_output_that_is_a_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "f").write_text("")
            p = run("generate", "-I", str(ROOT / "schemas"), "--c-out", f"{tmp}/f", "--dart-out", f"{tmp}/d",
                    str(ROOT / "schemas" / "calculator.proto"))
            self.assertEqual(p.returncode, 1)
            self.assertIn(f"calcgen: error: {tmp}/f: exists and is not a directory", p.stderr)
            self.assertEqual(sorted(os.listdir(tmp)), ["f"], "nothing may be written")

    def test_hostile_file_names(self):
        """A name with a quote or `*/` cannot go into an #include or a comment:
        refused by name, nothing written."""
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "a*").mkdir()
            for name in ("a*/b.proto", 'q"uote.proto', "new\nline.proto"):
                Path(tmp, name).write_text('syntax = "proto3";\npackage e;\nmessage M { int64 a = 1; }\n'
                                           "service S { rpc A(M) returns (M); }\n")
                p = run("generate", "-I", tmp, "--c-out", f"{tmp}/out", f"{tmp}/{name}")
                self.assertEqual(p.returncode, 1, name)
                self.assertIn("has characters that cannot appear in an #include or a comment", p.stderr)
                self.assertFalse(Path(tmp, "out").exists())

    def test_a_long_chain_of_message_types(self):
        """1,500 message types each holding the next: no RecursionError."""
        chain = "".join(f"message M{i} {{ M{i + 1} next = 1; int64 v = 2; }}\n" for i in range(1500))
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "chain.proto").write_text('syntax = "proto3";\npackage c;\n' + chain +
                                                "message M1500 { int64 v = 1; }\n"
                                                "service S { rpc Walk(M0) returns (M1500); }\n")
            p = run("generate", "-I", tmp, "--c-out", f"{tmp}/out", f"{tmp}/chain.proto")
            self.assertEqual(p.returncode, 0, p.stderr[-2000:])
            self.assertTrue(Path(tmp, "out", "chain.calcgen.c").is_file())

    def test_missing_file(self):
        p = run("generate", "--c-out", "/tmp", "no/such.proto")
        self.assertEqual(p.returncode, 1)
        self.assertIn("calcgen: error: no/such.proto: no such file", p.stderr)

    def test_missing_output(self):
        p = run("generate", str(ROOT / "schemas" / "calculator.proto"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("nothing to generate: give --c-out, --dart-out, --python-out or --js-out DIR", p.stderr)

    def test_missing_protoc(self):
        env = dict(os.environ, PATH="/nonexistent")
        env.pop("CALCGEN_PROTOC", None)
        p = run("describe", "-I", str(ROOT / "schemas"), str(ROOT / "schemas" / "calculator.proto"), env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("protoc not found on PATH (install Debian's protobuf-compiler", p.stderr)

    def test_bad_schema_writes_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp, "bad.proto")
            bad.write_text(HEADER + PAIR + "service S {\n  rpc Dispatch(Pair) returns (Val);\n}\n")
            out = Path(tmp, "out")
            p = run("generate", "--c-out", str(out), str(bad))
            self.assertEqual(p.returncode, 1)
            self.assertIn(f"{bad}:7:3: service t.S, method Dispatch: its C name t_s_dispatch collides", p.stderr)
            self.assertIn("1 schema error; nothing written", p.stderr)
            self.assertFalse(out.exists())

    def test_protoc_syntax_error_is_reported(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp, "broken.proto")
            bad.write_text('syntax = "proto3";\nmessage {\n')
            p = run("describe", str(bad))
            self.assertEqual(p.returncode, 1)
            self.assertIn("broken.proto:2:", p.stderr)
            self.assertIn("protoc failed", p.stderr)


if __name__ == "__main__":
    unittest.main()
