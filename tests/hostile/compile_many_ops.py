"""Compile time and memory of a service with many ops (issue: the dispatch
switch was forced inline into every host-side function, so 1,000 ops took
227 s and 6.5 GB at -O0). Generates a service of N ops (kernel and user ops
mixed), compiles its .calcgen.c at -O0 and -O2, prints seconds and peak
memory, and fails above generous bounds that only a superlinear blow-up
reaches (not a benchmark: a guard).
    compile_many_ops.py CALCGEN_LAUNCHER WORK_DIR RUNTIME_INCLUDE BUILD_INCLUDE [N]"""

import subprocess
import sys
import time
from pathlib import Path

MAX_SECONDS, MAX_MIB = 120, 2048


def schema(n):
    lines = ['syntax = "proto3";', "package many.v1;", 'import "calcgen/options.proto";',
             "message Pair { int64 a = 1; int64 b = 2; }", "message Sum { int64 value = 1; }",
             "message Pairs { repeated int64 a = 1; repeated int64 b = 2; }",
             "message Sums { repeated int64 values = 1; }",
             "message Note { string text = 1; repeated int32 tags = 2; }", "service Many {"]
    kernels = ["ADD", "SUB", "MUL", "DIV", "MOD", "MIN", "MAX"]
    for i in range(n):
        k = kernels[i % len(kernels)]
        if i % 3 == 0:
            lines.append(f"  rpc Op{i}(Pair) returns (Sum) {{ option (calcgen.op) = {{ id: {i + 1} kernel: {k} }}; }}")
        elif i % 3 == 1:
            lines.append(f"  rpc Op{i}(Pairs) returns (Sums) {{ option (calcgen.op) = {{ id: {i + 1} kernel: {k} }}; }}")
        else:
            lines.append(f"  rpc Op{i}(Note) returns (Note) {{ option (calcgen.op) = {{ id: {i + 1} }}; }}")
    return "\n".join(lines + ["}", ""])


def main():
    calcgen, work, runtime_inc, build_inc = sys.argv[1:5]
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 2000
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    (work / "many.proto").write_text(schema(n))
    subprocess.run([calcgen, "generate", "-I", str(work), "--c-out", str(work / "out"), str(work / "many.proto")],
                   check=True)
    failed = False
    for opt in ("-O0", "-O2"):
        cc = ["cc", "-std=c17", opt, "-c", str(work / "out" / "many.calcgen.c"), "-o", str(work / "many.o"),
              f"-I{work / 'out'}", f"-I{runtime_inc}", f"-I{build_inc}"]
        # a Python of its own around the compiler: its children's peak is the compiler's alone
        meter = ("import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:]).returncode; "
                 "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(rc)")
        start = time.monotonic()
        proc = subprocess.run([sys.executable, "-c", meter, *cc], capture_output=True, text=True)
        seconds = time.monotonic() - start
        sys.stderr.write(proc.stderr)
        mib = int(proc.stdout.strip() or 0) / 1024
        print(f"{n} ops, cc {opt}: {seconds:.1f} s, peak {mib:.0f} MiB")
        if proc.returncode or seconds > MAX_SECONDS or mib > MAX_MIB:
            print(f"FAIL: over {MAX_SECONDS} s or {MAX_MIB} MiB, or the compile failed")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
