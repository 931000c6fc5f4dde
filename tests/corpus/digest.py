"""Python mirror of corpus_fill.c over Google's protobuf messages.

digest(msg) equals corpus_digest() of the same message decoded by
protobuf-c, and fill(msg, seed) sets the fields corpus_fill() sets, so
fill(Response(), digest(request)) is what a corpus handler answers. The
rules are written out in corpus_fill.h; keep the two files in step.

populate(cls, rng) builds a richly populated request: every field kind,
edge values, maps, oneofs, optional fields set and unset, extensions."""

import math
import struct

from google.protobuf import descriptor_pool
from google.protobuf.descriptor import FieldDescriptor as FD

M64 = (1 << 64) - 1
MAX_DEPTH = 2  # CORPUS_MAX_DEPTH
DIGEST_SEED = 0x243f6a8885a308d3
REPEATED_SEED = 0x13198a2e03707344
ENTRY_SEED = 0xa4093822299f31d0

SIGNED32 = (FD.TYPE_INT32, FD.TYPE_SINT32, FD.TYPE_SFIXED32)
UNSIGNED32 = (FD.TYPE_UINT32, FD.TYPE_FIXED32)
SIGNED64 = (FD.TYPE_INT64, FD.TYPE_SINT64, FD.TYPE_SFIXED64)
UNSIGNED64 = (FD.TYPE_UINT64, FD.TYPE_FIXED64)


def sm64(x):
    x = (x + 0x9e3779b97f4a7c15) & M64
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M64
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M64
    return x ^ (x >> 31)


def mix(h, v):
    return sm64(h ^ sm64(v & M64))


def bytes_digest(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & M64
    return mix(h, len(data))


def f32_bits(v):
    try:
        return struct.unpack("<I", struct.pack("<f", v))[0]
    except OverflowError:  # cannot happen for a value read from a float field
        return struct.unpack("<I", struct.pack("<f", math.copysign(math.inf, v)))[0]


def f64_bits(v):
    return struct.unpack("<Q", struct.pack("<d", v))[0]


def is_map(f):
    return (f.label == FD.LABEL_REPEATED and f.type == FD.TYPE_MESSAGE
            and f.message_type.GetOptions().map_entry)


def entry_fields(f):
    return f.message_type.fields_by_name["key"], f.message_type.fields_by_name["value"]


# ---- digest ----

def elem(f, v):
    t = f.type
    if t in SIGNED32 or t in SIGNED64 or t == FD.TYPE_ENUM:
        return v & M64
    if t in UNSIGNED32 or t in UNSIGNED64:
        return v
    if t == FD.TYPE_BOOL:
        return int(bool(v))
    if t == FD.TYPE_FLOAT:
        return f32_bits(v)
    if t == FD.TYPE_DOUBLE:
        return f64_bits(v)
    if t == FD.TYPE_STRING:
        return bytes_digest(v.encode("utf-8"))
    if t == FD.TYPE_BYTES:
        return bytes_digest(v)
    if t == FD.TYPE_MESSAGE:
        return digest(v)
    raise TypeError(f"{f.full_name}: unsupported field type {t}")


def _present(msg, f):
    if f.containing_oneof is not None:  # also proto3 `optional` (a synthetic oneof)
        return msg.WhichOneof(f.containing_oneof.name) == f.name
    if f.has_presence:
        return msg.HasField(f.name)
    v = getattr(msg, f.name)  # proto3 implicit presence: non-zero bits, non-empty
    return elem(f, v) != 0 if f.type not in (FD.TYPE_STRING, FD.TYPE_BYTES) else len(v) > 0


def digest(msg):
    total = 0
    for f in msg.DESCRIPTOR.fields:
        if f.label == FD.LABEL_REPEATED:
            values = getattr(msg, f.name)
            if not len(values):
                continue
            if is_map(f):
                kf, vf = entry_fields(f)
                s = 0
                for k in values:
                    s = (s + mix(mix(ENTRY_SEED, elem(kf, k)), elem(vf, values[k]))) & M64
                v = mix(s, len(values))
            else:
                v = REPEATED_SEED
                for e in values:
                    v = mix(v, elem(f, e))
                v = mix(v, len(values))
        else:
            if not _present(msg, f):
                continue
            v = elem(f, getattr(msg, f.name))
        total = (total + mix(f.number, v)) & M64
    return mix(DIGEST_SEED, total)


# ---- fill ----

def _s32(r):
    r &= 0xFFFFFFFF
    return r - (1 << 32) if r >> 31 else r


def _s64(r):
    return r - (1 << 64) if r >> 63 else r


def value(f, r):
    """The value corpus_fill's set_value() writes for non-message field f."""
    t = f.type
    if t in SIGNED32:
        return _s32(r)
    if t in UNSIGNED32:
        return r & 0xFFFFFFFF
    if t in SIGNED64:
        return _s64(r)
    if t in UNSIGNED64:
        return r
    if t == FD.TYPE_BOOL:
        return bool(r & 1)
    if t == FD.TYPE_ENUM:
        numbers = sorted(v.number for v in f.enum_type.values)
        return numbers[r % len(numbers)]
    if t == FD.TYPE_FLOAT:
        return float((r & 0xFFFFFF) - 0x800000) / 4.0
    if t == FD.TYPE_DOUBLE:
        return float((r >> 11) - (1 << 52)) / 16.0
    if t == FD.TYPE_STRING:
        return f"s{f.number}-{r:016x}"
    if t == FD.TYPE_BYTES:
        return bytes((r >> (8 * i)) & 0xFF for i in range(1 + r % 7))
    raise TypeError(f"{f.full_name}: unsupported field type {t}")


def key(f, kb, i):
    """Map key i of 2 (set_key()): distinct within the map."""
    if f.type == FD.TYPE_BOOL:
        return bool(i)
    if f.type == FD.TYPE_STRING:
        return f"k-{kb ^ i:016x}"
    return value(f, kb ^ i)


def _too_deep(f, depth):
    return f.type == FD.TYPE_MESSAGE and depth >= MAX_DEPTH


def _set(msg, f, r, depth):
    if f.type == FD.TYPE_MESSAGE:
        sub = getattr(msg, f.name)
        sub.SetInParent()
        fill(sub, r, depth + 1)
    else:
        setattr(msg, f.name, value(f, r))


def fill(msg, seed, depth=0):
    """Sets msg's fields as corpus_fill(msg, seed) does; returns msg."""
    for f in msg.DESCRIPTOR.fields:
        if f.containing_oneof is not None:
            members = sorted(f.containing_oneof.fields, key=lambda g: g.number)
            if members[0] is not f:
                continue  # filled once, at its lowest-numbered member
            allowed = [g for g in members if not _too_deep(g, depth)]
            if allowed:
                g = allowed[mix(seed, f.number) % len(allowed)]
                _set(msg, g, mix(seed, g.number), depth)
            continue
        r = mix(seed, f.number)
        if is_map(f):
            kf, vf = entry_fields(f)
            if _too_deep(vf, depth):
                continue
            kb, target = mix(r, 0), getattr(msg, f.name)
            for i in range(2):
                k = key(kf, kb, i)
                if vf.type == FD.TYPE_MESSAGE:
                    fill(target[k], mix(r, i + 1), depth + 1)
                else:
                    target[k] = value(vf, mix(r, i + 1))
        elif f.label == FD.LABEL_REPEATED:
            if _too_deep(f, depth):
                continue
            target = getattr(msg, f.name)
            for i in range(2):
                if f.type == FD.TYPE_MESSAGE:
                    fill(target.add(), mix(r, i + 1), depth + 1)
                else:
                    target.append(value(f, mix(r, i + 1)))
        elif not _too_deep(f, depth) or f.label == FD.LABEL_REQUIRED:
            _set(msg, f, r, depth)
    return msg


def expected_response(request, response_cls):
    """What a corpus handler answers to `request` (the message as decoded:
    pass a parsed copy of the bytes sent)."""
    return fill(response_cls(), digest(request))


# ---- populate ----

RANGES = {
    **{t: (-(1 << 31), (1 << 31) - 1) for t in SIGNED32},
    **{t: (0, (1 << 32) - 1) for t in UNSIGNED32},
    **{t: (-(1 << 63), (1 << 63) - 1) for t in SIGNED64},
    **{t: (0, (1 << 64) - 1) for t in UNSIGNED64},
}
TEXT = ["", "a", "héllo wörld", "日本語のテキスト", "emoji \U0001F600\U0001F680", "tab\tnew\nline", "x" * 300,
        "quote\"back\\slash", "\u2028sep", "Ω≈ç√∫"]


def _random_scalar(f, rng, syntax):
    t = f.type
    if t in RANGES:
        lo, hi = RANGES[t]
        pick = rng.random()
        if pick < 0.3:
            return rng.choice([v for v in (0, 1, -1, lo, hi, lo + 1, hi - 1) if lo <= v <= hi])
        if pick < 0.6:
            return rng.randint(max(lo, -1000), min(hi, 1000))
        return rng.randint(lo, hi)
    if t == FD.TYPE_BOOL:
        return rng.random() < 0.5
    if t == FD.TYPE_ENUM:
        numbers = [v.number for v in f.enum_type.values]
        if syntax == "proto3" and rng.random() < 0.05:
            return 1000 + rng.randrange(1000)  # open enum: an undeclared value survives
        return rng.choice(numbers)
    if t in (FD.TYPE_FLOAT, FD.TYPE_DOUBLE):
        pick = rng.random()
        if pick < 0.3:
            v = rng.choice([0.0, -0.0, 1.0, -1.5, math.inf, -math.inf, math.nan, 1e-30, 3.4e38])
        else:
            v = rng.uniform(-1e6, 1e6)
        return struct.unpack("<f", struct.pack("<f", v))[0] if t == FD.TYPE_FLOAT else v
    if t == FD.TYPE_STRING:
        return rng.choice(TEXT) if rng.random() < 0.5 else "".join(
            chr(rng.choice([rng.randint(0x20, 0x7E), rng.randint(0xA0, 0xD7FF), rng.randint(0x10000, 0x10FFFF)]))
            for _ in range(rng.randint(0, 40)))
    if t == FD.TYPE_BYTES:
        return bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 3, 16, 200])))
    raise TypeError(f"{f.full_name}: unsupported field type {t}")


def _random_key(f, rng, syntax):
    if f.type == FD.TYPE_STRING:
        return rng.choice(["", "k", "ключ", "a/b", "x" * 40]) + str(rng.randrange(1000))
    return _random_scalar(f, rng, syntax)


def _populate_into(msg, rng, depth, max_depth):
    d = msg.DESCRIPTOR
    syntax = d.file.syntax
    message_chance = 0.9 if depth == 0 else 0.7 / depth
    chosen = {}
    for o in d.oneofs:  # one member or none; a proto3 `optional` field set or not
        chosen[o.name] = rng.choice(list(o.fields) + [None])
    for f in d.fields:
        if f.containing_oneof is not None and chosen[f.containing_oneof.name] is not f:
            continue
        required = f.label == FD.LABEL_REQUIRED
        if f.containing_oneof is None and not required and rng.random() < 0.15:
            continue  # left unset
        if is_map(f):
            kf, vf = entry_fields(f)
            if vf.type == FD.TYPE_MESSAGE and depth >= max_depth:
                continue
            target = getattr(msg, f.name)
            for _ in range(rng.randint(0, 3)):
                k = _random_key(kf, rng, syntax)
                if vf.type == FD.TYPE_MESSAGE:
                    _populate_into(target[k], rng, depth + 1, max_depth)
                else:
                    target[k] = _random_scalar(vf, rng, syntax)
        elif f.label == FD.LABEL_REPEATED:
            target = getattr(msg, f.name)
            if f.type == FD.TYPE_MESSAGE:
                if depth < max_depth:
                    for _ in range(rng.randint(0, 3)):
                        _populate_into(target.add(), rng, depth + 1, max_depth)
            else:
                target.extend(_random_scalar(f, rng, syntax) for _ in range(rng.choice([0, 1, 2, 5, 17])))
        elif f.type == FD.TYPE_MESSAGE:
            if required or (depth < max_depth and rng.random() < message_chance):
                sub = getattr(msg, f.name)
                sub.SetInParent()
                _populate_into(sub, rng, depth + 1, max_depth)
        else:
            setattr(msg, f.name, _random_scalar(f, rng, syntax))
    if d.extension_ranges:
        for ext in descriptor_pool.Default().FindAllExtensions(d):
            if rng.random() < 0.5 and ext.type != FD.TYPE_MESSAGE:
                if ext.label == FD.LABEL_REPEATED:
                    msg.Extensions[ext].extend(_random_scalar(ext, rng, syntax) for _ in range(2))
                else:
                    msg.Extensions[ext] = _random_scalar(ext, rng, syntax)
    return msg


def populate(cls, rng, max_depth=4):
    """A request of type `cls` with random content: every field kind, edge
    values (extremes, -0.0, inf, NaN, non-ASCII text), maps and repeated
    fields of 0-3+ elements, one oneof member or none, optional fields set
    and unset, known extensions; messages nest up to `max_depth`."""
    return _populate_into(cls(), rng, 0, max_depth)
