"""calcgen's status codes, for the Dart and Python stubs.

Mirrors CG_STATUS_MAP in runtime/include/calcgen/status.h; the test
tests/generator/test_dart_and_python.py fails when they drift apart."""

STATUSES = [
    (0, "CG_OK"),
    (1, "CG_ERR_UNKNOWN_OP"),
    (2, "CG_ERR_DECODE"),
    (3, "CG_ERR_INVALID_ARGUMENT"),
    (4, "CG_ERR_DIVIDE_BY_ZERO"),
    (5, "CG_ERR_OVERFLOW"),
    (6, "CG_ERR_LIMIT"),
    (7, "CG_ERR_NO_MEMORY"),
    (8, "CG_ERR_HANDLER"),
    (9, "CG_ERR_CANCELLED"),
    (10, "CG_ERR_CLOSED"),
]


def dart_const(c_name: str) -> str:
    """CG_ERR_UNKNOWN_OP -> errUnknownOp, CG_OK -> ok."""
    parts = c_name.lower().split("_")[1:]
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def for_templates():
    return [(code, name, dart_const(name)) for code, name in STATUSES]
