"""The JavaScript bindings over the WebAssembly module against the native
library, on the same inputs.

Draws seeded random calls for every op of every service in a .proto (single
ops and batches through their typed methods, and raw request bytes, valid,
mutated and random, through dispatch for every op id and an unknown one),
runs them natively through the generated Python stub over the native library
(ctypes), then replays them in Node through the generated JavaScript binding
over each wasm module (js_replay.mjs), and compares every result bit for bit:
values, statuses, the failing index and response bytes.

usage: js_vs_native.py PROTO... -I DIR --bindings DIR --native LIB --module WASM... [--seed N] [--count N]
"""

import argparse
import ctypes
import importlib
import json
import math
import random
import struct
import subprocess
import sys
from pathlib import Path

from calcgen.cli import _model

INT_RANGES = {"i32": (-2**31, 2**31 - 1), "u32": (0, 2**32 - 1), "i64": (-2**63, 2**63 - 1), "u64": (0, 2**64 - 1)}


def draw_int(rng, elem):
    lo, hi = INT_RANGES[elem]
    kind = rng.randrange(5)
    if kind == 0:
        v = rng.randint(-100, 100)
    elif kind == 1:
        v = rng.randint(-2**31, 2**32)
    elif kind == 2:
        v = rng.choice([lo, hi, 0, 1, -1, lo + 1, hi - 1, 2**31, -2**31, 2**32 - 1])
    else:
        v = rng.randint(lo, hi)
    return min(max(v, lo), hi)


def draw_float(rng, elem):
    kind = rng.randrange(4)
    if kind == 0:
        v = rng.choice([0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, 5e-324, 1.7976931348623157e308])
    elif kind == 1:
        v = rng.uniform(-1e6, 1e6)
    else:
        bits = rng.getrandbits(64 if elem == "f64" else 32)
        v = struct.unpack("<d", struct.pack("<Q", bits))[0] if elem == "f64" else \
            struct.unpack("<f", struct.pack("<I", bits))[0]
    if elem == "f32" and math.isfinite(v):  # a float operand: what the f32 value of v is
        v = struct.unpack("<f", struct.pack("<f", v))[0] if abs(v) < 3.4e38 else math.copysign(math.inf, v)
    return v


def draw(rng, elem):
    return draw_float(rng, elem) if elem[0] == "f" else draw_int(rng, elem)


def enc(elem, v):
    """JSON form of one value: integers as decimal strings, floats as their bits."""
    if elem[0] == "f":
        return struct.pack("<d" if elem == "f64" else "<f", v).hex()
    return str(int(v))


def run_native(stub, lib, case):
    method = getattr(stub, case["py"])
    try:
        if case["kind"] == "scalar":
            elem = case["elem"]
            return {"value": enc(elem, method(*case["args"]))}
        if case["kind"] == "batch":
            elem = case["elem"]
            return {"value": [enc(elem, v) for v in method(*case["args"])]}
    except stub_errors as e:
        return {"status": e.status, "index": lib.cg_last_error_index()}
    raise AssertionError(case)


def run_dispatch(lib, op, payload):
    from calcgen_runtime import Bytes
    resp = Bytes()
    buf = (ctypes.c_uint8 * max(len(payload), 1)).from_buffer_copy(payload or b"\0")
    status = lib.dispatch(op, buf, len(payload), ctypes.byref(resp))
    if status:
        return {"status": status, "index": lib.cg_last_error_index()}
    return {"bytes": ctypes.string_at(resp.data, resp.len).hex() if resp.len else ""}


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        what = rng.randrange(3)
        if what == 0 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif what == 1:
            data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
        elif data:
            del data[rng.randrange(len(data))]
    return bytes(data)


def draw_all(protos, includes, bindings, native, seed, count):
    """Seeded calls for every op of every service in `protos`, and their
    results from the native library: (cases, expected)."""
    _, _, _, files = _model(argparse.Namespace(files=protos, includes=includes))
    if bindings not in sys.path:
        sys.path.insert(0, bindings)
    global stub_errors
    rt = importlib.import_module("calcgen_runtime")
    stub_errors = rt.CalcgenError
    rng = random.Random(seed)
    lib = ctypes.CDLL(native)
    lib.cg_last_error_index.restype = ctypes.c_int64
    cases, expected = [], []
    for pf in files:
        mod = importlib.import_module(Path(pf.python_file).stem)
        for svc in pf.services:
            stub = getattr(mod, svc.class_name)(native)
            lib.dispatch = getattr(lib, f"{svc.prefix}_dispatch")
            lib.dispatch.argtypes = [ctypes.c_uint32, ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(rt.Bytes)]
            lib.dispatch.restype = ctypes.c_int32
            for op in svc.ops:
                base = {"file": pf.js_file, "service": svc.class_name, "js": op.js_name, "py": op.python_name}
                if op.is_user:
                    continue
                elem = op.elem.suffix
                for _ in range(count if not op.batch else max(count // 10, 5)):
                    if op.batch:
                        n = rng.choice([0, 1, 2, 7, 31, 64, 65, 255, 256, 257, 1000, rng.randrange(600)])
                        a = [draw(rng, elem) for _ in range(n)]
                        b = [draw(rng, elem) for _ in range(n)]
                        case = dict(base, kind="batch", elem=elem, args=[a, b])
                    else:
                        a, b = draw(rng, elem), draw(rng, elem)
                        if op.kernel in ("DIV", "MOD") and rng.randrange(8) == 0:
                            edges = {"f": [(a, 0.0)], "u": [(a, 0)], "i": [(a, 0), (INT_RANGES.get(elem, (0,))[0], -1)]}
                            a, b = rng.choice(edges[elem[0]])
                        case = dict(base, kind="scalar", elem=elem, args=[a, b])
                    expected.append(run_native(stub, lib, case))
                    case["args"] = [[enc(elem, v) for v in x] if op.batch else enc(elem, x) for x in case["args"]]
                    cases.append(case)
            # Raw bytes through dispatch, for every op and two unknown ids:
            # a few well-formed requests, mutations of them and random bytes.
            for op_id in [op.id for op in svc.ops] + [max(op.id for op in svc.ops) + 1, 0]:
                samples = [b"", bytes([8, 5]), bytes([8, 5, 16, 16]), bytes([8, 0xff] * 3)]
                samples += [mutate(rng, samples[rng.randrange(len(samples))]) for _ in range(count // 10)]
                samples += [bytes(rng.randrange(256) for _ in range(rng.randrange(40))) for _ in range(count // 10)]
                for payload in samples:
                    expected.append(run_dispatch(lib, op_id, payload))
                    cases.append({"file": pf.js_file, "service": svc.class_name, "kind": "dispatch",
                                  "op": op_id, "bytes": payload.hex()})
    return cases, expected


def draw_arguments(p):
    """The arguments draw_all takes, on an argparse parser (this script's and check_page.py's)."""
    p.add_argument("protos", nargs="+")
    p.add_argument("-I", dest="includes", action="append", default=[])
    p.add_argument("--bindings", required=True)
    p.add_argument("--native", required=True)


def main():
    p = argparse.ArgumentParser()
    draw_arguments(p)
    p.add_argument("--module", action="append", required=True)
    p.add_argument("--seed", type=int, default=20261129)
    p.add_argument("--count", type=int, default=300)
    args = p.parse_args()
    cases, expected = draw_all(args.protos, args.includes, args.bindings, args.native, args.seed, args.count)
    failures = 0
    for module in args.module:
        proc = subprocess.run(["node", str(Path(__file__).with_name("js_replay.mjs")), args.bindings, module],
                              input=json.dumps(cases), capture_output=True, text=True)
        if proc.returncode:
            print(proc.stdout[-2000:], proc.stderr[-4000:], file=sys.stderr)
            print(f"FAIL {module}: js_replay.mjs exited with {proc.returncode}")
            failures += 1
            continue
        got = json.loads(proc.stdout)
        bad = [(c, e, g) for c, e, g in zip(cases, expected, got) if e != g]
        for c, e, g in bad[:10]:
            print(f"MISMATCH {Path(module).name}: {json.dumps(c)[:300]}\n  native: {e}\n  wasm:   {g}")
        errors = sum("status" in e for e in expected)
        print(f"{Path(module).name}: {len(cases)} calls ({errors} failing natively with a status), "
              f"{len(cases) - len(bad)} identical to native, {len(bad)} differ")
        failures += bool(bad) or len(got) != len(cases)
    return 1 if failures else 0


stub_errors = ()

if __name__ == "__main__":
    sys.exit(main())
