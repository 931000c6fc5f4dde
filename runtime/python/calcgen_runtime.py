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
import importlib
import os
import struct
import sys
import threading
import operator

# The contract between generated stubs and this module; stubs check it.
ABI = 4


def _fast_module():
    """_calcgen_fast (runtime/python/calcgen_fast.c, built with the runtime
    where Python's headers are installed): single kernel ops called from C.
    None when it is not importable, is another version, or
    CALCGEN_PYTHON_FAST=0 turns it off; stubs then call through ctypes."""
    if os.environ.get("CALCGEN_PYTHON_FAST") == "0":
        return None
    try:
        import _calcgen_fast
    except ImportError:
        return None
    return _calcgen_fast if getattr(_calcgen_fast, "ABI", None) == 1 else None


fast = _fast_module()

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


def message_class(modules, module, name):
    """Class `name` (dotted for nested types) of protobuf module `module`,
    imported at its first use; `modules` caches the imports."""
    if module not in modules:
        modules[module] = importlib.import_module(module)
    obj = modules[module]
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def encode_packed(out, field, codec, values):
    """A packed repeated field of `values`: varints, or fixed-width items."""
    if codec not in _FIXED:
        encode_packed_varints(out, field, codec, values)
        return
    if not len(values):
        return
    fmt = _FIXED[codec]
    body = struct.pack("<%d%s" % (len(values), fmt[1]), *values)
    _varint(out, (field << 3) | 2)
    _varint(out, len(body))
    out += body


def decode_packed(buf, field, codec, typecode):
    """The values of a repeated numeric field, packed or not, as an array.array."""
    if codec not in _FIXED:
        return decode_varints(buf, field, codec, typecode)
    out = array.array(typecode)
    fmt = _FIXED[codec]
    width = struct.calcsize(fmt)
    for f, wire, v in _fields(buf):
        if f != field:
            continue
        chunk = bytes(buf[v[0]:v[1]])
        if wire == 2 and len(chunk) % width:
            raise ValueError("truncated packed field")
        out.extend(struct.unpack("<%d%s" % (len(chunk) // width, fmt[1]), chunk))
    return out


# ---- the async engine (calcgen/engine.h), driven by an asyncio loop ----

class _Completion(ctypes.Structure):
    _fields_ = [("tag", ctypes.c_uint64), ("status", ctypes.c_int32), ("flags", ctypes.c_uint32),
                ("data", ctypes.c_void_p), ("len", ctypes.c_size_t), ("error", ctypes.c_char_p),
                ("error_index", ctypes.c_int64), ("slot", ctypes.c_uint32), ("reserved", ctypes.c_uint32)]


class _EngineConfig(ctypes.Structure):
    _fields_ = [("workers", ctypes.c_uint), ("max_hosts", ctypes.c_uint), ("max_inflight", ctypes.c_size_t),
                ("max_streams", ctypes.c_uint)]


class _HostConfig(ctypes.Structure):
    _fields_ = [("capacity", ctypes.c_uint32), ("eventfd", ctypes.c_int), ("stream_window", ctypes.c_uint32),
                ("notify", ctypes.c_void_p), ("callback", ctypes.c_void_p), ("ud", ctypes.c_void_p)]


COMPLETION_MESSAGE = 1
COMPLETION_END = 2
_SHUTDOWN_CANCEL = 1
_POLL_BATCH = 64


def _engine_functions(lib):
    """The engine's C functions with their signatures (once per library)."""
    if getattr(lib, "_calcgen_engine", None):
        return lib
    P, U32, U64, SZ, I32 = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_size_t, ctypes.c_int32
    sigs = {
        "cg_engine_create": ([ctypes.POINTER(_EngineConfig), ctypes.POINTER(P)], I32),
        "cg_engine_shutdown": ([P, ctypes.c_int, ctypes.POINTER(SZ)], I32),
        "cg_engine_destroy": ([P], I32),
        "cg_engine_workers": ([P], ctypes.c_uint),
        "cg_host_open": ([P, ctypes.POINTER(_HostConfig), ctypes.POINTER(P)], I32),
        "cg_host_fd": ([P], ctypes.c_int),
        "cg_host_in_use": ([P], SZ),
        "cg_host_poll": ([P, ctypes.POINTER(_Completion), SZ], SZ),
        "cg_host_release": ([P, ctypes.POINTER(_Completion), SZ], I32),
        "cg_host_cancel": ([P, U64], I32),
        "cg_submit": ([P, P, U32, ctypes.c_char_p, SZ, U64], I32),
        "cg_stream_open": ([P, P, U32, ctypes.c_char_p, SZ, U64], I32),
        "cg_stream_write": ([P, U64, ctypes.c_char_p, SZ, ctypes.c_int], I32),
        "cg_stream_close_send": ([P, U64], I32),
        "cg_last_error": ([], ctypes.c_char_p),
    }
    for name, (args, res) in sigs.items():
        fn = getattr(lib, name)
        fn.argtypes = args
        fn.restype = res
    lib._calcgen_engine = True
    return lib


class Engine:
    """The native library's async engine, its completions delivered to an
    asyncio event loop through the host's eventfd (Linux): awaiting a call
    never blocks the loop, and any number of calls may be in flight. Up to
    `capacity` run or wait in the engine; further submissions wait in Python
    for a slot (nothing is dropped). Create it inside a running loop (or pass
    `loop`); `await engine.aclose()` (or `async with`) shuts it down, failing
    what is still pending with CG_ERR_CANCELLED. Generated `*Async` classes
    take it; one engine serves every service of the library."""

    def __init__(self, library, workers=0, capacity=1024, stream_window=16, loop=None):
        import asyncio
        lib = library if isinstance(library, ctypes.CDLL) else ctypes.CDLL(library)
        self.lib = _engine_functions(lib)
        self._loop = loop or asyncio.get_running_loop()
        self._engine = ctypes.c_void_p()
        st = lib.cg_engine_create(ctypes.byref(_EngineConfig(workers=workers)), ctypes.byref(self._engine))
        if st:
            raise CalcgenError("Engine", st, self._error())
        self._host = ctypes.c_void_p()
        config = _HostConfig(capacity=capacity, eventfd=1, stream_window=stream_window)
        st = lib.cg_host_open(self._engine, ctypes.byref(config), ctypes.byref(self._host))
        if st:
            lib.cg_engine_destroy(self._engine)
            raise CalcgenError("Engine", st, self._error())
        self.capacity = 1
        while self.capacity < capacity:
            self.capacity *= 2
        self.workers = lib.cg_engine_workers(self._engine)
        self._fd = lib.cg_host_fd(self._host)
        self._pending = {}  # tag -> Future (unary) or Stream
        self._next_tag = 1
        self._slot_waiters = []
        self._batch = (_Completion * _POLL_BATCH)()
        self._closed = False
        self._loop.add_reader(self._fd, self._drain)

    def _error(self):
        return (self.lib.cg_last_error() or b"").decode("utf-8", "replace")

    def _tag(self):
        tag = self._next_tag
        self._next_tag += 1
        return tag

    async def _submit(self, fn, service, op, payload, tag, name):
        while True:
            if self._closed:
                raise CalcgenError(name, CG_ERR_CLOSED, "the engine is closed")
            st = fn(self._host, service, op, payload, len(payload), tag)
            if st == CG_OK:
                return
            if st == CG_ERR_LIMIT and self.lib.cg_host_in_use(self._host) >= self.capacity:
                waiter = self._loop.create_future()
                self._slot_waiters.append(waiter)
                await waiter
                continue
            raise CalcgenError(name, st, self._error())

    async def call(self, service, op, name, payload):
        """Runs unary op `op` of `service` (P_service()) on a worker; the
        response bytes, or CalcgenError."""
        tag = self._tag()
        future = self._loop.create_future()
        self._pending[tag] = (future, name)
        try:
            await self._submit(self.lib.cg_submit, service, op, bytes(payload), tag, name)
        except BaseException:
            self._pending.pop(tag, None)
            raise
        return await future

    async def open_stream(self, service, op, name, payload=b"", encode=bytes, decode=bytes):
        """Opens streaming method `op`; see Stream."""
        tag = self._tag()
        stream = Stream(self, tag, name, encode, decode)
        self._pending[tag] = stream
        try:
            await self._submit(self.lib.cg_stream_open, service, op, bytes(payload), tag, name)
        except BaseException:
            self._pending.pop(tag, None)
            raise
        return stream

    def _release(self, completion):
        if self._engine is None:  # closed: the host and its slots are gone
            return
        self.lib.cg_host_release(self._host, ctypes.byref(completion), 1)
        while self._slot_waiters:  # a waiter whose task was cancelled does not take the wake
            waiter = self._slot_waiters.pop(0)
            if not waiter.done():
                waiter.set_result(None)
                break

    def _drain(self):
        batch = self._batch
        while True:
            n = self.lib.cg_host_poll(self._host, batch, _POLL_BATCH)
            if not n:
                return
            for i in range(n):
                c = batch[i]
                data = ctypes.string_at(c.data, c.len) if c.len else b""
                target = self._pending.get(c.tag)
                if c.flags & COMPLETION_MESSAGE and target is not None:
                    # released when the reader takes it: the stream's window holds the writer
                    target._push(data, _Completion.from_buffer_copy(c))
                    continue
                error = None
                if c.status != CG_OK:
                    name = target._name if isinstance(target, Stream) else target[1] if target else "call"
                    error = CalcgenError(name, c.status, (c.error or b"").decode("utf-8", "replace"))
                    error.index = c.error_index
                self._release(c)
                self._pending.pop(c.tag, None)
                if isinstance(target, Stream):
                    target._finish(data, error)
                elif target is not None and not target[0].done():
                    if error is not None:
                        target[0].set_exception(error)
                    else:
                        target[0].set_result(data)

    async def aclose(self):
        """Cancels what has not run, fails what is pending with CG_ERR_CANCELLED
        and frees the engine. Idempotent."""
        if self._closed:
            return
        self._closed = True
        cancelled = ctypes.c_size_t()
        # a thread of its own: blocked writes may hold every thread of the default executor
        done = self._loop.create_future()

        def shutdown():
            self.lib.cg_engine_shutdown(self._engine, _SHUTDOWN_CANCEL, ctypes.byref(cancelled))
            self._loop.call_soon_threadsafe(done.set_result, None)
        threading.Thread(target=shutdown, name="calcgen-shutdown", daemon=True).start()
        await done
        self._drain()
        self._loop.remove_reader(self._fd)
        for waiter in self._slot_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self.lib.cg_engine_destroy(self._engine)
        self._engine = None

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.aclose()


class Stream:
    """An open streaming call. `async for message in stream` yields what the
    handler sends, in order (a message the loop has not taken yet holds the
    handler at its window: a slow reader bounds the writer), and raises
    CalcgenError if the stream ends with an error. Client and bidi streams
    take messages with `await write(msg)` (waiting while the handler's window
    is full) and `await close_send()`; `await result()` is the stream's end:
    a client stream's response, or None. `cancel()` ends it with
    CG_ERR_CANCELLED."""

    def __init__(self, engine, tag, name, encode, decode):
        self._engine = engine
        self._tag = tag
        self._name = name
        self._encode = encode
        self._decode = decode
        self._messages = []
        self._next = None
        self._end = engine._loop.create_future()
        self._discard = False

    def _push(self, data, completion):
        if self._discard:  # result() was asked for: nobody reads these
            self._engine._release(completion)
            return
        self._messages.append((data, completion))
        if self._next is not None and not self._next.done():
            self._next.set_result(None)

    def _finish(self, data, error):
        if self._end.done():  # e.g. a result() awaited with a timeout that ran out
            pass
        elif error is not None:
            self._end.set_exception(error)
            self._end.exception()  # reported by iteration and write too: not "never retrieved"
        else:
            self._end.set_result(data)
        if self._next is not None and not self._next.done():
            self._next.set_result(None)

    def __aiter__(self):
        return self

    async def __anext__(self):
        while not self._messages:
            if self._end.done():
                self._end.result()  # raises the stream's error
                raise StopAsyncIteration
            self._next = self._engine._loop.create_future()
            await self._next
        data, completion = self._messages.pop(0)
        self._engine._release(completion)
        return self._decode(data)

    def _live(self):
        if self._engine._closed:
            raise CalcgenError(self._name, CG_ERR_CLOSED, "the engine is closed")

    async def write(self, message):
        self._live()
        payload = bytes(self._encode(message))
        lib, host = self._engine.lib, self._engine._host
        st = lib.cg_stream_write(host, self._tag, payload, len(payload), 0)
        if st == CG_ERR_LIMIT:  # the window is full: wait on a thread, not on the loop
            st = await self._engine._loop.run_in_executor(
                None, lambda: lib.cg_stream_write(host, self._tag, payload, len(payload), -1))
        if st != CG_OK:
            raise CalcgenError(self._name, st, self._engine._error())

    async def close_send(self):
        self._live()
        st = self._engine.lib.cg_stream_close_send(self._engine._host, self._tag)
        if st != CG_OK:
            raise CalcgenError(self._name, st, self._engine._error())

    def cancel(self):
        """True when the stream was cancelled, False when it had ended."""
        if self._engine._closed or self._end.done():
            return False
        return self._engine.lib.cg_host_cancel(self._engine._host, self._tag) == CG_OK

    async def result(self):
        import asyncio
        """Waits for the end; drops messages not read. A client stream's
        response (decoded), else None."""
        self._discard = True
        while self._messages:
            self._engine._release(self._messages.pop(0)[1])
        data = await asyncio.shield(self._end)  # a caller's timeout must not cancel the end itself
        return self._decode(data) if data else None
