"""Names in the generated JavaScript bindings (`--js-out`).

An op's JavaScript name is its Dart name (lowerCamel, already distinct from
every other op's Dart members), so an app's calls read the same in Dart, Dart
on the web and JavaScript. Members the JavaScript class itself defines, and
`then` (an object with a `then` method is taken for a promise by `await`),
push an op's name on with `_`."""

RESERVED_MEMBERS = frozenset({"constructor", "module", "then", "__proto__"})


def op_member_variants(name, op):
    """The methods the JavaScript class defines for an op named `name`: the
    call, and for a batch with a typed entry point the call into the
    caller's typed array (Into)."""
    return [name, name + "Into"] if op.batch and op.has_invoke else [name]


def op_member_names(ops):
    """The JavaScript name of each op, in order."""
    used = set(RESERVED_MEMBERS)
    out = []
    for op in ops:
        name = op.dart_name
        while any(v in used for v in op_member_variants(name, op)):
            name += "_"
        used.update(op_member_variants(name, op))
        out.append(name)
    return out


def top_level_names(service):
    """What a binding module exports for one service."""
    return [service.class_name, service.class_name + "Ops"]
