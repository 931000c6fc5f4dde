"""calcgen's own model of corpus files: services, prefixes, ops, C types.

make_handlers.py and test_corpus.py both read the corpus through it, so the
handlers and the checks agree with the generator on every name. Uses the
generator in this source tree (CALCGEN_GENERATOR_DIR overrides)."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

GENERATOR_DIR = Path(os.environ.get("CALCGEN_GENERATOR_DIR", Path(__file__).resolve().parents[2] / "generator"))
sys.path.insert(0, str(GENERATOR_DIR))

from google.protobuf import descriptor_pb2  # noqa: E402

from calcgen import paths  # noqa: E402
from calcgen.build import build  # noqa: E402


def relative_names(includes, files):
    """Each file's name as protoc knows it: relative to its -I root."""
    out = []
    for f in files:
        absf = Path(f).resolve()
        for inc in includes:
            try:
                out.append(absf.relative_to(Path(inc).resolve()).as_posix())
                break
            except ValueError:
                continue
        else:
            raise SystemExit(f"{f}: not under any of {', '.join(includes)}")
    return out


def descriptor_set(includes, names):
    """protoc's FileDescriptorSet of `names` and everything they import."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.pb"
        cmd = (["protoc"] + [f"-I{i}" for i in includes] + [f"-I{paths.PROTO_DIR}", "--include_imports",
                                                            "--include_source_info", f"--descriptor_set_out={out}"]
               + names)
        subprocess.run(cmd, check=True)
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(out.read_bytes())
    return fds


def load(includes, files):
    """calcgen's ProtoFile models of `files` (paths under the -I roots)."""
    names = relative_names(includes, files)
    return build(descriptor_set(includes, names).file, names)
