"""Where the generator finds its templates, calcgen/options.proto and the
Python and JavaScript runtimes it writes beside stubs.

Defaults fit the source tree; the installed launchers override them with the
install locations (see generator/launcher.py.in)."""

from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]

TEMPLATES_DIR = _ROOT / "templates"
PROTO_DIR = _ROOT / "schemas"
PYTHON_RUNTIME = _ROOT / "runtime" / "python" / "calcgen_runtime.py"
JS_RUNTIME_DIR = _ROOT / "runtime" / "js"  # calcgen_runtime.mjs and its .d.mts
