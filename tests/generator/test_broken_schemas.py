"""The corpus of schemas calcgen must refuse (tests/schemas/broken): each
file states, in `// expect: LINE:COL: MESSAGE` lines at its top, every error
the CLI must report, and nothing may be written."""

import subprocess
import tempfile
import unittest
from pathlib import Path

from support import CALCGEN, ROOT

BROKEN = ROOT / "tests" / "schemas" / "broken"


@unittest.skipUnless(CALCGEN, "CALCGEN_LAUNCHER not set")
class BrokenSchemas(unittest.TestCase):
    def test_corpus_is_large_enough(self):
        self.assertGreaterEqual(len(list(BROKEN.glob("*.proto"))), 20)

    def test_each_gives_its_exact_errors(self):
        for proto in sorted(BROKEN.glob("*.proto")):
            expected = [line[len("// expect: "):] for line in proto.read_text().splitlines()
                        if line.startswith("// expect: ")]
            with self.subTest(proto.name), tempfile.TemporaryDirectory() as out:
                self.assertTrue(expected, "no // expect: line")
                p = subprocess.run([CALCGEN, "generate", "-I", str(BROKEN), "--c-out", out, "--dart-out", out,
                                    str(proto)], capture_output=True, text=True)
                self.assertEqual(p.returncode, 1, p.stderr)
                reported = [line[len(str(proto)) + 1:] for line in p.stderr.splitlines()
                            if line.startswith(f"{proto}:") and "warning:" not in line]
                self.assertEqual(reported, expected)
                self.assertEqual(list(Path(out).iterdir()), [], "something was written")


if __name__ == "__main__":
    unittest.main()
