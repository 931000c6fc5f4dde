"""_calcgen_fast's ScalarOp (runtime/python/calcgen_fast.c) against the
stub's own methods: every single kernel op of every numeric type in the
unseen schemas (kitchen.proto's Numbers, plain.proto, unusual/proto2.proto)
called both ways on edge values gives the same result, bit for bit, or the
same exception with the same words. Also: the stubs really use it, it
collects with its instance, and it keeps the method's name and doc.

Environment: UNSEEN_LIB (the library built from those schemas),
UNSEEN_STUB_DIR (their generated stubs), CALCGEN_EXPECT_FAST=1."""

import gc
import importlib
import inspect
import itertools
import math
import os
import struct
import sys
import unittest
import weakref

sys.path.insert(0, os.environ["UNSEEN_STUB_DIR"])

import calcgen_runtime as rt  # noqa: E402

LIB = os.environ["UNSEEN_LIB"]
MODULES = ["kitchen_calcgen", "plain_calcgen", "proto2_calcgen"]
BOUNDS = {"i32": (-(2 ** 31), 2 ** 31 - 1), "i64": (-(2 ** 63), 2 ** 63 - 1),
          "u32": (0, 2 ** 32 - 1), "u64": (0, 2 ** 64 - 1)}


def values(elem):
    if elem in BOUNDS:
        lo, hi = BOUNDS[elem]
        return [lo, hi, lo - 1, hi + 1, lo + 1, hi - 1, 0, 1, -1, 2, 7, -7, 3 ** 20, True, False,
                2 ** 64, -(2 ** 64), 1.0, "3", None]
    return [0.0, -0.0, 1.5, -2.25, math.inf, -math.inf, math.nan, -math.nan, 1e300, -1e300, 3.4e38,
            3.5e38, 1e-45, 5e-324, 1, -3, True, 2 ** 1100, "x"]


def outcome(fn, a, b):
    try:
        r = fn(a, b)
    except Exception as e:  # noqa: BLE001 - any exception must match
        return ("raised", type(e), str(e))
    if isinstance(r, float):
        return ("float", struct.pack("<d", r))
    return ("value", type(r), r)


def services():
    for name in MODULES:
        mod = importlib.import_module(name)
        for _, cls in inspect.getmembers(mod, inspect.isclass):
            if cls.__module__ == mod.__name__ and "library" in inspect.signature(cls.__init__).parameters \
                    and not cls.__name__.endswith("Async"):
                yield cls, cls(LIB)


class FastPath(unittest.TestCase):
    def test_in_use(self):
        if os.environ.get("CALCGEN_EXPECT_FAST") == "1":
            self.assertIsNotNone(rt.fast)
        fast_ops = [(cls, name) for cls, obj in services() for name, v in vars(obj).items()
                    if rt.fast is not None and isinstance(v, rt.fast.ScalarOp)]
        # kitchen's Numbers alone has a single op of each of the six types
        self.assertGreaterEqual(len(fast_ops), 24 if rt.fast is not None else 0)
        elems = {getattr(cls(LIB), name).elem for cls, name in fast_ops}
        if rt.fast is not None:
            self.assertEqual(elems, {"i32", "i64", "u32", "u64", "f32", "f64"})

    def test_same_as_the_stub_method(self):
        if rt.fast is None:
            self.skipTest("_calcgen_fast is not built here")
        checked = 0
        for cls, obj in services():
            for name, op in vars(obj).items():
                if not isinstance(op, rt.fast.ScalarOp):
                    continue
                slow = getattr(cls, name).__get__(obj)
                for a, b in itertools.product(values(op.elem), repeat=2):
                    fast, want = outcome(op, a, b), outcome(slow, a, b)
                    self.assertEqual(fast, want, f"{cls.__name__}.{name}({a!r}, {b!r})")
                    checked += 1
                # keyword and wrong-arity calls go to the method too
                self.assertEqual(outcome(lambda x, y: op(x, b=y), 1, 2), outcome(lambda x, y: slow(x, b=y), 1, 2))
                self.assertEqual(outcome(lambda x, y: op(x), 1, 2), outcome(lambda x, y: slow(x), 1, 2))
        self.assertGreater(checked, 10000)

    def test_name_doc_and_collection(self):
        if rt.fast is None:
            self.skipTest("_calcgen_fast is not built here")
        for cls, obj in services():
            fast = {name: op for name, op in vars(obj).items() if isinstance(op, rt.fast.ScalarOp)}
            for name in fast:
                self.assertEqual(fast[name].__doc__, getattr(cls, name).__doc__)
            # each ScalarOp holds a method bound to obj: a cycle the collector breaks
            ref = weakref.ref(obj)
            del obj, fast
            gc.collect()
            self.assertIsNone(ref(), f"a {cls.__name__} outlived its last reference")

    def test_misuse_of_the_type(self):
        if rt.fast is None:
            self.skipTest("_calcgen_fast is not built here")
        with self.assertRaises(ValueError):
            rt.fast.ScalarOp(0, "i64", print)
        with self.assertRaises(ValueError):
            rt.fast.ScalarOp(1, "i128", print)
        with self.assertRaises(TypeError):
            rt.fast.ScalarOp(1, "i64", 5)


if __name__ == "__main__":
    unittest.main()
