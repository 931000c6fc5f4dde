"""The contract's kernel semantics in Python: the expected status and
result of a built-in op (README "Schema options"; docs/kernels.md).

Integers: ADD/SUB/MUL wrap (WRAP) or fail with CG_ERR_OVERFLOW (CHECKED);
DIV/MOD truncate toward zero, a zero divisor is CG_ERR_DIVIDE_BY_ZERO,
MIN / -1 gives MIN and 0 (WRAP) or CG_ERR_OVERFLOW (CHECKED). Floats: IEEE
754 (x/0 is +-inf, NaN propagates), MOD is fmod, MIN/MAX as fmin/fmax with
-0.0 below +0.0; binary32 results are rounded once from the exact double
result (innocuous for + - * / and exact for fmod)."""

import math
import struct

OK, INVALID_ARGUMENT, DIVIDE_BY_ZERO, OVERFLOW = 0, 3, 4, 5

INT_TYPES = {  # proto type -> (bits, signed)
    "int32": (32, True), "sint32": (32, True), "sfixed32": (32, True),
    "uint32": (32, False), "fixed32": (32, False),
    "int64": (64, True), "sint64": (64, True), "sfixed64": (64, True),
    "uint64": (64, False), "fixed64": (64, False),
}


def int_range(proto):
    bits, signed = INT_TYPES[proto]
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


def to_f32(x):
    """Rounds a double to binary32 as a C (float) conversion does."""
    if math.isnan(x) or math.isinf(x):
        return x
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def _trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _int_op(kernel, checked, proto, a, b):
    lo, hi = int_range(proto)
    bits, signed = INT_TYPES[proto]
    if kernel in ("ADD", "SUB", "MUL"):
        exact = {"ADD": a + b, "SUB": a - b, "MUL": a * b}[kernel]
        if lo <= exact <= hi:
            return OK, exact
        if checked:
            return OVERFLOW, None
        wrapped = exact & ((1 << bits) - 1)
        return OK, wrapped - (1 << bits) if signed and wrapped > hi else wrapped
    if kernel in ("DIV", "MOD"):
        if b == 0:
            return DIVIDE_BY_ZERO, None
        if signed and a == lo and b == -1:
            return (OVERFLOW, None) if checked else (OK, lo if kernel == "DIV" else 0)
        q = _trunc_div(a, b)
        return OK, q if kernel == "DIV" else a - q * b
    return OK, min(a, b) if kernel == "MIN" else max(a, b)


def _float_op(kernel, a, b):
    if kernel == "ADD":
        return a + b
    if kernel == "SUB":
        return a - b
    if kernel == "MUL":
        return a * b
    if kernel == "DIV":
        if b == 0:
            if math.isnan(a) or a == 0:
                return math.nan
            return math.copysign(math.inf, a) * math.copysign(1.0, b)
        return a / b
    if kernel == "MOD":
        if math.isnan(a) or math.isnan(b) or math.isinf(a) or b == 0:
            return math.nan
        return a if math.isinf(b) else math.fmod(a, b)
    if math.isnan(a):
        return b
    if math.isnan(b):
        return a
    if a == b == 0:  # -0.0 orders below +0.0
        neg_a = math.copysign(1.0, a) < 0
        if kernel == "MIN":
            return a if neg_a else b
        return b if neg_a else a
    return min(a, b) if kernel == "MIN" else max(a, b)


def apply(kernel, overflow, proto, a, b):
    """(status, result) of one element."""
    if proto in INT_TYPES:
        return _int_op(kernel, overflow == "CHECKED", proto, a, b)
    r = _float_op(kernel, a, b)
    return OK, to_f32(r) if proto == "float" else r


def apply_batch(kernel, overflow, proto, a, b):
    """(status, results): the first failing element fails the batch."""
    if len(a) != len(b):
        return INVALID_ARGUMENT, None
    out = []
    for x, y in zip(a, b):
        st, r = apply(kernel, overflow, proto, x, y)
        if st != OK:
            return st, None
        out.append(r)
    return OK, out


def same(proto, x, y):
    """Bit equality, any NaN matching any NaN (docs/kernels.md leaves which
    NaN open when both operands are NaN)."""
    if proto not in ("float", "double"):
        return x == y
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    fmt = "<f" if proto == "float" else "<d"
    return struct.pack(fmt, x) == struct.pack(fmt, y)
