"""Writes the seed corpora of the dispatch and arena fuzz targets: one valid
request per op (and a few edge cases) in the target's input format. Bytes 1-2
of a dispatch seed are the op's index in the service's X-macro list (ops in id
order), so adding an op renumbers the ones after it: rerun this then.

    python3 make_seeds.py CORPUS_DIR"""

import os
import struct
import sys


def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def key(field, wire):
    return varint(field << 3 | wire)


def ld(field, payload):
    return key(field, 2) + varint(len(payload)) + payload


def pair_varint(a, b):
    return key(1, 0) + varint(a) + key(2, 0) + varint(b)


def packed_varints(field, values):
    return ld(field, b"".join(varint(v) for v in values))


def zz(v):
    return (v << 1) ^ (v >> 63)


def seed(service, op_index, payload):
    return bytes([service, op_index & 0xFF, op_index >> 8]) + payload


def dispatch_seeds():
    s = []
    calc = 0
    for i in range(7):  # Add .. MultiplyChecked
        s.append(seed(calc, i, pair_varint(7 + i, 3)))
    s.append(seed(calc, 3, pair_varint(1, 0)))  # divide by zero
    s.append(seed(calc, 5, pair_varint((1 << 63) - 1, 1)))  # overflow
    s.append(seed(calc, 7, key(1, 1) + struct.pack("<d", 1.5) + key(2, 1) + struct.pack("<d", 0.0)))
    s.append(seed(calc, 8, key(1, 1) + struct.pack("<q", -7) + key(2, 1) + struct.pack("<q", 1 << 40)))  # AddFixed
    for i in range(9, 14):  # varint batches
        s.append(seed(calc, i, packed_varints(1, range(40)) + packed_varints(2, range(1, 41))))
    s.append(seed(calc, 14, ld(1, struct.pack("<4d", 1, 2, 3, 4)) + ld(2, struct.pack("<4d", 4, 3, 2, 1))))
    fixed = ld(1, struct.pack("<3q", 1, 2, 3)) + ld(2, struct.pack("<3q", 4, 5, 6))
    s.append(seed(calc, 15, fixed))
    s.append(seed(calc, 16, key(1, 0) + varint(12)))
    s.append(seed(calc, 17, key(1, 0) + varint(-255) + key(2, 0) + varint(16)))
    numbers = 1
    for k in range(12):
        s.append(seed(numbers, 8 * k, pair_varint(5, 2) if k not in (6, 7, 8, 9, 10, 11) else
                      key(1, 5 if k in (6, 8, 10) else 1) + bytes(4 if k in (6, 8, 10) else 8)))
        s.append(seed(numbers, 8 * k + 7, packed_varints(1, [9, 8, 7]) + packed_varints(2, [3, 2, 1])))
    kw = 2
    s.append(seed(kw, 0, key(1, 0) + varint(zz(10)) + key(2, 0) + varint(zz(-3))))
    inner = ld(1, b"label") + packed_varints(2, [1, 2]) if False else ld(1, b"label") + ld(2, struct.pack("<2I", 1, 2))
    nested = ld(1, inner) + ld(2, inner) + ld(2, ld(1, b"x")) + ld(3, b"\x00\x01")
    s.append(seed(kw, 2, nested))
    s.append(seed(kw, 3, nested))
    tree = ld(2, b"leaf")
    for _ in range(6):
        tree = ld(1, tree) + ld(1, ld(2, b"x")) + ld(2, b"node")
    s.append(seed(kw, 6, tree))
    echo = 3
    s.append(seed(echo, 0, ld(1, b"hello") + key(2, 0) + varint(3)))
    s.append(seed(echo, 1, ld(1, b"hello") + key(2, 0) + varint(-1)))
    return s


def arena_seeds():
    return [bytes([4, 1, 16]) + bytes([0, 100, 0, 1, 200, 3, 2, 0, 0, 3, 10, 0]),
            bytes([0, 0, 0]) + bytes([0, 255, 255, 0, 255, 255, 2, 0, 0]),
            bytes([255, 255, 255]) + bytes([1, 1, 0] * 20 + [2, 0, 0] + [0, 0, 16])]


def main(root):
    for target, seeds in (("dispatch", dispatch_seeds()), ("arena", arena_seeds())):
        os.makedirs(os.path.join(root, target), exist_ok=True)
        for i, data in enumerate(seeds):
            with open(os.path.join(root, target, f"seed-{i:03d}"), "wb") as f:
                f.write(data)
        print(f"{target}: {len(seeds)} seeds")


if __name__ == "__main__":
    main(sys.argv[1])
