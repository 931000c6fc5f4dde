"""The generated Python stub on kernel ops whose messages calcgen's C codecs
do not cover (tests/schemas/unusual/proto2.proto): the stub encodes and
decodes those requests itself, so zeros, defaults, batches from any buffer
or iterable, and their errors are checked against the real library.

Environment: PROTO2_LIB (the .so), PROTO2_STUB_DIR (proto2_calcgen.py)."""

import array
import os
import sys
import unittest

sys.path.insert(0, os.environ["PROTO2_STUB_DIR"])

import calcgen_runtime as rt  # noqa: E402
import proto2_calcgen as p2  # noqa: E402


class Proto2Stub(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.legacy = p2.LegacyLegacy(os.environ["PROTO2_LIB"])

    def test_a_zero_operand_is_sent_as_zero(self):
        # Pair.a has [default = 3]: left out, the library would add 3.
        self.assertEqual(self.legacy.add(0, 5), 5)
        self.assertEqual(self.legacy.add(0, 0), 0)  # and Value.value's default, 7, is not read
        self.assertEqual(self.legacy.add(-4, 4), 0)

    def test_checked_overflow(self):
        with self.assertRaises(rt.CalcgenError) as e:
            self.legacy.add(2 ** 63 - 1, 1)
        self.assertEqual(e.exception.status_name, "CG_ERR_OVERFLOW")

    def test_batches_from_buffers_and_iterables(self):
        a, b = [0, -1, 2 ** 63 - 1, -(2 ** 63)], [0, 1, 0, 0]
        want = [0, 0, 2 ** 63 - 1, -(2 ** 63)]
        self.assertEqual(list(self.legacy.batch_add(a, b)), want)
        self.assertEqual(list(self.legacy.batch_add(array.array("q", a), memoryview(array.array("q", b)))), want)
        self.assertEqual(list(self.legacy.batch_add((x for x in a), iter(b))), want)
        self.assertEqual(list(self.legacy.batch_add([], [])), [])

    def test_batch_errors(self):
        with self.assertRaises(rt.CalcgenError) as e:
            self.legacy.batch_add([1, 2], [1])
        self.assertEqual(e.exception.status_name, "CG_ERR_INVALID_ARGUMENT")
        with self.assertRaises(OverflowError) as e:
            self.legacy.batch_add([2 ** 63], [1])
        self.assertIn("BatchAdd: a", str(e.exception))
        with self.assertRaises(TypeError):
            self.legacy.batch_add(["x"], [1])


if __name__ == "__main__":
    unittest.main()
