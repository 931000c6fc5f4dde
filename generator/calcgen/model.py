"""The typed model templates print. Everything a template needs is computed
here or in build.py; templates hold no logic beyond loops."""

from dataclasses import dataclass, field
from typing import List, Optional

KERNELS = {0: "NONE", 1: "ADD", 2: "SUB", 3: "MUL", 4: "DIV", 5: "MOD", 6: "MIN", 7: "MAX"}
OVERFLOWS = {0: "WRAP", 1: "CHECKED"}


@dataclass(frozen=True)
class NumericType:
    """One protobuf numeric type: everything every generated language needs to
    know about it, in one row of NUMERIC_TYPES.

    decode: C expression of the field value from the uint64_t read off the
            wire, `{}` being that value (empty for fixed-width types: memcpy);
    encode: C expression of the uint64_t bits to write, `{}` being the value;
    scalar_bits: the same for cg_put_scalar_field (see calcgen/support/wire.h)."""
    type_id: int      # FieldDescriptorProto.Type
    proto: str        # "sint64"
    suffix: str       # "i64": names the cg_elem_* functions and CG_TYPE_*
    c_type: str       # "int64_t"
    codec: str        # "varint" | "fixed32" | "fixed64"
    encoding: str     # CG_ENC_*: the runtime's cg_encoding
    decode: str
    encode: str
    scalar_bits: str
    dart_list: str    # typed_data list class
    dart_native: str  # dart:ffi native type
    python_array: str  # array module typecode

    @property
    def is_float(self) -> bool:
        return self.suffix[0] == "f"

    @property
    def enum(self) -> str:
        return "CG_TYPE_" + self.suffix.upper()

    @property
    def width(self) -> int:
        return 8 if self.suffix.endswith("64") else 4

    @property
    def wire(self) -> str:
        return {"varint": "CG_WIRE_VARINT", "fixed32": "CG_WIRE_I32", "fixed64": "CG_WIRE_I64"}[self.codec]

    @property
    def js_array(self) -> str:
        """The typed array class of its elements in JavaScript."""
        return {"i32": "Int32Array", "u32": "Uint32Array", "i64": "BigInt64Array", "u64": "BigUint64Array",
                "f32": "Float32Array", "f64": "Float64Array"}[self.suffix]

    @property
    def js_result(self) -> str:
        """TypeScript type of one value the JavaScript binding returns."""
        return "bigint" if self.width == 8 and not self.is_float else "number"

    @property
    def js_arg_check(self) -> str:
        """calcgen_runtime.mjs's check of one operand of this type."""
        return "arg" + self.suffix.upper()

    @property
    def js_arg(self) -> str:
        """TypeScript type of one operand (64-bit integers take safe-integer Numbers too)."""
        return "bigint | number" if self.js_result == "bigint" else "number"

    def dart_web_arg(self, name: str) -> str:
        """Dart expression passing operand `name` to the JavaScript bindings
        (64-bit integers as BigInts, keeping an unsigned value's bits)."""
        if self.suffix == "i64":
            return f"$cg.CgWebService.int64({name})"
        if self.suffix == "u64":
            return f"$cg.CgWebService.int64({name}, unsigned: true)"
        return f"{name}.toJS"

    def dart_web_result(self, expr: str) -> str:
        """Dart expression of one result the JavaScript bindings returned."""
        if self.js_result == "bigint":
            return f"$cg.CgWebService.fromInt64({expr})"
        return f"({expr} as $js.JSNumber).toDart{'Double' if self.is_float else 'Int'}"

    @property
    def dart_type(self) -> str:
        return "double" if self.is_float else "int"

    @property
    def python_fast_check(self) -> str:
        """A Python condition that is true when both a and b need no
        conversion or check (the stub's fast path; anything else goes through
        calcgen_runtime.scalar_arg, which converts or raises)."""
        if self.is_float:
            return "type(a) is float and type(b) is float"
        bits = 8 * self.width
        lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if self.suffix[0] == "i" else (0, (1 << bits) - 1)
        return f"type(a) is int and type(b) is int and {lo} <= a <= {hi} and {lo} <= b <= {hi}"

    @property
    def dart_check(self) -> str:
        """The runtime package's argument check for a scalar of this type
        (dart:ffi would truncate a Dart int silently), or ""."""
        return {"i32": "cgInt32", "u32": "cgUint32"}.get(self.suffix, "")


def _numeric(type_id, proto, suffix, encoding, decode, encode, scalar_bits):
    c_type = {"i32": "int32_t", "i64": "int64_t", "u32": "uint32_t", "u64": "uint64_t",
              "f32": "float", "f64": "double"}[suffix]
    codec = {"CG_ENC_FIXED32": "fixed32", "CG_ENC_FIXED64": "fixed64"}.get(encoding, "varint")
    dart = {"i32": ("Int32List", "Int32"), "i64": ("Int64List", "Int64"), "u32": ("Uint32List", "Uint32"),
            "u64": ("Uint64List", "Uint64"), "f32": ("Float32List", "Float"), "f64": ("Float64List", "Double")}
    python = {"i32": "i", "i64": "q", "u32": "I", "u64": "Q", "f32": "f", "f64": "d"}
    return NumericType(type_id, proto, suffix, c_type, codec, encoding, decode, encode, scalar_bits,
                       *dart[suffix], python[suffix])


# The one numeric-type table: FieldDescriptorProto.Type, proto name, element
# type, the runtime's encoding (CG_ENCODING_MAP in calcgen/support/wire.h),
# C expressions to decode from / encode to the uint64_t on the wire, and the
# bits cg_put_scalar_field takes.
NUMERIC_TYPES = {t.type_id: t for t in [
    _numeric(1, "double", "f64", "CG_ENC_FIXED64", "", "cg_f64_bits({})", "cg_f64_bits({})"),
    _numeric(2, "float", "f32", "CG_ENC_FIXED32", "", "cg_f32_bits({})", "cg_f32_bits({})"),
    _numeric(3, "int64", "i64", "CG_ENC_VARINT64", "(int64_t){}", "(uint64_t)({})", "(uint64_t){}"),
    _numeric(4, "uint64", "u64", "CG_ENC_VARINT64", "{}", "(uint64_t)({})", "{}"),
    _numeric(5, "int32", "i32", "CG_ENC_INT32", "(int32_t)(uint32_t){}", "(uint64_t)(int64_t)({})",
             "(uint64_t)(int64_t){}"),
    _numeric(6, "fixed64", "u64", "CG_ENC_FIXED64", "", "(uint64_t)({})", "{}"),
    _numeric(7, "fixed32", "u32", "CG_ENC_FIXED32", "", "(uint64_t)({})", "(uint64_t){}"),
    _numeric(13, "uint32", "u32", "CG_ENC_UINT32", "(uint32_t){}", "(uint64_t)({})", "(uint64_t){}"),
    _numeric(15, "sfixed32", "i32", "CG_ENC_FIXED32", "", "(uint64_t)(uint32_t)({})", "(uint64_t)(uint32_t){}"),
    _numeric(16, "sfixed64", "i64", "CG_ENC_FIXED64", "", "(uint64_t)({})", "(uint64_t){}"),
    _numeric(17, "sint32", "i32", "CG_ENC_SINT32", "cg_unzigzag32((uint32_t){})", "cg_zigzag32({})",
             "(uint64_t)(uint32_t){}"),
    _numeric(18, "sint64", "i64", "CG_ENC_SINT64", "cg_unzigzag64({})", "cg_zigzag64({})", "(uint64_t){}"),
]}

TYPE_STRING, TYPE_BYTES = 9, 12

PROTO_TYPE_NAMES = {
    1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 6: "fixed64",
    7: "fixed32", 8: "bool", 9: "string", 10: "group", 11: "message", 12: "bytes",
    13: "uint32", 14: "enum", 15: "sfixed32", 16: "sfixed64", 17: "sint32", 18: "sint64",
}


@dataclass
class Field:
    name: str
    number: int
    type_id: int
    repeated: bool
    c_name: str
    type_name: str = ""  # full name of a message or enum type, else ""
    optional: bool = False  # proto3 `optional`: explicit presence

    @property
    def elem(self) -> Optional[NumericType]:
        return NUMERIC_TYPES.get(self.type_id)

    @property
    def wire_info(self) -> Optional[NumericType]:
        return self.elem

    @property
    def codec(self) -> Optional[str]:
        """varint | fixed32 | fixed64 | string | bytes, or None: not covered."""
        if self.elem:
            return self.elem.codec
        if not self.repeated and self.type_id == TYPE_STRING:
            return "string"
        if not self.repeated and self.type_id == TYPE_BYTES:
            return "bytes"
        return None

    @property
    def kind(self) -> str:
        """How calcgen's codec treats it: varint | fixed32 | fixed64 | string |
        bytes, or "other" (messages, enums, bool, repeated strings...: protobuf-c)."""
        return self.codec or "other"

    @property
    def width(self) -> int:
        return {"fixed32": 4, "fixed64": 8}.get(self.codec, 0)

    @property
    def key_byte(self) -> str:
        """The one-byte tag of a singular numeric field numbered below 16."""
        wire = {"varint": 0, "fixed64": 1, "fixed32": 5}[self.codec]
        return "0x%02x" % (self.number << 3 | wire)


@dataclass
class Message:
    full_name: str
    fields: List[Field]
    c_type: str
    c_descriptor: str
    c_init: str
    c_lower: str = ""       # protoc-c's lower-case name: prefix of the codec functions
    fast: bool = False      # calcgen emits a codec for it (else protobuf-c is used)
    file: str = ""          # the .proto that defines it
    package: str = ""
    has_required: bool = False  # a proto2 `required` field in it or in a message it reaches
    dart_class: str = ""        # protoc_plugin's class name (dart_names.message_class_names)

    @property
    def local_name(self) -> str:
        """Outer.Inner for calc.Outer.Inner."""
        return self.full_name[len(self.package) + 1:] if self.package else self.full_name

    @property
    def dart_file(self) -> str:
        return self.file[:-len(".proto")] + ".pb.dart"

    @property
    def python_module(self) -> str:
        """protoc --python_out's module: sub/foo.proto -> sub.foo_pb2."""
        return self.file[:-len(".proto")].replace("/", ".").replace("-", "_") + "_pb2"

    @property
    def repeated_fields(self):
        return [f for f in self.fields if f.repeated]

    @property
    def fields_by_number(self):
        return sorted(self.fields, key=lambda f: f.number)

    @property
    def fast_prefix(self):
        """The leading fields (by number) that the decoder tries first in the
        order a canonical encoder writes them, each behind its one-byte tag:
        singular numbers below 16. Empty for messages with repeated fields
        (their decoder frames everything twice anyway)."""
        if self.repeated_fields:
            return []
        out = []
        for f in self.fields_by_number:
            if f.codec not in ("varint", "fixed32", "fixed64") or f.number >= 16:
                break
            out.append(f)
        return out

    @property
    def uses_arena(self) -> bool:
        """Whether decoding may allocate (strings, bytes, arrays, protobuf-c)."""
        return not self.fast or any(f.repeated or f.codec in ("string", "bytes") for f in self.fields)


@dataclass
class Op:
    id: int
    name: str           # as written in the .proto: "AddChecked"
    snake: str          # "add_checked"
    upper: str          # "ADD_CHECKED"
    kernel: str         # "NONE", "ADD", ...
    overflow: str       # "WRAP" / "CHECKED"
    request: Message
    response: Message
    batch: bool = False
    elem: Optional[NumericType] = None
    user_handler: str = ""   # P_<snake> for a user op
    handler: str = ""        # static P__op_<snake>
    dart_name: str = ""      # lowerCamel, keyword-escaped
    python_name: str = ""    # snake, keyword-escaped
    js_name: str = ""        # its Dart name, unless the JavaScript class reserves it (js_names)
    batch_peer: Optional["Op"] = None  # the batch op a single kernel op coalesces into
    streaming: str = ""      # "" (unary), "server", "client" or "bidi"

    @property
    def stream_kind(self) -> str:
        """Its cg_op_kind constant."""
        return {"": "CG_OP_UNARY", "server": "CG_OP_SERVER_STREAM", "client": "CG_OP_CLIENT_STREAM",
                "bidi": "CG_OP_BIDI_STREAM"}[self.streaming]

    @property
    def batchable(self) -> bool:
        """Whether the engine may run several calls of it as one batch kernel
        call (a single kernel op whose messages calcgen's codecs cover)."""
        return (not self.is_user and not self.batch and not self.streaming and self.request.fast
                and self.response.fast and not self.needs_arena)

    @property
    def sends(self) -> bool:
        """Whether its handler emits messages (server and bidi streams)."""
        return self.streaming in ("server", "bidi")

    @property
    def receives(self) -> bool:
        """Whether its handler reads the host's messages (client and bidi streams)."""
        return self.streaming in ("client", "bidi")

    @property
    def is_user(self) -> bool:
        return self.kernel == "NONE"

    @property
    def kind(self) -> str:
        """user (a handler you write) | batch (a kernel over repeated operands) |
        scalar (a kernel over two numbers)."""
        return "user" if self.is_user else "batch" if self.batch else "scalar"

    @property
    def elem_fn(self) -> str:
        return f"cg_elem_{self.kernel.lower()}_{self.elem.suffix}_{self.overflow.lower()}"

    @property
    def needs_arena(self) -> bool:
        """Whether the handler takes the thread's arena: user handlers, batch
        ops and requests that decode into it. A kernel op over scalars runs
        without it (and without resetting it)."""
        return self.is_user or self.batch or self.request.uses_arena

    @property
    def result_field(self) -> str:
        """Arguments of cg_put_scalar_field for a single op's result (see
        calcgen/support/wire.h): field number, encoding, value bits."""
        r = self.result
        return f"{r.number}, {self.elem.encoding}, {self.elem.scalar_bits.format('out.' + r.c_name)}"

    @property
    def result_zero_field(self) -> str:
        """C expression writing a single op's result field with the value
        zero into cg__scalar_response (its end), for responses where an
        absent field does not read as zero (protobuf-c-encoded messages)."""
        r, wire = self.result, self.elem.wire
        tag = f"cg_write_tag(cg__scalar_response, {r.number}, {wire})"
        if self.elem.codec == "varint":
            return f"cg_write_varint({tag}, 0)"
        return f"cg_write_le({tag}, 0, {4 if self.elem.codec == 'fixed32' else 8})"

    @property
    def batch_codec(self) -> str:
        return self.result.elem.encoding

    @property
    def zero_copy(self) -> bool:
        """A batch op whose operands and result are read and written in place."""
        return self.batch and self.result.codec in ("fixed32", "fixed64")

    @property
    def has_invoke(self) -> bool:
        """Typed host call (P_invoke_*): kernel ops whose codecs calcgen owns."""
        if self.is_user:
            return False
        if self.batch:
            return self.zero_copy or self.request.fast
        return self.request.fast and self.response.fast

    @property
    def dart_kind(self) -> str:
        """How the Dart binding calls it: user (dispatch, blocking), invoke
        (the typed entry point) or codec (dispatch with CgWriter/CgReader)."""
        return "user" if self.is_user else "invoke" if self.has_invoke else "codec"

    @property
    def dart_field(self) -> str:
        """Its typed entry point in the Native class (invoke<Name>)."""
        return "invoke" + self.dart_name[:1].upper() + self.dart_name[1:]

    @property
    def dart_blocking_field(self) -> str:
        return "blockingInvoke" + self.dart_name[:1].upper() + self.dart_name[1:]

    @property
    def dart_batch_bytes(self) -> str:
        """Dart expression of the request buffer size for n elements: the
        three arrays (invoke) or the worst-case packed varints (codec)."""
        if self.has_invoke:
            return f"3 * n * {self.elem.width}"
        return "32 + 20 * n"

    @property
    def operands(self):
        """a and b: the request's two fields in field-number order (the contract),
        whatever order they are declared in."""
        a, b = self.request.fields_by_number
        return a, b

    @property
    def result(self):
        return self.response.fields[0]


@dataclass(frozen=True)
class DartSignature:
    """A native function type of the Dart bindings: _<name>C and _<name>Dart."""
    name: str
    c_ret: str
    dart_ret: str
    params: list  # (native type, Dart type, parameter name)

    def __eq__(self, other):
        return self.name == other.name

    def __hash__(self):
        return hash(self.name)

    @property
    def c_type(self) -> str:
        return f"{self.c_ret} Function(" + ", ".join(f"{c} {n}" for c, _, n in self.params) + ")"

    @property
    def dart_type(self) -> str:
        return f"{self.dart_ret} Function(" + ", ".join(f"{d} {n}" for _, d, n in self.params) + ")"

    @property
    def dart_params(self) -> str:
        return ", ".join(f"{d} {n}" for _, d, n in self.params)


@dataclass(frozen=True)
class DartNative:
    """One native entry point of a generated Dart Native class."""
    field: str      # member of the Native class
    symbol: str     # the C function
    signature: str  # _<signature>C / _<signature>Dart typedefs
    leaf: bool
    asset: str      # the @Native external of the native-assets path


@dataclass
class Service:
    name: str
    full_name: str
    prefix: str         # "calc_calculator"
    upper: str          # "CALC_CALCULATOR"
    ops: List[Op]               # unary ops: P_dispatch runs them
    streams: List[Op] = field(default_factory=list)  # streaming methods: the engine runs them
    schema_hash: int = 0
    dart_class: str = ""  # class_name, escaped by dart_names.service_class_names

    @property
    def class_name(self) -> str:
        """Dart and Python class name: CalcCalculator."""
        return "".join(p[:1].upper() + p[1:] for p in self.prefix.split("_") if p)

    @property
    def coalesced_ops(self):
        return [op for op in self.ops if op.batch_peer]

    @property
    def user_ops(self):
        return [op for op in self.ops if op.is_user]

    @property
    def batchable_ops(self):
        return [op for op in self.ops if op.batchable]

    @property
    def scalar_invoke_ops(self):
        """Single kernel ops with a typed entry point: the Python stub binds
        them to _calcgen_fast's ScalarOp where that module is built."""
        return [op for op in self.ops if op.has_invoke and not op.batch]

    def dart_members(self):
        """(member name, method) of every method the Dart classes define."""
        from .dart_names import op_member_variants
        for op in self.ops:
            for member in op_member_variants(op.dart_name, op):
                yield member, op.name

    def dart_natives(self):
        """The Native class's entry points: (field, C symbol, signature,
        leaf, @Native external). Fixed ones first, then each typed entry
        point (leaf) and, for a batch, the same symbol as a non-leaf call for
        long batches. Fields of ops start with invoke/blockingInvoke, so they
        never meet the fixed ones."""
        rows = [("dispatch", f"{self.prefix}_dispatch", "Dispatch", True),
                ("blockingDispatch", f"{self.prefix}_dispatch", "Dispatch", False),
                ("schemaHash", f"{self.prefix}_schema_hash", "Hash", True),
                ("lastError", "cg_last_error", "LastError", True),
                ("lastErrorIndex", "cg_last_error_index", "LastErrorIndex", True),
                ("service", f"{self.prefix}_service", "Service", True)]
        for op in self.ops:
            if op.dart_kind == "invoke":
                sig = ("Batch" if op.batch else "Scalar") + op.elem.dart_native
                rows.append((op.dart_field, f"{self.prefix}_invoke_{op.snake}", sig, True))
                if op.batch:
                    rows.append((op.dart_blocking_field, f"{self.prefix}_invoke_{op.snake}", sig, False))
        return [DartNative(field, symbol, sig, leaf, self.dart_asset(field)) for field, symbol, sig, leaf in rows]

    def dart_asset(self, field: str) -> str:
        """The @Native external of Native class field `field`: private, and
        unique in the file ($ appears in no class or field name)."""
        return f"_{self.dart_class[:1].lower()}{self.dart_class[1:]}${field}"

    def js_members(self):
        """(member name, method) of every method the JavaScript class defines."""
        from .js_names import op_member_variants
        for op in self.ops:
            for member in op_member_variants(op.js_name, op):
                yield member, op.name

    def python_members(self):
        """(member name, method) of every method the Python class defines."""
        for op in self.ops:
            yield op.python_name, op.name
            if op.batch and op.has_invoke:
                yield op.python_name + "_into", op.name

    def symbols(self):
        """(C name, method or None) for every function, macro and enum constant
        generated for the service."""
        for fixed in ("dispatch", "schema_hash", "op_name", "_switch", "op_kind", "service", "_run_stream",
                      "_service", "_run_many"):
            yield f"{self.prefix}_{fixed}", None
        for fixed in ("OPS", "OPS_COUNT", "SCHEMA_HASH", "_OP_ENUM", "_CASE", "_NAME", "STREAMS",
                      "STREAMS_COUNT", "_KIND"):
            yield f"{self.upper}_{fixed}", None
        for op in self.streams:
            yield f"{self.upper}_OP_{op.upper}", op.name
            yield op.handler, op.name
            yield op.user_handler, op.name
            yield f"{self.prefix}_open_{op.snake}", op.name
            yield f"{self.prefix}_result_{op.snake}", op.name
            if op.sends:
                yield f"{self.prefix}_{op.snake}_send", op.name
            if op.receives:
                yield f"{self.prefix}_{op.snake}_recv", op.name
                yield f"{self.prefix}_write_{op.snake}", op.name
        for op in self.ops:
            yield f"{self.upper}_OP_{op.upper}", op.name
            yield op.handler, op.name
            if op.is_user:
                yield op.user_handler, op.name
            yield f"{self.prefix}_call_{op.snake}", op.name
            yield f"{self.prefix}_submit_{op.snake}", op.name
            yield f"{self.prefix}_result_{op.snake}", op.name
            if op.has_invoke:
                yield f"{self.prefix}_invoke_{op.snake}", op.name
            if op.zero_copy:
                yield f"{self.prefix}_layout_{op.snake}", op.name
                yield f"{self.prefix}_view_{op.snake}", op.name


@dataclass
class ProtoFile:
    name: str           # path as protoc knows it: "sub/foo.proto"
    base: str           # "sub/foo"
    package: str
    services: List[Service] = field(default_factory=list)
    dart_asset_id: str = ""  # @DefaultAsset of the Dart file (--dart-asset-id), or none

    @property
    def pbc_header(self) -> str:
        return self.base + ".pb-c.h"

    @property
    def has_scalar_ops(self) -> bool:
        """Whether some op is a single kernel op (answered from a scalar buffer)."""
        return any(not op.is_user and not op.batch for svc in self.services for op in svc.ops)

    @property
    def header(self) -> str:
        return self.base + ".calcgen.h"

    @property
    def source(self) -> str:
        return self.base + ".calcgen.c"

    @property
    def codec_messages(self):
        """Messages of this file's ops that get a generated codec, once each."""
        seen = {}
        for svc in self.services:
            for op in svc.ops:
                for m in (op.request, op.response):
                    if m.fast:
                        seen[m.full_name] = m
        return [seen[k] for k in sorted(seen)]

    @property
    def user_messages(self):
        """Messages user ops take or return, in the Dart and Python stubs."""
        seen = {}
        for svc in self.services:
            for op in svc.user_ops:
                for m in (op.request, op.response):
                    seen[m.full_name] = m
        return [seen[k] for k in sorted(seen)]

    @property
    def dart_signatures(self):
        """Every native signature the Dart file uses (`$ffi.` is dart:ffi)."""
        p = "$ffi.Pointer<$ffi.{}>".format
        out = [DartSignature("Dispatch", "$ffi.Int32", "int",
                             [("$ffi.Uint32", "int", "op"), (p("Uint8"), p("Uint8"), "req"),
                              ("$ffi.Size", "int", "reqLen"), (p("Size"), p("Size"), "resp")]),
               DartSignature("Hash", "$ffi.Uint64", "int", []),
               DartSignature("LastError", p("Uint8"), p("Uint8"), []),
               DartSignature("LastErrorIndex", "$ffi.Int64", "int", []),
               DartSignature("Service", p("Void"), p("Void"), [])]
        for svc in self.services:
            for op in svc.ops:
                if op.dart_kind != "invoke":
                    continue
                n, t = op.elem.dart_native, op.elem.dart_type
                if op.batch:
                    sig = DartSignature("Batch" + n, "$ffi.Int32", "int",
                                        [(p(n), p(n), "a"), (p(n), p(n), "b"), ("$ffi.Size", "int", "n"),
                                         (p(n), p(n), "result")])
                else:
                    sig = DartSignature("Scalar" + n, "$ffi.Int32", "int",
                                        [(f"$ffi.{n}", t, "a"), (f"$ffi.{n}", t, "b"), (p(n), p(n), "result")])
                if sig not in out:
                    out.append(sig)
        return out

    def dart_signature(self, name):
        return next(s for s in self.dart_signatures if s.name == name)

    def _dart_files(self):
        return sorted({m.dart_file for m in self.user_messages})

    @property
    def dart_imports(self):
        """(alias, relative path) of the .pb.dart files user ops need."""
        import posixpath
        here = posixpath.dirname(self.name) or "."
        return [(f"$pb{i}", posixpath.relpath(f, here)) for i, f in enumerate(self._dart_files())]

    def dart_type(self, msg) -> str:
        return f"$pb{self._dart_files().index(msg.dart_file)}.{msg.dart_class}"

    @property
    def dart_file(self) -> str:
        return self.base + ".calcgen.dart"

    @property
    def dart_web_file(self) -> str:
        """The web bindings (dart:js_interop over the JavaScript ones)."""
        return self.base + ".calcgen.web.dart"

    @property
    def js_file_name(self) -> str:
        return self.js_file.split("/")[-1]

    @property
    def dart_library_name(self) -> str:
        """sub/foo-bar -> sub.foo_bar_calcgen: the library directive that
        carries @DefaultAsset."""
        import re
        from .names import DART_RESERVED
        parts = [re.sub(r"\W", "_", p) for p in self.base.split("/")]
        parts[-1] += "_calcgen"
        return ".".join("x" + p if p[:1].isdigit() else p + "_" if p in DART_RESERVED else p for p in parts)

    @property
    def python_file(self) -> str:
        return self.base + "_calcgen.py"

    @property
    def js_file(self) -> str:
        return self.base + "_calcgen.mjs"

    @property
    def js_types_file(self) -> str:
        return self.base + "_calcgen.d.mts"

    @property
    def js_runtime_import(self) -> str:
        """The runtime module, relative to this file's binding (it sits at the
        root of the output, next to the bindings of top-level files)."""
        depth = self.base.count("/")
        return ("../" * depth if depth else "./") + "calcgen_runtime.mjs"

    @property
    def guard(self) -> str:
        import re
        return "CALCGEN_" + re.sub(r"[^A-Za-z0-9]", "_", self.base).upper() + "_CALCGEN_H"
