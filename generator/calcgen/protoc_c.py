"""protobuf-c's message code for the inputs and, transitively, their imports.

calcgen talks to protoc-gen-c (Debian's protobuf-c-compiler) directly, with a
CodeGeneratorRequest built from the descriptors protoc already produced, so
the CLI and the protoc plugin share one path and need no second protoc run.
The request is rewritten on the way so that protobuf-c 1.4.1 can compile it:
- services are removed: calcgen's dispatch replaces protoc-c's RPC stubs,
  which do not compile for methods named after C keywords (`rpc Return`);
- fields named after keywords protobuf-c does not escape, or whose member
  would collide with one protoc-c declares itself (`base`, `n_x`, `has_x`,
  `x_case`), get a trailing `_` (names.pbc_member_names), as the keywords it
  does escape get from protoc-c;
- proto3 `optional` fields become members of an ordinary one-member oneof.
  On the wire the two are the same thing (a proto3 `optional` field *is* a
  synthetic oneof), and protobuf-c supports oneofs, so presence survives as
  the oneof's case member (`msg->_name_case`).
"""

import os
import shutil
import subprocess

from google.protobuf.compiler import plugin_pb2

from .names import _pbc_camel_to_lower, pbc_header, pbc_init_macro, pbc_member_names, pbc_own_member_name
from .wire import WireError, fields as _fields

PB_C_FILE_OPTIONS = 1019  # (pb_c_file) in protobuf-c/protobuf-c.proto
PB_C_NO_GENERATE = 1
TYPE_BYTES = 12


class ProtocCError(Exception):
    pass


def no_generate(fdp) -> bool:
    """Whether the file sets `option (pb_c_file).no_generate = true` (as
    calcgen/options.proto and protobuf-c.proto do): protoc-c emits nothing
    for it and never includes its header."""
    try:
        for number, wtype, value in _fields(fdp.options.SerializeToString()):
            if number == PB_C_FILE_OPTIONS and wtype == 2:
                for n, wt, v in _fields(value):
                    if n == PB_C_NO_GENERATE and wt == 0 and v:
                        return True
    except WireError:
        return False
    return False


def import_closure(proto_files, inputs):
    """Names of the files `inputs` import, directly or not, in dependency
    order, without the inputs themselves. A no_generate file is left out with
    what it imports (protoc-c's output never includes its header), unless
    something else imports that too."""
    by_name = {f.name: f for f in proto_files}
    seen, order = set(inputs), []

    def visit(name):
        for dep in by_name[name].dependency:
            if dep not in seen and not no_generate(by_name[dep]):
                seen.add(dep)
                visit(dep)
                order.append(dep)

    for name in inputs:
        visit(name)
    return order


def _compilable(fdp):
    """A copy of `fdp` that protoc-gen-c 1.4.1 accepts (see the module doc)."""
    out = type(fdp)()
    out.CopyFrom(fdp)
    del out.service[:]
    stack = list(out.message_type)
    while stack:
        m = stack.pop()
        stack.extend(m.nested_type)
        members = pbc_member_names(m, out.syntax != "proto3")
        for f in m.field:
            if f.proto3_optional:
                f.proto3_optional = False  # oneof_index still names its (now ordinary) oneof
            if members[f.name] != pbc_own_member_name(f.name):
                f.name = members[f.name]  # protoc-c keeps this one as it is
    return out


def _brace_bytes_unions(fdp, header):
    """protoc-c initialises every oneof's union with `{0}` in the INIT macro;
    when the union's first member is `bytes` (a struct), gcc -Wall warns
    (-Wmissing-braces), so such unions get `{{0}}`."""
    def walk(msgs, prefix):
        for m in msgs:
            full = prefix + m.name
            yield full, m
            yield from walk(m.nested_type, full + ".")

    for full, m in walk(fdp.message_type, fdp.package + "." if fdp.package else ""):
        init = pbc_init_macro(full)[:-len("__INIT")]
        for index, o in enumerate(m.oneof_decl):
            members = [f for f in m.field if f.HasField("oneof_index") and f.oneof_index == index]
            if members and members[0].type == TYPE_BYTES:
                unset = f"{init}__{_pbc_camel_to_lower(o.name).upper()}__NOT_SET, {{0}}"
                header = header.replace(unset, unset[:-3] + "{{0}}")
    return header


def request_for(proto_files, to_generate):
    req = plugin_pb2.CodeGeneratorRequest()
    req.file_to_generate.extend(to_generate)
    for f in proto_files:
        req.proto_file.append(_compilable(f))
    return req


def protoc_gen_c():
    path = os.environ.get("CALCGEN_PROTOC_GEN_C") or shutil.which("protoc-gen-c")
    if not path:
        raise ProtocCError("protoc-gen-c not found on PATH (install Debian's protobuf-c-compiler, "
                           "or set CALCGEN_PROTOC_GEN_C)")
    return path


def generate(proto_files, to_generate):
    """{relative path: text} of protoc-c's output for `to_generate`."""
    if not to_generate:
        return {}
    req = request_for(proto_files, to_generate)
    exe = protoc_gen_c()
    proc = subprocess.run([exe], input=req.SerializeToString(), capture_output=True)
    if proc.returncode != 0:
        raise ProtocCError(f"{exe} failed (exit status {proc.returncode}): "
                           f"{proc.stderr.decode(errors='replace').strip()}")
    resp = plugin_pb2.CodeGeneratorResponse()
    resp.ParseFromString(proc.stdout)
    if resp.error:
        raise ProtocCError(f"protoc-gen-c: {resp.error}")
    by_header = {pbc_header(f.name): f for f in proto_files}
    return {f.name: _brace_bytes_unions(by_header[f.name], f.content) if f.name in by_header else f.content
            for f in resp.file}
