"""Per-call time of the generated Python stub, beside plain ctypes calls in
the same run: a trivial C function (the floor of any ctypes call) and the C
host API (encode, dispatch, decode in C behind one ctypes call). Single ops
go through _calcgen_fast when it is importable (PYTHONPATH=build/runtime/python).

    python3 bench/bench_python.py LIBCALCULATOR.so GENERATED_DIR"""

import array
import ctypes
import sys
import timeit


def best(stmt, number, repeat=5):
    return min(timeit.repeat(stmt, number=number, repeat=repeat)) / number * 1e9


def main(lib_path, stub_dir):
    sys.path.insert(0, stub_dir)
    import calculator_calcgen as cg

    calc = cg.CalcCalculator(lib_path)
    lib = ctypes.CDLL(lib_path)
    schema_hash = lib.calc_calculator_schema_hash
    schema_hash.argtypes, schema_hash.restype = [], ctypes.c_uint64
    invoke_add = lib.calc_calculator_invoke_add
    invoke_add.argtypes = [ctypes.c_int64, ctypes.c_int64, ctypes.POINTER(ctypes.c_int64)]
    invoke_add.restype = ctypes.c_int32
    out = ctypes.c_int64()
    out_ref = ctypes.byref(out)
    a = array.array("q", range(1000))
    b = array.array("q", [7] * 1000)
    res = array.array("q", bytes(8000))

    rows = [
        ("plain ctypes call: calc_calculator_schema_hash()", best(lambda: schema_hash(), 200000)),
        ("ctypes call of the C host API: calc_calculator_invoke_add", best(lambda: invoke_add(12345, 678, out_ref), 200000)),
        ("generated stub: calc.add(12345, 678)", best(lambda: calc.add(12345, 678), 100000)),
        ("generated stub: calc.divide_float(1.5, 3.0)", best(lambda: calc.divide_float(1.5, 3.0), 100000)),
        ("generated stub: calc.batch_add_fixed_into, n=1000 (per call)",
         best(lambda: calc.batch_add_fixed_into(a, b, res), 5000)),
        ("generated stub: calc.batch_add_fixed, n=1000 (per call)", best(lambda: calc.batch_add_fixed(a, b), 5000)),
        ("generated stub: calc.batch_add (varint), n=1000 (per call)", best(lambda: calc.batch_add(a, b), 2000)),
    ]
    floor = rows[0][1]
    fast = cg._rt.fast is not None and isinstance(calc.add, cg._rt.fast.ScalarOp)
    print("single ops through " + ("_calcgen_fast (runtime/python/calcgen_fast.c)" if fast
                                   else "ctypes (_calcgen_fast not importable, or CALCGEN_PYTHON_FAST=0)"))
    print(f"{'path':64} {'ns/call':>10} {'x plain ctypes':>15}")
    for name, ns in rows:
        print(f"{name:64} {ns:10.0f} {ns / floor:14.1f}x")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
