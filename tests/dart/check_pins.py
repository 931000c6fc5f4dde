"""The Dart version pins agree everywhere: the example's protobuf constraint
fits the protoc_plugin version that tool/generate.sh, the docs and the
generator's name rules (dart_names.py) pin; the example's SDK constraint
allows what the runtime package needs; the runtime package has calcgen's
version; the example depends on the runtime package at its path.

    check_pins.py SOURCE_ROOT"""

import re
import sys
from pathlib import Path

# protoc_plugin major -> the package:protobuf major its output needs
# (protoc_plugin's changelogs: 21 -> 3, 22 -> 4, 23 and 24 -> 5, 25 -> 6).
PROTOBUF_FOR_PLUGIN = {21: 3, 22: 4, 23: 5, 24: 5, 25: 6}


def constraint(pubspec: str, name: str) -> str:
    m = re.search(rf"^  {name}: (\S+)$", pubspec, re.M)
    return m.group(1) if m else ""


def major_min(c: str):
    m = re.fullmatch(r"\^(\d+)\.(\d+)\.\d+", c)
    return (int(m.group(1)), int(m.group(2))) if m else None


def main(root: Path) -> int:
    problems = []
    example = (root / "examples/dart/pubspec.yaml").read_text()
    runtime = (root / "dart/calcgen/pubspec.yaml").read_text()
    script = (root / "examples/dart/tool/generate.sh").read_text()
    pins = set(re.findall(r"protoc_plugin (\d+\.\d+\.\d+)", script))
    if len(pins) != 1:
        problems.append(f"tool/generate.sh pins protoc_plugin {sorted(pins) or 'nowhere'}; want one version")
    else:
        (pin,) = pins
        plugin_major = int(pin.split(".")[0])
        protobuf = major_min(constraint(example, "protobuf"))
        want = PROTOBUF_FOR_PLUGIN.get(plugin_major)
        if protobuf is None or protobuf[0] != want:
            problems.append(f"examples/dart/pubspec.yaml: protobuf {constraint(example, 'protobuf')!r} does not fit "
                            f"protoc_plugin {pin} (its output needs protobuf {want}.x)")
        for doc in ("docs/dart.md", "examples/dart/README.md", "generator/calcgen/dart_names.py"):
            found = set(re.findall(r"protoc_plugin[*\s]+(\d+\.\d+\.\d+)", (root / doc).read_text()))
            if found != {pin}:
                problems.append(f"{doc} names protoc_plugin {sorted(found)}, tool/generate.sh {pin}")
    sdk_example, sdk_runtime = (major_min(re.search(r"^  sdk: (\S+)$", t, re.M).group(1))
                                for t in (example, runtime))
    if sdk_example is None or sdk_runtime is None or sdk_example < sdk_runtime:
        problems.append(f"the example's SDK constraint {sdk_example} is below the runtime package's {sdk_runtime}")
    project = re.search(r"version: '([^']+)'", (root / "meson.build").read_text()).group(1)
    package = re.search(r"^version: (\S+)$", runtime, re.M).group(1)
    if package != project:
        problems.append(f"dart/calcgen/pubspec.yaml is version {package}, calcgen {project}")
    if not re.search(r"^  calcgen:\n    path: \.\./\.\./dart/calcgen$", example, re.M):
        problems.append("examples/dart/pubspec.yaml does not depend on the runtime package at ../../dart/calcgen")
    for p in problems:
        print(p)
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
