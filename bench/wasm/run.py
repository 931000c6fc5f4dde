"""The calculator under WebAssembly beside the native library, in one run:
bench_invoke (the typed entry points, C calling C) natively and in both wasm
modules under Node, and bench_js.mjs (the JavaScript bindings) over both
modules; rounds interleaved, the median of each case printed as a table.

    python3 bench/wasm/run.py NATIVE_BUILD WASM_BUILD [--quick] [--rounds N]
"""

import argparse
import statistics
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NODE_WASI = ["node", "--experimental-wasi-unstable-preview1", "--no-warnings", str(ROOT / "tests/wasm/run_wasi.mjs")]


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            rows[parts[0]] = (float(parts[1]), parts[2])
        elif len(parts) == 2 and parts[0] == "kernels":
            rows["kernels"] = (0.0, parts[1])
    return rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("native_build")
    p.add_argument("wasm_build")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    native, wasm = Path(args.native_build).resolve(), Path(args.wasm_build).resolve()
    q = ["--quick"] if args.quick else []
    bindings = str(ROOT / "generated")
    columns = {
        "native": [str(native / "bench/bench_invoke")] + q,
        "wasm simd128": NODE_WASI + [str(wasm / "bench/wasm/bench_invoke")] + q,
        "wasm scalar": NODE_WASI + [str(wasm / "bench/wasm/bench_invoke_scalar")] + q,
        "JS simd128": ["node", str(HERE / "bench_js.mjs"), bindings, str(wasm / "examples/calculator/calculator.wasm")] + q,
        "JS scalar": ["node", str(HERE / "bench_js.mjs"), bindings,
                      str(wasm / "examples/calculator/calculator-scalar.wasm")] + q,
    }
    samples = {c: {} for c in columns}
    for _ in range(args.rounds):
        for column, cmd in columns.items():
            for case, (value, unit) in run(cmd).items():
                samples[column].setdefault(case, []).append((value, unit))
    cases = {"add": "js_add", "divide_float": "js_divide_float", "batch_add_1000": "js_batch_add_1000",
             "batch_multiply_float_1000": "js_batch_multiply_float_1000"}
    med = {c: {k: (statistics.median(v for v, _ in xs), xs[0][1]) for k, xs in s.items()} for c, s in samples.items()}
    print(f"median of {args.rounds} interleaved rounds{' (quick)' if args.quick else ''}; "
          f"operands: 65,536 distinct pairs, 64 distinct batches of 1000")
    print(f"| case | unit | {' | '.join(columns)} |")
    print("|---|---|" + "---|" * len(columns))
    for case, js in cases.items():
        unit = med["native"][case][1]
        cells = []
        for column in columns:
            key = js if column.startswith("JS") else case
            cells.append(f"{med[column][key][0]:.3f}" if key in med[column] else "")
        print(f"| {case} | {unit} | {' | '.join(cells)} |")
    for kernel in ("kernel_add_i64_1000", "kernel_mul_f64_1000", "kernel_div_i32_1000"):
        cells = [f"{med[c][kernel][0]:.3f}" if kernel in med[c] else "" for c in columns]
        print(f"| {kernel} | {med['native'][kernel][1]} | {' | '.join(cells)} |")
    for extra in ("js_empty_export_call", "js_raw_invoke_add", "js_batch_add_into_1000", "js_batch_add_module_memory_1000"):
        cells = [f"{med[c][extra][0]:.3f}" if extra in med[c] else "" for c in columns]
        print(f"| {extra} | {med['JS simd128'][extra][1]} | {' | '.join(cells)} |")
    print("kernel sets: " + ", ".join(f"{c}: {samples[c]['kernels'][0][1] if 'kernels' in samples[c] else '?'}"
                                      for c in columns))


if __name__ == "__main__":
    main()
