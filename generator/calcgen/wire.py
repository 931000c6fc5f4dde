"""Reads the (calcgen.op) option straight from MethodOptions' wire bytes.

protoc passes the extension as an unknown field of MethodOptions; decoding the
few varints by hand avoids needing a generated options_pb2 at run time."""

from dataclasses import dataclass

OP_EXTENSION_FIELD = 51730


class WireError(ValueError):
    pass


@dataclass(frozen=True)
class OpOptions:
    id: int = 0
    kernel: int = 0
    overflow: int = 0
    present: bool = False


def _varint(buf: bytes, pos: int):
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise WireError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise WireError("varint too long")


def fields(buf: bytes):
    """Yields (field number, wire type, value) for varint and length fields."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wtype = key >> 3, key & 7
        if wtype == 0:
            value, pos = _varint(buf, pos)
        elif wtype == 2:
            n, pos = _varint(buf, pos)
            if pos + n > len(buf):
                raise WireError("truncated length-delimited field")
            value, pos = buf[pos:pos + n], pos + n
        elif wtype == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wtype == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise WireError(f"unsupported wire type {wtype}")
        yield number, wtype, value


def read_op_options(method_options_bytes: bytes) -> OpOptions:
    found = None
    for number, wtype, value in fields(method_options_bytes):
        if number == OP_EXTENSION_FIELD and wtype == 2:
            # Repeated occurrences of a message option merge, like protobuf.
            merged = dict(found or {})
            for n, wt, v in fields(value):
                if wt == 0 and n in (1, 2, 3):
                    merged[n] = v
            found = merged
    if found is None:
        return OpOptions()
    return OpOptions(id=found.get(1, 0), kernel=found.get(2, 0),
                     overflow=found.get(3, 0), present=True)
