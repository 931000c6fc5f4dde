"""calcgen's Python runtime: what every generated stub (*_calcgen.py) shares.

Status codes (as in calcgen/status.h), the CalcgenError a failed call raises,
a thread-safe pool of request buffers, argument checks for kernel ops
(scalar_arg, buffer_arg) and the few protobuf wire helpers the stubs use for
messages calcgen's C codecs do not cover. Standard library only.

`calcgen generate --python-out DIR` writes this file into DIR beside the
stubs; `meson install` puts it in share/calcgen/python. A stub checks ABI
and refuses a runtime it was not generated for.
"""

import array
import ctypes
import struct
import sys
import threading
import operator

# The contract between generated stubs and this module; stubs check it.
ABI = 2

STATUS = {
    0: "CG_OK",
    1: "CG_ERR_UNKNOWN_OP",
    2: "CG_ERR_DECODE",
    3: "CG_ERR_INVALID_ARGUMENT",
    4: "CG_ERR_DIVIDE_BY_ZERO",
    5: "CG_ERR_OVERFLOW",
    6: "CG_ERR_LIMIT",
    7: "CG_ERR_NO_MEMORY",
    8: "CG_ERR_HANDLER",
    9: "CG_ERR_CANCELLED",
    10: "CG_ERR_CLOSED",
}
CG_OK = 0
CG_ERR_UNKNOWN_OP = 1
CG_ERR_DECODE = 2
CG_ERR_INVALID_ARGUMENT = 3
CG_ERR_DIVIDE_BY_ZERO = 4
CG_ERR_OVERFLOW = 5
CG_ERR_LIMIT = 6
CG_ERR_NO_MEMORY = 7
CG_ERR_HANDLER = 8
CG_ERR_CANCELLED = 9
CG_ERR_CLOSED = 10


class CalcgenError(Exception):
    """A call returned a status other than CG_OK."""

    def __init__(self, op, status, message):
        super().__init__(f"{op}: {STATUS.get(status, 'CG_UNKNOWN_STATUS')}: {message}")
        self.op = op
        self.status = status
        self.status_name = STATUS.get(status, "CG_UNKNOWN_STATUS")
        self.message = message


class Bytes(ctypes.Structure):
    _fields_ = [("data", ctypes.POINTER(ctypes.c_uint8)), ("len", ctypes.c_size_t)]


class BufferPool:
    """A bounded pool of request buffers (bytearrays shared with ctypes); safe
    to share between threads."""

    def __init__(self, max_buffers=4, initial_bytes=4096):
        self.max_buffers = max_buffers
        self.initial_bytes = max(int(initial_bytes), 64)
        self._free = []
        self._lock = threading.Lock()

    def acquire(self, size):
        with self._lock:
            for i in range(len(self._free) - 1, -1, -1):
                if len(self._free[i]) >= size:
                    return self._free.pop(i)
            if self._free:
                self._free.pop()
        cap = self.initial_bytes
        while cap < size:
            cap *= 2
        return bytearray(cap)

    def release(self, buf):
        with self._lock:
            if len(self._free) < self.max_buffers:
                self._free.append(buf)


# Element types: array typecode, ctypes type, the buffer formats that hold
# them natively, the integer range (None for floats).
ELEMS = {
    "i32": ("i", ctypes.c_int32, {"i"} | ({"l"} if ctypes.sizeof(ctypes.c_long) == 4 else set()), (-2 ** 31, 2 ** 31 - 1)),
    "i64": ("q", ctypes.c_int64, {"q"} | ({"l"} if ctypes.sizeof(ctypes.c_long) == 8 else set()), (-2 ** 63, 2 ** 63 - 1)),
    "u32": ("I", ctypes.c_uint32, {"I"} | ({"L"} if ctypes.sizeof(ctypes.c_long) == 4 else set()), (0, 2 ** 32 - 1)),
    "u64": ("Q", ctypes.c_uint64, {"Q"} | ({"L"} if ctypes.sizeof(ctypes.c_long) == 8 else set()), (0, 2 ** 64 - 1)),
    "f32": ("f", ctypes.c_float, {"f"}, None),
    "f64": ("d", ctypes.c_double, {"d"}, None),
}
_NATIVE_ORDER = ("@", "=", "<") if sys.byteorder == "little" else ("@", "=", ">", "!")


def scalar_arg(op, name, elem, value):
    """`value` checked for an element of type `elem`: ints in range (bool
    counts as int), floats from int or float."""
    bounds = ELEMS[elem][3]
    if bounds is None:
        if isinstance(value, (int, float)):
            try:
                return float(value)
            except OverflowError:
                raise OverflowError(f"{op}: {name}={value} is too large for a float") from None
        raise TypeError(f"{op}: {name} must be a float, not {type(value).__name__}")
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"{op}: {name} must be an int, not {type(value).__name__}") from None
    if not bounds[0] <= v <= bounds[1]:
        raise OverflowError(f"{op}: {name}={v} is outside the field's range [{bounds[0]}, {bounds[1]}]")
    return v


# The formats a buffer may report for each element type's items, with or
# without a native byte-order prefix.
_ACCEPTED = {elem: frozenset(spec[2]) | frozenset(p + f for p in _NATIVE_ORDER for f in spec[2])
             for elem, spec in ELEMS.items()}
_EMPTY = ctypes.c_int64()  # stands for an empty buffer: its address is never read


def buffer_arg(op, name, elem, values, writable=False):
    """(holder, count): ctypes.addressof(holder) is the first item. Over the
    caller's buffer without a copy when it is writable (the buffer export it
    holds keeps the buffer from being resized while the call runs); a
    read-only one is copied; any other iterable of numbers is converted (and
    range-checked) into an array first."""
    try:
        view = memoryview(values)
    except TypeError:
        typecode = ELEMS[elem][0]
        if writable:
            raise TypeError(f"{op}: {name} must be a writable buffer of '{typecode}' items") from None
        try:
            view = memoryview(array.array(typecode, values))
        except (TypeError, OverflowError) as e:
            raise type(e)(f"{op}: {name}: {e}") from None
    ctype = ELEMS[elem][1]
    size = ctypes.sizeof(ctype)
    if view.format not in _ACCEPTED[elem] or view.itemsize != size or view.ndim != 1 or not view.c_contiguous:
        raise TypeError(f"{op}: {name} holds items of format '{view.format}' ({view.itemsize} bytes); "
                        f"it needs a contiguous buffer of native '{ELEMS[elem][0]}' items")
    n = view.nbytes // size
    if view.readonly:
        if writable:
            raise TypeError(f"{op}: {name} is read-only")
        return (ctype * n).from_buffer_copy(view), n
    return (ctypes.c_char.from_buffer(view) if n else _EMPTY), n


def values_arg(op, name, elem, values):
    """`values` (a buffer or any iterable of numbers) as an array.array of
    `elem`, each value range-checked: for the batches whose request the stub
    encodes itself."""
    try:
        return array.array(ELEMS[elem][0], values)
    except (TypeError, OverflowError) as e:
        raise type(e)(f"{op}: {name}: {e}") from None


def _varint(out, v):
    v &= 0xFFFFFFFFFFFFFFFF
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)


def _zigzag(v, bits):
    return ((v << 1) ^ (v >> (bits - 1))) & ((1 << bits) - 1)


_FIXED = {"fixed32": "<I", "sfixed32": "<i", "float": "<f", "fixed64": "<Q", "sfixed64": "<q", "double": "<d"}


def encode_scalar(out, field, codec, value):
    """Written also when zero: the stub encodes requests itself only for
    messages calcgen's C codecs do not cover, proto2 among them, where an
    absent field would take its declared default instead."""
    if codec in _FIXED:
        raw = struct.pack(_FIXED[codec], value)
        _varint(out, (field << 3) | (5 if len(raw) == 4 else 1))
        out += raw
        return
    _varint(out, field << 3)
    if codec == "sint32":
        _varint(out, _zigzag(value, 32))
    elif codec == "sint64":
        _varint(out, _zigzag(value, 64))
    elif codec == "uint32":
        _varint(out, value & 0xFFFFFFFF)
    else:
        _varint(out, value)


def encode_packed_varints(out, field, codec, values):
    if not len(values):
        return
    body = bytearray()
    for v in values:
        if codec == "sint32":
            v = _zigzag(v, 32)
        elif codec == "sint64":
            v = _zigzag(v, 64)
        elif codec == "uint32":
            v &= 0xFFFFFFFF
        _varint(body, v)
    _varint(out, (field << 3) | 2)
    _varint(out, len(body))
    out += body


def _read_varint(buf, at):
    v = shift = 0
    while True:
        if at >= len(buf) or shift > 63:
            raise ValueError("malformed varint")
        b = buf[at]
        at += 1
        v |= (b & 0x7F) << shift
        if b < 0x80:
            return v & 0xFFFFFFFFFFFFFFFF, at
        shift += 7


def _signed(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _decode_varint(codec, v):
    if codec == "int32":
        return _signed(v, 32)
    if codec == "uint32":
        return v & 0xFFFFFFFF
    if codec in ("sint32", "sint64"):
        bits = 32 if codec == "sint32" else 64
        v &= (1 << bits) - 1
        return (v >> 1) ^ -(v & 1)
    if codec == "int64":
        return _signed(v, 64)
    return v


def _fields(buf):
    """(field, wire, value or (start, end)) for every field of a message."""
    at = 0
    while at < len(buf):
        key, at = _read_varint(buf, at)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, at = _read_varint(buf, at)
            yield field, wire, v
        elif wire in (1, 5):
            n = 8 if wire == 1 else 4
            if at + n > len(buf):
                raise ValueError("truncated field")
            yield field, wire, (at, at + n)
            at += n
        elif wire == 2:
            n, at = _read_varint(buf, at)
            if at + n > len(buf):
                raise ValueError("truncated field")
            yield field, wire, (at, at + n)
            at += n
        else:
            raise ValueError("unsupported wire type")


def decode_scalar(buf, field, codec):
    value = 0.0 if codec in ("float", "double") else 0
    for f, wire, v in _fields(buf):
        if f != field:
            continue
        if wire == 0:
            value = _decode_varint(codec, v)
        else:
            value = struct.unpack(_FIXED[codec], bytes(buf[v[0]:v[1]]))[0]
    return value


def decode_varints(buf, field, codec, typecode):
    out = array.array(typecode)
    for f, wire, v in _fields(buf):
        if f != field:
            continue
        if wire == 0:
            out.append(_decode_varint(codec, v))
        else:
            at, end = v
            while at < end:
                x, at = _read_varint(buf, at)
                out.append(_decode_varint(codec, x))
    return out
