"""Renders the model through the Jinja2 templates. Output is deterministic:
same model, same bytes."""

import jinja2

from . import paths
from .statuses import for_templates as statuses


# The generated-code ABI the templates are written against; the runtime's
# CG_GENERATED_ABI (runtime/include/calcgen/version.h.in) must be the same
# (tests/generator checks it), and every generated file checks it at compile time.
GENERATED_ABI = 4
# The same for generated Python stubs and runtime/python/calcgen_runtime.py (ABI).
PYTHON_ABI = 4
# The same for generated JavaScript bindings and runtime/js/calcgen_runtime.mjs (ABI).
JS_ABI = 1


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.TEMPLATES_DIR)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.globals["abi"] = GENERATED_ABI
    env.globals["python_abi"] = PYTHON_ABI
    env.globals["js_abi"] = JS_ABI
    return env


def render_c(proto_file, env=None):
    """{relative output path: text} for one .proto's C files."""
    env = env or environment()
    return {
        proto_file.header: env.get_template("c/header.h.j2").render(file=proto_file),
        proto_file.source: env.get_template("c/source.c.j2").render(file=proto_file),
    }


def render_dart(proto_file, env=None):
    """The dart:ffi bindings and the web ones (same calls, over the
    JavaScript bindings of the WebAssembly build; for conditional imports)."""
    env = environment() if env is None else env
    return {
        proto_file.dart_file: env.get_template("dart/service.dart.j2").render(file=proto_file),
        proto_file.dart_web_file: env.get_template("dart/web.dart.j2").render(file=proto_file),
    }


def render_python(proto_file, env=None):
    """The stub, and the Python runtime it imports (calcgen_runtime.py, the same
    file for every stub) at the root of the output, the directory that goes on
    sys.path as it does for protoc's _pb2 modules."""
    env = environment() if env is None else env
    text = env.get_template("python/stub.py.j2").render(file=proto_file, statuses=statuses())
    return {proto_file.python_file: text, "calcgen_runtime.py": paths.PYTHON_RUNTIME.read_text()}


def render_js(proto_file, env=None):
    """The ES module and its TypeScript declarations, and the JavaScript
    runtime they import (the same for every binding) at the root of the output."""
    env = environment() if env is None else env
    return {
        proto_file.js_file: env.get_template("js/stub.mjs.j2").render(file=proto_file),
        proto_file.js_types_file: env.get_template("js/stub.d.mts.j2").render(file=proto_file),
        "calcgen_runtime.mjs": (paths.JS_RUNTIME_DIR / "calcgen_runtime.mjs").read_text(),
        "calcgen_runtime.d.mts": (paths.JS_RUNTIME_DIR / "calcgen_runtime.d.mts").read_text(),
    }


RENDERERS = {"c": render_c, "dart": render_dart, "python": render_python, "js": render_js}


def render_all(proto_files, languages=("c",)):
    env = environment()
    out = {}
    for pf in proto_files:
        if not pf.services:
            continue  # a file of messages only: protoc-c's output is all it needs
        for lang in languages:
            out.update(RENDERERS[lang](pf, env))
    return out
