"""Identifier rules: calcgen's own names and the ones protoc-c emits.

protoc-c's mangling is reproduced exactly so generated code can name its
structs, descriptors and fields; tests/generator checks these functions
against real protoc-c output."""

import keyword
import re

# C keywords and the C++ words protobuf-c 1.4 escapes in field names.
PROTOBUF_C_ESCAPED = frozenset("""
and and_eq asm auto bitand bitor bool break case catch char class compl const
const_cast continue default delete do double dynamic_cast else enum explicit
extern false float for friend goto if inline int long mutable namespace new not
not_eq operator or or_eq private protected public register reinterpret_cast
return short signed sizeof static static_cast struct switch template this throw
true try typedef typeid typename union unsigned using virtual void volatile
wchar_t while xor xor_eq""".split())

# Field names protobuf-c 1.4 leaves as they are although they cannot be struct
# members: a C keyword (restrict) and C++ keywords missing from its list (the
# .pb-c.h must also compile as C++). calcgen renames these fields to `name_`
# in the descriptors it hands protoc-gen-c (see protoc_c.py); field names are
# not on the wire.
PBC_UNESCAPED = frozenset("""
restrict alignas alignof char8_t char16_t char32_t concept consteval constexpr
constinit co_await co_return co_yield decltype export noexcept nullptr requires
static_assert thread_local typeof typeof_unqual linux unix i386 base""".split())
# (typeof is a keyword of GNU C, and linux, unix and i386 are macros there;
# base is the ProtobufCMessage member every struct starts with.)

DART_RESERVED = frozenset("""
abstract as assert async await base break case catch class const continue
covariant default deferred do dynamic else enum export extends extension
external factory false final finally for Function get hide if implements import
in interface is late library mixin new null of on operator part required
rethrow return sealed set show static super switch sync this throw true try
type typedef var void when while with yield""".split())

PYTHON_RESERVED = frozenset(keyword.kwlist) | frozenset({"self", "cls"})


def dart_identifier(snake: str) -> str:
    """lowerCamel, with a trailing _ when it is a Dart reserved word (the
    generated classes' own members are kept free by dart_names)."""
    name = lower_camel(snake)
    return name + "_" if name in DART_RESERVED else name


def python_identifier(snake: str) -> str:
    return snake + "_" if snake in PYTHON_RESERVED else snake


# Function names every service prefix already uses.
RESERVED_OP_NAMES = frozenset({"dispatch", "schema_hash", "op_name", "op_kind", "service"})


def snake_case(name: str) -> str:
    """AddChecked -> add_checked, HTTPServer -> http_server, Add_One -> add_one."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return re.sub(r"_+", "_", s).lower()


def lower_camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


# --- protoc-c (protobuf-c 1.4.1) ---------------------------------------------

def _pbc_to_camel(part: str) -> str:
    out, upper_next = [], True
    for ch in part:
        if ch == "_":
            upper_next = True
        elif upper_next:
            out.append(ch.upper())
            upper_next = False
        else:
            out.append(ch)
    return "".join(out)


def _pbc_camel_to_lower(part: str) -> str:
    out = []
    for i, ch in enumerate(part):
        if ch.isupper():
            if i > 0 and not part[i - 1].isupper():
                out.append("_")
            out.append(ch.lower())
        else:
            out.append(ch)
    return "".join(out)


def pbc_type_name(full_name: str) -> str:
    """calc.BinaryOp -> Calc__BinaryOp; my_pkg.Outer.in_ner -> MyPkg__Outer__InNer."""
    return "__".join(_pbc_to_camel(p) for p in full_name.split("."))


def pbc_lower_name(full_name: str) -> str:
    """calc.BinaryOp -> calc__binary_op (the prefix of descriptor and functions)."""
    return "__".join(_pbc_camel_to_lower(p) for p in full_name.split("."))


def pbc_descriptor(full_name: str) -> str:
    return pbc_lower_name(full_name) + "__descriptor"


def pbc_init_macro(full_name: str) -> str:
    return pbc_lower_name(full_name).upper() + "__INIT"


def pbc_own_member_name(name: str) -> str:
    """The member protoc-c itself makes of a field name."""
    low = name.lower()
    return low + "_" if low in PROTOBUF_C_ESCAPED else low


def pbc_field_name(name: str) -> str:
    """protoc-c's member name for a field, as calcgen hands it the field (see
    pbc_member_names for names that collide within a message)."""
    low = name.lower()
    return low + "_" if low in PBC_UNESCAPED else pbc_own_member_name(name)


LABEL_OPTIONAL, LABEL_REPEATED = 1, 3
TYPE_STRING, TYPE_MESSAGE = 9, 11


def pbc_member_names(desc, proto2: bool) -> dict:
    """{field name: struct member name} for one message (a DescriptorProto),
    with the names calcgen gives protoc-c. Besides a field's own member,
    protoc-c declares `n_<member>` for a repeated field, `has_<member>` for a
    proto2 optional scalar (both from the member's final name),
    `<oneof>_case` for a oneof (proto3 `optional` included, its oneof being
    `_<f>`; the name as protoc-c's CamelToLower makes it), and `base`. A field
    whose member would collide with one of those gets a trailing `_`, until
    nothing collides."""
    def companions(f, name):
        if f.label == LABEL_REPEATED:
            return ["n_" + name]
        if (proto2 and f.label == LABEL_OPTIONAL and not f.HasField("oneof_index")
                and f.type not in (TYPE_STRING, TYPE_MESSAGE)):
            return ["has_" + name]
        return []

    fixed = {"base"} | {_pbc_camel_to_lower(o.name) + "_case" for o in desc.oneof_decl}
    out = {f.name: pbc_field_name(f.name) for f in desc.field}
    changed = True
    while changed:
        changed = False
        taken = set(fixed)
        for f in desc.field:
            taken.update(companions(f, out[f.name]))
        seen = set()
        for f in desc.field:
            name = out[f.name]
            while name in taken or name in seen:
                name += "_"
            if name != out[f.name]:
                out[f.name] = name
                changed = True
            seen.add(name)
    return out


def pbc_header(proto_path: str) -> str:
    return re.sub(r"\.proto$", "", proto_path) + ".pb-c.h"
