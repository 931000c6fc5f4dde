"""A stable 64-bit hash of a service's ops and message shapes.

Hosts compare it at load time with the hash compiled into the native library,
so a binding generated from another version of the schema fails loudly
instead of sending bytes the library reads differently. Names, ids, kernels,
overflow modes and every field's number, name, type and label are covered;
comments and declaration order of messages are not."""

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3


def fnv1a64(data: bytes) -> int:
    h = FNV_OFFSET
    for b in data:
        h ^= b
        h = (h * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def _message_lines(root, messages, seen, out):
    """Each message once, depth first, its nested types in name order; with a
    stack of its own rather than recursion (chains of types may be long)."""
    stack = [iter([root])]
    while stack:
        name = next(stack[-1], None)
        if name is None:
            stack.pop()
            continue
        if name in seen or name not in messages:
            continue
        seen.add(name)
        msg = messages[name]
        out.append(f"message {name}")
        nested = []
        for f in msg.fields:
            label = "repeated" if f.repeated else "optional" if f.optional else "single"
            out.append(f"  {f.number} {f.name} {f.type_id} {label} {f.type_name}")
            if f.type_name:
                nested.append(f.type_name)
        stack.append(iter(sorted(set(nested))))


def canonical_text(service, messages) -> str:
    """`messages` maps full names to model.Message for every message reachable."""
    out = [f"service {service.full_name}"]
    for op in sorted(service.ops, key=lambda o: o.id):
        out.append(f"op {op.id} {op.name} {op.kernel} {op.overflow} "
                   f"{op.request.full_name} -> {op.response.full_name}")
    # Streaming methods add lines of their own (a service without any hashes
    # as it did before they were supported).
    for op in sorted(service.streams, key=lambda o: o.id):
        out.append(f"stream {op.id} {op.name} {op.streaming} "
                   f"{op.request.full_name} -> {op.response.full_name}")
    seen = set()
    for op in sorted(service.ops + service.streams, key=lambda o: o.id):
        _message_lines(op.request.full_name, messages, seen, out)
        _message_lines(op.response.full_name, messages, seen, out)
    return "\n".join(out) + "\n"


def schema_hash(service, messages) -> int:
    return fnv1a64(canonical_text(service, messages).encode("utf-8"))
