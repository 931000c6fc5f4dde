"""Where the generator finds its templates and calcgen/options.proto.

Defaults fit the source tree; the installed launchers override both with the
install locations (see generator/launcher.py.in)."""

from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]

TEMPLATES_DIR = _ROOT / "templates"
PROTO_DIR = _ROOT / "schemas"
