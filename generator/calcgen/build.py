"""Builds the model from protoc's FileDescriptorProtos, checking it as it goes
(the rules and the error type are in validate.py).

Every problem is collected as a SchemaError carrying the file and, where the
source info has it, the line and column, and names the service and method.
Nothing is generated while any error remains: calcgen never emits code that
fails to compile."""

from typing import Dict, List

from . import dart_names, js_names, names
from .protoc_c import import_closure
from .model import KERNELS, OVERFLOWS, Field, Message, Op, ProtoFile, Service
from .schema_hash import schema_hash
from .validate import Locations, SchemaError, SchemaErrors, check_cross_service, file_name_problem, kernel_problems
from .wire import WireError, read_op_options

LABEL_REQUIRED, LABEL_REPEATED = 2, 3
TYPE_MESSAGE = 11


class _MessageIndex:
    """Every message of every file in the request, by full name."""

    def __init__(self, proto_files):
        self.descs = {}   # full name -> (DescriptorProto, FileDescriptorProto, path)
        for fdp in proto_files:
            prefix = fdp.package + "." if fdp.package else ""
            for i, m in enumerate(fdp.message_type):
                self._add(prefix + m.name, m, fdp, [4, i])
        self.models: Dict[str, Message] = {}
        self._dart_classes: Dict[str, Dict[str, str]] = {}  # file -> {full name: class}

    def dart_class(self, full, fdp) -> str:
        if fdp.name not in self._dart_classes:
            prefix = fdp.package + "." if fdp.package else ""
            self._dart_classes[fdp.name] = dart_names.message_class_names(fdp, prefix)
        return self._dart_classes[fdp.name][full]

    def _add(self, full, m, fdp, path):
        self.descs[full] = (m, fdp, path)
        for j, nested in enumerate(m.nested_type):
            self._add(full + "." + nested.name, nested, fdp, path + [3, j])

    def model(self, full) -> Message:
        if full not in self.models:
            m, fdp, _ = self.descs[full]
            members = names.pbc_member_names(m, fdp.syntax != "proto3")
            fields = [Field(name=f.name, number=f.number, type_id=f.type, repeated=f.label == LABEL_REPEATED,
                            c_name=members[f.name], type_name=f.type_name.lstrip("."),
                            optional=f.proto3_optional)
                      for f in m.field]
            self.models[full] = Message(full_name=full, fields=fields, c_type=names.pbc_type_name(full),
                                        c_descriptor=names.pbc_descriptor(full), c_init=names.pbc_init_macro(full),
                                        c_lower=names.pbc_lower_name(full),
                                        fast=_codec_covers(m, fdp, fields), file=fdp.name,
                                        package=fdp.package, dart_class=self.dart_class(full, fdp))
            self.models[full].has_required = any(
                f.label == LABEL_REQUIRED for name in self.reachable(full) for f in self.descs[name][0].field)
        return self.models[full]

    def reachable(self, full):
        """Full names of `full` and every message its fields reach (without
        recursion: a chain of message types may be thousands long)."""
        seen, todo = set(), [full]
        while todo:
            name = todo.pop()
            if name in seen or name not in self.descs:
                continue
            seen.add(name)
            todo.extend(f.type_name.lstrip(".") for f in self.descs[name][0].field if f.type == TYPE_MESSAGE)
        return seen


def _codec_covers(desc, fdp, fields) -> bool:
    """calcgen's own codec handles proto3 messages of numeric fields (single
    or repeated), strings and bytes; anything else (nested messages, enums,
    bool, oneofs, maps, proto2 presence and defaults) goes through protobuf-c."""
    if fdp.syntax != "proto3":
        return False
    if any(f.HasField("oneof_index") or f.proto3_optional for f in desc.field):
        return False
    return all(f.codec is not None for f in fields)


def build(proto_files, files_to_generate) -> List[ProtoFile]:
    """proto_files: every FileDescriptorProto protoc passed (dependencies first)."""
    index = _MessageIndex(proto_files)
    errors: List[SchemaError] = []
    out: List[ProtoFile] = []
    by_name = {f.name: f for f in proto_files}
    prefixes = {}
    owners = {}  # every name generated for any service of the generation -> (service, method)
    for name in [*files_to_generate, *import_closure(proto_files, files_to_generate)]:
        problem = file_name_problem(name)
        if problem:
            errors.append(SchemaError(name, 0, 0, problem))
    for fname in files_to_generate:
        fdp = by_name[fname]
        loc = Locations(fdp)
        pf = ProtoFile(name=fdp.name, base=fdp.name[:-len(".proto")] if fdp.name.endswith(".proto") else fdp.name,
                       package=fdp.package)
        js_exports = {}  # what the file's JavaScript binding exports -> its service
        for si, sdp in enumerate(fdp.service):
            svc = _build_service(fdp, si, sdp, index, loc, errors)
            if svc is None:
                continue
            if svc.prefix in prefixes:
                errors.append(loc.at([6, si], f"service {svc.full_name}: its C prefix {svc.prefix} is also the "
                                              f"prefix of service {prefixes[svc.prefix]}"))
                continue
            prefixes[svc.prefix] = svc.full_name
            if svc.prefix == "cg" or svc.prefix.startswith("cg_"):
                errors.append(loc.at([6, si], f"service {svc.full_name}: its C prefix {svc.prefix} is in the "
                                              f"runtime's namespace (cg_*); rename the service or give it a package"))
                continue
            errors.extend(check_cross_service(svc, sdp, si, loc, owners))
            for name in js_names.top_level_names(svc):
                if name in js_exports:
                    errors.append(loc.at([6, si], f"service {svc.full_name}: its JavaScript binding exports "
                                                  f"{name}, as does service {js_exports[name]}'s"))
                js_exports.setdefault(name, svc.full_name)
            pf.services.append(svc)
        out.append(pf)
    if errors:
        raise SchemaErrors(errors)
    services = [svc for pf in out for svc in pf.services]
    for svc, dart_class in zip(services, dart_names.service_class_names([s.class_name for s in services])):
        svc.dart_class = dart_class
    return out


# (client_streaming, server_streaming) -> Op.streaming
STREAMING = {(False, False): "", (False, True): "server", (True, False): "client", (True, True): "bidi"}


def _build_service(fdp, si, sdp, index, loc, errors):
    full = f"{fdp.package}.{sdp.name}" if fdp.package else sdp.name
    prefix = (fdp.package.replace(".", "_") + "_" if fdp.package else "") + names.snake_case(sdp.name)
    svc = Service(name=sdp.name, full_name=full, prefix=prefix, upper=prefix.upper(), ops=[])
    before = len(errors)

    def err(mi, text):
        where = f"service {full}" + (f", method {sdp.method[mi].name}" if mi is not None else "")
        errors.append(loc.at([6, si] + ([2, mi] if mi is not None else []), f"{where}: {text}"))

    opts = []
    for mi, m in enumerate(sdp.method):
        try:
            opts.append(read_op_options(m.options.SerializeToString()))
        except WireError as e:
            err(mi, f"cannot read the (calcgen.op) option: {e}")
            return None
    with_id = [mi for mi, o in enumerate(opts) if o.id]
    if with_id and len(with_id) != len(opts):
        for mi, o in enumerate(opts):
            if not o.id:
                err(mi, "has no (calcgen.op).id, but other methods of the service set one; "
                        "set an id on every method or on none")
    ids = [o.id for o in opts] if with_id else list(range(1, len(opts) + 1))
    seen_ids, seen_snake, seen_dart = {}, {}, {}
    for mi, (m, o, op_id) in enumerate(zip(sdp.method, opts, ids)):
        if op_id in seen_ids:
            err(mi, f"id {op_id} is already used by method {seen_ids[op_id]}")
        seen_ids.setdefault(op_id, m.name)
        if op_id > 0x7FFFFFFF:
            err(mi, f"id {op_id} is above the largest op id, 2147483647")
        snake = names.snake_case(m.name)
        if snake.startswith("_") or not snake.replace("_", "").isalnum():
            err(mi, f"the name gives C identifier part '{snake}', which calcgen reserves or cannot use")
        elif snake in names.RESERVED_OP_NAMES:
            err(mi, f"its C name {prefix}_{snake} collides with the generated function of that name")
        dart = names.lower_camel(snake)
        if snake in seen_snake:
            err(mi, f"its C name {prefix}_{snake} collides with method {seen_snake[snake]}")
        elif dart in seen_dart:
            err(mi, f"its Dart name {dart} collides with method {seen_dart[dart]}")
        seen_snake.setdefault(snake, m.name)
        seen_dart.setdefault(dart, m.name)
        streaming = STREAMING[(m.client_streaming, m.server_streaming)]
        if streaming and o.kernel:
            err(mi, f"a {streaming} streaming method runs a handler you write; it cannot have a kernel")
            continue
        if o.kernel not in KERNELS:
            err(mi, f"unknown kernel value {o.kernel}")
            continue
        if o.overflow not in OVERFLOWS:
            err(mi, f"unknown overflow value {o.overflow}")
            continue
        req_name, resp_name = m.input_type.lstrip("."), m.output_type.lstrip(".")
        op = Op(id=op_id, name=m.name, snake=snake, upper=snake.upper(), kernel=KERNELS[o.kernel],
                overflow=OVERFLOWS[o.overflow], request=index.model(req_name), response=index.model(resp_name),
                handler=f"{prefix}__op_{snake}", dart_name=names.dart_identifier(snake),
                python_name=names.python_identifier(snake))
        if streaming:
            op.streaming = streaming
            op.user_handler = f"{prefix}_{snake}"
            svc.streams.append(op)
            continue
        if op.is_user:
            op.user_handler = f"{prefix}_{snake}"
        else:
            for p in kernel_problems(op, index.descs[op.request.full_name][0]):
                err(mi, p)
        svc.ops.append(op)
    if len(errors) != before:
        return None
    for op, dart in zip(svc.ops, dart_names.op_member_names(svc.ops, [op.dart_name for op in svc.ops])):
        op.dart_name = dart
    for op, dart in zip(svc.streams, dart_names.op_member_names(svc.streams, [op.dart_name for op in svc.streams])):
        op.dart_name = dart
    for op, js in zip(svc.ops, js_names.op_member_names(svc.ops)):
        op.js_name = js
    # A single kernel op coalesces (in the async Dart class) into the first
    # batch op with the same kernel, overflow and element type.
    for op in svc.ops:
        if not op.is_user and not op.batch:
            op.batch_peer = next((b for b in svc.ops if b.batch and b.kernel == op.kernel
                                  and b.overflow == op.overflow and b.elem == op.elem), None)
    for language, generated in (("Dart", svc.dart_members()), ("Python", svc.python_members()),
                                ("JavaScript", svc.js_members())):
        members = {}
        for member, method in generated:
            if member in members and members[member] != method:
                err(next(i for i, m in enumerate(sdp.method) if m.name == method),
                    f"its {language} method {member} collides with method {members[member]}'s")
            members.setdefault(member, method)
    owners = {}
    for sym, method in svc.symbols():
        if sym in owners:
            mi = next(i for i, m in enumerate(sdp.method) if m.name == method)
            other = f"method {owners[sym]}" if owners[sym] else "a generated function"
            err(mi, f"generated function {sym} collides with {other}'s")
        owners.setdefault(sym, method)
    if len(errors) != before:
        return None
    messages = {}
    for op in svc.ops + svc.streams:
        for name in index.reachable(op.request.full_name) | index.reachable(op.response.full_name):
            messages[name] = index.model(name)
    svc.schema_hash = schema_hash(svc, messages)
    return svc
