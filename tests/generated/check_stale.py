"""Regenerates schemas/calculator.proto's code (C, Dart, Python, JavaScript) and fails on
any difference from the checked-in generated/ (file set or contents), or
from the copy of the Dart bindings in examples/dart/lib/src/.

    python check_stale.py CALCGEN_LAUNCHER SOURCE_ROOT
Fix a failure with scripts/regenerate.sh."""

import difflib
import subprocess
import sys
import tempfile
from pathlib import Path


def main(launcher, root):
    root = Path(root)
    checked_in = root / "generated"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, launcher, "generate", "-I", str(root / "schemas"), "--c-out", tmp,
                        "--dart-out", tmp, "--python-out", tmp, "--js-out", tmp, str(root / "schemas" / "calculator.proto")],
                       check=True)
        fresh = {p.name: p.read_text() for p in Path(tmp).iterdir()}
    example = root / "examples" / "dart" / "lib" / "src" / "calculator.calcgen.dart"
    if example.read_text() != fresh["calculator.calcgen.dart"]:
        print(f"{example.relative_to(root)} differs from the generated bindings")
        stale_example = True
    else:
        stale_example = False
    old = {p.name: p.read_text() for p in checked_in.iterdir() if p.suffix in (".c", ".h", ".dart", ".py", ".mjs", ".mts")}
    stale = stale_example
    for name in sorted(set(fresh) | set(old)):
        if name not in old:
            print(f"generated/{name} is missing")
            stale = True
        elif name not in fresh:
            print(f"generated/{name} is no longer generated")
            stale = True
        elif fresh[name] != old[name]:
            stale = True
            sys.stdout.writelines(difflib.unified_diff(old[name].splitlines(True), fresh[name].splitlines(True),
                                                       f"generated/{name}", f"regenerated/{name}", n=2))
    if stale:
        print("generated/ is stale; run scripts/regenerate.sh")
        return 1
    print(f"generated/ is up to date ({len(fresh)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
