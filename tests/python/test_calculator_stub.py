"""The generated ctypes stub (generated/calculator_calcgen.py) driving the real
libcalculator.so: every op, every error path, user ops with messages of
Google's protobuf runtime, and equality with the C host API
(calc_calculator_invoke_*) called through plain ctypes.

Environment: CALCULATOR_LIB (the .so), STUB_DIR (where calculator_calcgen.py
is), SCHEMA_DIR (schemas/)."""

import array
import ctypes
import math
import os
import random
import subprocess
import sys
import tempfile
import unittest

LIB = os.environ["CALCULATOR_LIB"]
STUB_DIR = os.environ["STUB_DIR"]
SCHEMA_DIR = os.environ["SCHEMA_DIR"]

_pb_dir = tempfile.mkdtemp(prefix="calcgen-pb2-")
subprocess.run(["protoc", f"-I{SCHEMA_DIR}", "-I/usr/include", f"--python_out={_pb_dir}",
                os.path.join(SCHEMA_DIR, "calculator.proto"), os.path.join(SCHEMA_DIR, "calcgen", "options.proto"),
                "/usr/include/protobuf-c/protobuf-c.proto"], check=True)
sys.path[:0] = [_pb_dir, STUB_DIR]

import calcgen_runtime as rt  # noqa: E402
import calculator_calcgen as cg  # noqa: E402
import calculator_pb2 as pb  # noqa: E402

I64_MIN, I64_MAX = -(2 ** 63), 2 ** 63 - 1


def wrap64(v):
    v &= 2 ** 64 - 1
    return v - 2 ** 64 if v >= 2 ** 63 else v


def trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


class Stub(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.calc = cg.CalcCalculator(LIB)
        cls.c = ctypes.CDLL(LIB)
        for name in ("add", "subtract", "multiply", "divide", "modulo", "add_checked", "multiply_checked"):
            f = getattr(cls.c, f"calc_calculator_invoke_{name}")
            f.argtypes = [ctypes.c_int64, ctypes.c_int64, ctypes.POINTER(ctypes.c_int64)]
            f.restype = ctypes.c_int32

    def expect_error(self, status, fragment, fn, *args):
        with self.assertRaises(cg.CalcgenError) as cm:
            fn(*args)
        self.assertEqual(cm.exception.status_name, status)
        self.assertIn(fragment, cm.exception.message)

    def test_fast_path_as_configured(self):
        """Single ops go through _calcgen_fast where the build made it, and
        through ctypes with CALCGEN_PYTHON_FAST=0."""
        expect = os.environ.get("CALCGEN_EXPECT_FAST")
        fast = rt.fast is not None and isinstance(self.calc.add, rt.fast.ScalarOp)
        if expect == "1":
            self.assertTrue(fast)
        elif expect == "0":
            self.assertFalse(fast)
            self.assertIsNone(rt.fast)

    def test_single_ops(self):
        c = self.calc
        self.assertEqual(c.add(7, 5), 12)
        self.assertEqual(c.subtract(7, 5), 2)
        self.assertEqual(c.multiply(-7, 5), -35)
        self.assertEqual(c.divide(-7, 2), -3)
        self.assertEqual(c.modulo(-7, 2), -1)
        self.assertEqual(c.add_checked(1, 2), 3)
        self.assertEqual(c.multiply_checked(-3, 4), -12)
        self.assertEqual(c.add(I64_MAX, 1), I64_MIN)
        self.assertEqual(c.divide(I64_MIN, -1), I64_MIN)
        self.assertEqual(c.modulo(I64_MIN, -1), 0)
        self.assertEqual(c.divide_float(1.0, 4.0), 0.25)
        self.assertEqual(c.divide_float(-1.0, 0.0), -math.inf)
        self.assertTrue(math.isnan(c.divide_float(0.0, 0.0)))
        self.assertEqual(math.copysign(1, c.divide_float(-0.0, 1.0)), -1)
        self.assertEqual(c.add_fixed(-7, 5), -2)
        self.assertEqual(c.add_fixed(I64_MAX, 1), I64_MIN)
        self.assertEqual(c.add_fixed(0, 0), 0)

    def test_fixed_single_op_matches_add(self):
        # AddFixed's sfixed64 wire gives Add's results, and takes requests
        # Google's runtime encodes and answers in bytes it decodes
        c, rnd = self.calc, random.Random(11)
        for _ in range(300):
            a, b = rnd.randrange(I64_MIN, I64_MAX + 1), rnd.randrange(-2 ** 20, 2 ** 20)
            self.assertEqual(c.add_fixed(a, b), c.add(a, b))
            req = pb.FixedOp(a=a, b=b).SerializeToString()
            c._call(cg.CalcCalculatorOps.ADD_FIXED, "AddFixed", bytearray(req), len(req))
            self.assertEqual(pb.FixedValue.FromString(bytes(c._response())).value, wrap64(a + b))

    def test_errors(self):
        c = self.calc
        self.expect_error("CG_ERR_DIVIDE_BY_ZERO", "Divide: division by zero", c.divide, 1, 0)
        self.expect_error("CG_ERR_DIVIDE_BY_ZERO", "Modulo", c.modulo, 1, 0)
        self.expect_error("CG_ERR_OVERFLOW", "AddChecked", c.add_checked, I64_MAX, 1)
        self.expect_error("CG_ERR_OVERFLOW", "MultiplyChecked", c.multiply_checked, I64_MIN, -1)
        self.expect_error("CG_ERR_OVERFLOW", "21! does not fit", c.factorial, pb.FactorialRequest(n=21))
        self.expect_error("CG_ERR_INVALID_ARGUMENT", "radix 99", c.format_number, pb.FormatRequest(value=1, radix=99))
        a = array.array("q", [1, 2, 3])
        self.expect_error("CG_ERR_INVALID_ARGUMENT", "operand lengths differ", c.batch_add, a, array.array("q", [1]))
        self.expect_error("CG_ERR_DIVIDE_BY_ZERO", "at index 2", c.batch_divide, a, array.array("q", [1, 1, 0]))
        self.expect_error("CG_ERR_OVERFLOW", "at index 1", c.batch_add_checked,
                          array.array("q", [1, I64_MAX]), array.array("q", [1, 1]))
        # raw dispatch: unknown op and malformed bytes reach Python as statuses
        buf = bytearray(b"\x08\xff\xff")
        with self.assertRaises(cg.CalcgenError) as cm:
            c._call(999, "op 999", buf, 0)
        self.assertEqual(cm.exception.status_name, "CG_ERR_UNKNOWN_OP")
        with self.assertRaises(cg.CalcgenError) as cm:
            c._call(cg.CalcCalculatorOps.ADD, "Add", buf, len(buf))
        self.assertEqual(cm.exception.status_name, "CG_ERR_DECODE")

    def test_batches(self):
        c = self.calc
        rnd = random.Random(7)
        n = 3000
        a = array.array("q", (rnd.randrange(-2 ** 40, 2 ** 40) for _ in range(n)))
        b = array.array("q", (rnd.randrange(1, 1000) for _ in range(n)))
        self.assertEqual(list(c.batch_add(a, b)), [x + y for x, y in zip(a, b)])
        self.assertEqual(list(c.batch_subtract(a, b)), [x - y for x, y in zip(a, b)])
        self.assertEqual(list(c.batch_multiply(a, b)), [wrap64(x * y) for x, y in zip(a, b)])
        self.assertEqual(list(c.batch_divide(a, b)), [trunc_div(x, y) for x, y in zip(a, b)])
        self.assertEqual(list(c.batch_add_fixed(a, b)), [x + y for x, y in zip(a, b)])
        out = array.array("q", bytes(8 * n))
        self.assertIs(c.batch_add_fixed_into(a, b, out), out)
        self.assertEqual(out[n - 1], a[n - 1] + b[n - 1])
        self.assertEqual(list(c.batch_add(list(a), (x for x in b))), [x + y for x, y in zip(a, b)])
        self.assertEqual(list(c.batch_add_fixed(memoryview(a), b)), list(out))
        self.assertEqual(list(c.batch_add(array.array("q"), array.array("q"))), [])
        self.assertEqual(list(c.batch_add_fixed(array.array("q"), array.array("q"))), [])
        fa, fb = array.array("d", [1.5, -2.0, math.inf]), array.array("d", [2.0, 0.5, 0.0])
        got = list(c.batch_multiply_float(fa, fb))
        self.assertEqual(got[:2], [3.0, -1.0])
        self.assertTrue(math.isnan(got[2]))

    def test_arguments_are_checked(self):
        """Values outside the field's range and buffers of the wrong item type are
        refused by name, never wrapped or reinterpreted."""
        c = self.calc
        with self.assertRaisesRegex(OverflowError, r"Add: a=1180591620717411303424 is outside the field's range"):
            c.add(2 ** 70, 1)
        with self.assertRaisesRegex(OverflowError, "AddChecked: a=18446744073709551616"):
            c.add_checked(2 ** 64, 1)
        with self.assertRaisesRegex(OverflowError, "AddFixed: b="):
            c.add_fixed(1, -2 ** 63 - 1)
        with self.assertRaisesRegex(TypeError, "Add: b must be an int, not float"):
            c.add(1, 2.5)
        with self.assertRaisesRegex(TypeError, "DivideFloat: a must be a float, not str"):
            c.divide_float("1", 2.0)
        ints = array.array("i", [1, 2, 3])
        q = array.array("q", [1, 2, 3])
        with self.assertRaisesRegex(TypeError, r"BatchAddFixed: a holds items of format 'i' \(4 bytes\)"):
            c.batch_add_fixed(ints, ints)
        with self.assertRaisesRegex(TypeError, "BatchAdd: b holds items of format 'd'"):
            c.batch_add(q, array.array("d", [1.0, 2.0, 3.0]))
        with self.assertRaisesRegex(TypeError, "BatchAddFixed: a holds items of format 'B'"):
            c.batch_add_fixed(bytes(24), q)
        with self.assertRaisesRegex(OverflowError, "BatchAdd: a:"):
            c.batch_add([2 ** 63, 1, 1], q)
        with self.assertRaisesRegex(TypeError, "BatchAddFixed: out is read-only"):
            c.batch_add_fixed_into(q, q, memoryview(bytes(24)).cast("q"))
        self.expect_error("CG_ERR_INVALID_ARGUMENT", "out holds 2 items; 3 are needed",
                          c.batch_add_fixed_into, q, q, array.array("q", [0, 0]))
        self.assertEqual(list(c.batch_add_fixed(memoryview(bytes(q)).cast("q"), q)), [2, 4, 6])  # read-only input

    def test_buffers_in_place_empty_and_strided(self):
        c = self.calc
        empty = array.array("q")
        self.assertEqual(len(c.batch_add_fixed(empty, empty)), 0)
        out = array.array("q", [7])
        self.assertIs(c.batch_add_fixed_into(empty, empty, out), out)
        self.assertEqual(list(out), [7])
        q = array.array("q", range(6))
        with self.assertRaisesRegex(TypeError, "contiguous"):
            c.batch_add_fixed(memoryview(q)[::2], memoryview(q)[::2])
        c.batch_add_fixed_into(q, q, q)  # in place, in the caller's array
        self.assertEqual(list(q), [0, 2, 4, 6, 8, 10])
        # the holder exports the buffer: it cannot be resized (freed) while a call uses it
        holder, n = rt.buffer_arg("X", "a", "i64", q)
        self.assertEqual((n, ctypes.addressof(holder)), (6, q.buffer_info()[0]))
        with self.assertRaises(BufferError):
            q.append(1)
        del holder
        q.append(1)

    def test_one_stub_shared_by_threads(self):
        """ctypes drops the GIL during each call: per-thread response state keeps
        every thread's results its own."""
        import threading
        c, errors = self.calc, []

        def work(seed):
            rnd = random.Random(seed)
            try:
                for _ in range(2000):
                    a, b = rnd.randrange(-2 ** 40, 2 ** 40), rnd.randrange(-2 ** 40, 2 ** 40)
                    if c.add(a, b) != a + b or c.add_fixed(a, b) != a + b:
                        errors.append((seed, a, b))
                    if c.format_number(pb.FormatRequest(value=a, radix=10)).text != str(a):
                        errors.append((seed, "format", a))
                    xs = array.array("q", [a, b, a])
                    if list(c.batch_add(xs, xs)) != [2 * a, 2 * b, 2 * a]:
                        errors.append((seed, "batch", a, b))
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])

    def test_user_ops(self):
        c = self.calc
        self.assertEqual(c.factorial(pb.FactorialRequest(n=20)).value, 2432902008176640000)
        self.assertEqual(c.factorial(pb.FactorialRequest()).value, 1)
        self.assertEqual(c.format_number(pb.FormatRequest(value=-255, radix=16)).text, "-ff")
        self.assertEqual(c.format_number(pb.FormatRequest(value=I64_MIN, radix=2)).text, "-1" + "0" * 63)

    def test_equal_to_the_c_host(self):
        rnd = random.Random(11)
        edges = [0, 1, -1, 2, I64_MIN, I64_MAX, 2 ** 32, -(2 ** 31)]
        for _ in range(2000):
            a = rnd.choice(edges) if rnd.random() < 0.3 else rnd.randrange(I64_MIN, I64_MAX)
            b = rnd.choice(edges) if rnd.random() < 0.3 else rnd.randrange(-1000, 1000)
            for name in ("add", "subtract", "multiply", "divide", "modulo", "add_checked", "multiply_checked"):
                out = ctypes.c_int64()
                status = getattr(self.c, f"calc_calculator_invoke_{name}")(a, b, ctypes.byref(out))
                try:
                    got, got_status = getattr(self.calc, name)(a, b), 0
                except cg.CalcgenError as e:
                    got, got_status = None, e.status
                self.assertEqual(got_status, status, (name, a, b))
                if status == 0:
                    self.assertEqual(got, out.value, (name, a, b))

    def test_schema_hash_mismatch_is_refused(self):
        original = cg.CalcCalculatorOps.SCHEMA_HASH
        try:
            cg.CalcCalculatorOps.SCHEMA_HASH = original ^ 1
            with self.assertRaisesRegex(RuntimeError, "built from another calculator.proto"):
                cg.CalcCalculator(LIB)
        finally:
            cg.CalcCalculatorOps.SCHEMA_HASH = original


if __name__ == "__main__":
    unittest.main()
