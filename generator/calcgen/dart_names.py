"""Dart names: the message class names protoc_plugin gives (ported as data
from protoc_plugin 21.1.2's lib/names.dart and file_generator.dart: the
version the Dart docs pin), and the member names of calcgen's own Dart
classes."""

import re
from itertools import count

# protoc_plugin's _dartReservedWords and forbiddenTopLevelNames, verbatim.
PROTOC_PLUGIN_RESERVED_WORDS = (
    "assert", "bool", "break", "case", "catch", "class", "const", "continue", "default", "do", "double",
    "else", "enum", "extends", "false", "final", "finally", "for", "if", "in", "int", "is", "new", "null",
    "rethrow", "return", "super", "switch", "this", "throw", "true", "try", "var", "void", "while", "with")
FORBIDDEN_TOP_LEVEL_NAMES = ("List", "Function", "Map") + PROTOC_PLUGIN_RESERVED_WORDS


def avoid_initial_underscore(name: str) -> str:
    """Leading underscores move to the end; a leading digit gets an x."""
    while name.startswith("_"):
        name = name[1:] + "_"
    if name[:1].isdigit():
        name = "x" + name
    return name


def _default_suffixes():
    yield "_"
    for i in count():
        yield f"_{i}"


def disambiguate(name: str, used: set) -> str:
    """name, or name + the first of _, _0, _1, ... that is free; taken."""
    chosen = name
    if chosen in used:
        chosen = next(name + s for s in _default_suffixes() if name + s not in used)
    used.add(chosen)
    return chosen


def message_class_names(fdp, package_prefix: str) -> dict:
    """{full message name: Dart class} for every message of one .proto, in
    protoc_plugin's order: top-level enums take their names first, then each
    top-level message, its nested enums, then its nested messages (depth
    first), all from one set seeded with the forbidden names."""
    used = set(FORBIDDEN_TOP_LEVEL_NAMES)
    out = {}
    for e in fdp.enum_type:
        disambiguate(avoid_initial_underscore(e.name), used)

    def message(m, full, parent):
        name = f"{parent}_{m.name}" if parent else m.name
        cls = disambiguate(avoid_initial_underscore(name), used)
        out[full] = cls
        for e in m.enum_type:
            disambiguate(avoid_initial_underscore(f"{cls}_{e.name}"), used)
        for nested in m.nested_type:
            message(nested, f"{full}.{nested.name}", cls)

    for m in fdp.message_type:
        message(m, package_prefix + m.name, "")
    return out


# dart:core names a generated library would shadow (it imports dart:core
# unprefixed, every other library with a $ prefix) and the public names of
# the calcgen runtime package (dart/calcgen/lib/calcgen.dart), which an app
# exports beside its bindings. A service class name among them gets a _.
DART_TOP_LEVEL_AVOID = frozenset("""
Object String List Map Set Iterable Iterator Future Stream Function Type Symbol
Null Never Record Enum Exception Error StateError ArgumentError RangeError
FormatException UnsupportedError UnimplementedError Duration DateTime Pattern
RegExp Runes Sink StringBuffer StringSink Uri Comparable BigInt Invocation
Expando WeakReference Finalizer StackTrace Stopwatch Match MapEntry Deprecated
CgStatus CalcgenException CgBufferPool CgNativeBuffer CgWriter CgReader
CgCoalescer CalcgenDartAbi3 CgEngine CgStream""".split()) | frozenset(FORBIDDEN_TOP_LEVEL_NAMES)


def service_class_names(class_names, used=None):
    """Dart class name of each service (in order) such that none of the five
    classes generated for it (X, XNative, XOps, AsyncX, XStreams) is taken, by another
    service of the generation or by DART_TOP_LEVEL_AVOID."""
    used = set(DART_TOP_LEVEL_AVOID) if used is None else used
    out = []
    for base in class_names:
        name = base
        while any(v in used for v in service_class_variants(name)):
            name += "_"
        used.update(service_class_variants(name))
        out.append(name)
    return out


def service_class_variants(name):
    return [name, name + "Native", name + "Ops", "Async" + name, name + "Streams"]


# Members the generated classes define besides the ops (X, AsyncX) or that
# Object has; named constructors count (they share the namespace).
SERVICE_CLASS_MEMBERS = frozenset("""
native pool dispose isDisposed longCallElements withNative sync maxBatch engine
schemaHash toString hashCode runtimeType noSuchMethod""".split())


def op_member_variants(name, op):
    """Every member the Dart classes define for an op named `name`: the call,
    and for a batch op the call into caller-owned lists (Into) and, with a
    typed entry point, the call over native pointers (Ptr)."""
    out = [name]
    if op.batch:
        out.append(name + "Into")
        if op.has_invoke:
            out.append(name + "Ptr")
    return out


def op_member_names(ops, base_names):
    """The Dart name of each op (in order): its base name, or with _ appended
    until none of its member variants is taken by the fixed members or by an
    earlier op's variants (protoc_plugin's rule for field names)."""
    used = set(SERVICE_CLASS_MEMBERS)
    out = []
    for op, base in zip(ops, base_names):
        name = base
        while any(v in used for v in op_member_variants(name, op)):
            name += "_"
        used.update(op_member_variants(name, op))
        out.append(name)
    return out


def dart_asset_id_problem(asset_id: str) -> str:
    """Why `asset_id` cannot be a native-assets id ("" if it can or is empty)."""
    if asset_id and not re.fullmatch(r"package:[a-z_][a-z0-9_]*/[A-Za-z0-9_./-]+\.dart", asset_id):
        return (f"--dart-asset-id {asset_id!r}: expected package:<package>/<path>.dart "
                "(the URI of the Dart library the native library is registered for)")
    return ""


# protoc_plugin's reservedMemberNames: _dartReservedWords, package:protobuf's
# GeneratedMessage_reservedNames (meta.dart) and _generatedMessageNames.
GENERATED_MESSAGE_RESERVED = (
    "==", "GeneratedMessage", "Object", "addExtension", "check", "clear", "clearExtension", "clearField",
    "clone", "copyWith", "createEmptyInstance", "extensionsAreInitialized", "freeze", "getDefaultForField",
    "getExtension", "getField", "getFieldOrNull", "getTagNumber", "hasExtension", "hasField",
    "hasRequiredFields", "hashCode", "info_", "isFrozen", "isInitialized", "mergeFromBuffer",
    "mergeFromCodedBufferReader", "mergeFromJson", "mergeFromJsonMap", "mergeFromMessage",
    "mergeFromProto3Json", "mergeUnknownFields", "noSuchMethod", "runtimeType", "setExtension", "setField",
    "toBuilder", "toDebugString", "toProto3Json", "toString", "unknownFields", "writeToBuffer",
    "writeToCodedBufferWriter", "writeToJson", "writeToJsonMap", "$_clearField", "$_ensure", "$_get",
    "$_getI64", "$_getList", "$_getMap", "$_getN", "$_getB", "$_getBF", "$_getI", "$_getIZ", "$_getS",
    "$_getSZ", "$_has", "$_setBool", "$_setBytes", "$_setDouble", "$_setField", "$_setFloat", "$_setInt64",
    "$_setSignedInt32", "$_setString", "$_setUnsignedInt32", "$_whichOneof")
GENERATED_MESSAGE_NAMES = ("create", "createRepeated", "getDefault", "List", "notSet")
RESERVED_MEMBER_NAMES = PROTOC_PLUGIN_RESERVED_WORDS + GENERATED_MESSAGE_RESERVED + GENERATED_MESSAGE_NAMES

_LABEL_REPEATED, _TYPE_GROUP, _TYPE_MESSAGE = 3, 10, 11


def _camel(name: str) -> str:
    """underscoresToCamelCase: each _-separated part capitalised."""
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


def message_field_names(desc) -> dict:
    """{proto field name: Dart getter} protoc_plugin gives the fields of one
    DescriptorProto (without the dart_name option): by field number, each
    name with its has/clear (and ensure) variants must be free, else the
    suffix _N, _N_N, ... (N the field number) is added."""
    used = set(RESERVED_MEMBER_NAMES)
    out = {}
    for f in sorted(desc.field, key=lambda f: f.number):
        base = _camel(f.type_name.rsplit(".", 1)[-1] if f.type == _TYPE_GROUP else f.name)

        def variants(s, f=f):
            getter = s[:1].lower() + s[1:]
            if f.label == _LABEL_REPEATED:
                return [getter]
            extra = ["ensure" + s] if f.type in (_TYPE_MESSAGE, _TYPE_GROUP) else []
            return [getter, "has" + s, "clear" + s] + extra

        chosen, suffix = base, f"_{f.number}"
        while any(v in used for v in variants(chosen)):
            chosen += suffix
        used.update(variants(chosen))
        getter = chosen[:1].lower() + chosen[1:]
        if f.label != _LABEL_REPEATED:
            getter = avoid_initial_underscore(getter)
            used.add(getter)
        out[f.name] = getter
    return out
