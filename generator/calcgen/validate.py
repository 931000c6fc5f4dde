"""The rules a schema must follow for calcgen to generate code that compiles
and behaves, and the errors that say which rule a schema broke, where."""

import re
from typing import List

from .model import PROTO_TYPE_NAMES


class SchemaError(Exception):
    def __init__(self, file, line, col, message):
        super().__init__(message)
        self.file, self.line, self.col, self.message = file, line, col, message

    def __str__(self):
        if self.line:
            return f"{self.file}:{self.line}:{self.col}: {self.message}"
        return f"{self.file}: {self.message}"


class SchemaErrors(Exception):
    def __init__(self, errors: List[SchemaError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


class Locations:
    def __init__(self, fdp):
        self.file = fdp.name
        self.spans = {tuple(loc.path): loc.span for loc in fdp.source_code_info.location}

    def at(self, path, message):
        span = self.spans.get(tuple(path))
        if span:
            return SchemaError(self.file, span[0] + 1, span[1] + 1, message)
        return SchemaError(self.file, 0, 0, message)


def kernel_problems(op, req_desc):
    """Why a built-in kernel cannot run on this op's messages ([] when it can);
    sets op.batch and op.elem when it can."""
    k = op.kernel
    req, resp = op.request, op.response
    if len(req.fields) != 2:
        return [f"kernel {k} needs a request with exactly two numeric fields; "
                f"{req.full_name} has {len(req.fields)}"]
    a, b = req.fields_by_number
    problems = []
    for f in (a, b):
        if f.elem is None:
            problems.append(f"kernel {k} needs numeric operands; {req.full_name}.{f.name} is "
                            f"{PROTO_TYPE_NAMES.get(f.type_id, f.type_id)}")
    if any(f.proto3_optional for f in req_desc.field):
        problems.append(f"kernel {k} operands must not be proto3 'optional' ({req.full_name}): "
                        f"a kernel reads both operands, present or not")
    elif any(f.HasField("oneof_index") for f in req_desc.field):
        problems.append(f"kernel {k} operands must not be in a oneof ({req.full_name})")
    if problems:
        return problems
    if a.type_id != b.type_id:
        return [f"kernel {k} needs both operands of one type; {req.full_name}.{a.name} is {a.elem.proto} "
                f"and {req.full_name}.{b.name} is {b.elem.proto}"]
    if a.repeated != b.repeated:
        return [f"kernel {k} needs both operands repeated (a batch op) or both singular; "
                f"{req.full_name}.{a.name} and .{b.name} differ"]
    if len(resp.fields) != 1:
        return [f"kernel {k} needs a response with exactly one field; {resp.full_name} has {len(resp.fields)}"]
    r = resp.fields[0]
    if r.optional:
        return [f"kernel {k}: result {resp.full_name}.{r.name} must not be proto3 'optional' "
                f"(a zero result would read as absent)"]
    if r.type_id != a.type_id:
        return [f"kernel {k} on {a.elem.proto} needs a result of type {a.elem.proto}; {resp.full_name}.{r.name} is "
                f"{PROTO_TYPE_NAMES.get(r.type_id, r.type_id)}"]
    if r.repeated != a.repeated:
        kind = "repeated (the operands are)" if a.repeated else "singular (the operands are)"
        return [f"kernel {k}: result {resp.full_name}.{r.name} must be {kind}"]
    if a.elem.is_float and op.overflow == "CHECKED":
        return [f"overflow CHECKED has no meaning for {a.elem.proto} (IEEE 754 gives inf); remove it"]
    op.batch = a.repeated
    op.elem = a.elem
    return []


def check_cross_service(svc, sdp, si, loc, owners):
    """Names of `svc` that another service of the same generation also
    generates (`Calculator` with kernel op `Add` and `CalculatorCall` with user
    op `Add` both make calc_calculator_call_add). `owners` collects every
    service's names, first come first served."""
    problems = []
    for sym, method in svc.symbols():
        other = owners.get(sym)
        if other and other[0] != svc.full_name:
            path = [6, si] + ([2, next(i for i, m in enumerate(sdp.method) if m.name == method)] if method else [])
            where = f"service {svc.full_name}" + (f", method {method}" if method else "")
            theirs = f"service {other[0]}" + (f", method {other[1]}" if other[1] else "")
            problems.append(loc.at(path, f"{where}: generated name {sym} is also generated for {theirs}"))
        else:
            owners.setdefault(sym, (svc.full_name, method))
    return problems


SAFE_FILE_NAME = re.compile(r"[A-Za-z0-9_./+-]+")


def file_name_problem(name):
    """A .proto's name ends up in #include lines (calcgen's and protoc-c's),
    comments and Python and Dart string literals; a quote, backslash, newline
    or `*/` in it would end those early, so such names are refused."""
    if SAFE_FILE_NAME.fullmatch(name):
        return None
    return (f"the file name {name!r} has characters that cannot appear in an #include or a comment of "
            f"generated code; use letters, digits and _ . / + -")
