"""Every schema the generator cannot honour is an error naming the file,
line, service and method; nothing is generated."""

import unittest

from calcgen.build import SchemaErrors
from support import HEADER, PAIR, model


def errors(body, extra_files=None):
    files = {"bad.proto": HEADER + PAIR + body}
    files.update(extra_files or {})
    try:
        model(files, generate=list(files))
    except SchemaErrors as e:
        return [str(x) for x in e.errors]
    raise AssertionError("no schema error")


class Validation(unittest.TestCase):
    def check(self, body, *fragments, line=None, extra=None):
        errs = errors(body, extra)
        text = "\n".join(errs)
        for frag in fragments:
            self.assertIn(frag, text)
        if line:
            self.assertTrue(any(e.startswith(f"bad.proto:{line}:") for e in errs), text)
        return errs

    def test_duplicate_id(self):
        self.check("service S {\n"
                   "  rpc A(Pair) returns (Val) { option (calcgen.op) = { id: 1 kernel: ADD }; }\n"
                   "  rpc B(Pair) returns (Val) { option (calcgen.op) = { id: 1 kernel: SUB }; }\n}\n",
                   "service t.S, method B: id 1 is already used by method A", line=8)

    def test_partial_ids(self):
        self.check("service S {\n"
                   "  rpc A(Pair) returns (Val) { option (calcgen.op) = { id: 3 kernel: ADD }; }\n"
                   "  rpc B(Pair) returns (Val) { option (calcgen.op) = { kernel: SUB }; }\n}\n",
                   "method B: has no (calcgen.op).id, but other methods")

    def test_id_too_large(self):
        self.check("service S { rpc A(Pair) returns (Val) { option (calcgen.op) = { id: 4000000000 }; } }\n",
                   "id 4000000000 is above the largest op id")

    def test_streaming_with_a_kernel(self):
        for stream, kind in (("stream Pair) returns (Val", "client"), ("Pair) returns (stream Val", "server"),
                             ("stream Pair) returns (stream Val", "bidi")):
            self.check(f"service S {{ rpc A({stream}) {{ option (calcgen.op) = {{ kernel: ADD }}; }} }}\n",
                       f"method A: a {kind} streaming method runs a handler you write; it cannot have a kernel")

    def test_kernel_on_non_numeric(self):
        self.check("message P { string a = 1; string b = 2; }\n"
                   "service S { rpc A(P) returns (Val) { option (calcgen.op) = { kernel: ADD }; } }\n",
                   "kernel ADD needs numeric operands; t.P.a is string")

    def test_kernel_mixed_types(self):
        self.check("message P { int64 a = 1; sint64 b = 2; }\n"
                   "service S { rpc A(P) returns (Val) { option (calcgen.op) = { kernel: MUL }; } }\n",
                   "needs both operands of one type; t.P.a is int64 and t.P.b is sint64")

    def test_kernel_field_count(self):
        self.check("message P { int64 a = 1; }\n"
                   "service S { rpc A(P) returns (Val) { option (calcgen.op) = { kernel: ADD }; } }\n",
                   "exactly two numeric fields; t.P has 1")

    def test_kernel_response_type(self):
        self.check("message R { int32 value = 1; }\n"
                   "service S { rpc A(Pair) returns (R) { option (calcgen.op) = { kernel: ADD }; } }\n",
                   "kernel ADD on int64 needs a result of type int64; t.R.value is int32")

    def test_kernel_response_shape(self):
        self.check("message B { repeated int64 a = 1; repeated int64 b = 2; }\n"
                   "service S { rpc A(B) returns (Val) { option (calcgen.op) = { kernel: ADD }; } }\n",
                   "result t.Val.value must be repeated")
        self.check("message R { int64 x = 1; int64 y = 2; }\n"
                   "service S { rpc A(Pair) returns (R) { option (calcgen.op) = { kernel: ADD }; } }\n",
                   "needs a response with exactly one field; t.R has 2")

    def test_kernel_mixed_labels(self):
        self.check("message B { repeated int64 a = 1; int64 b = 2; }\n"
                   "service S { rpc A(B) returns (Val) { option (calcgen.op) = { kernel: ADD }; } }\n",
                   "both operands repeated (a batch op) or both singular")

    def test_kernel_oneof(self):
        self.check("message P { oneof x { int64 a = 1; int64 b = 2; } }\n"
                   "service S { rpc A(P) returns (Val) { option (calcgen.op) = { kernel: ADD }; } }\n",
                   "must not be in a oneof")

    def test_checked_float(self):
        self.check("message F { double a = 1; double b = 2; } message G { double v = 1; }\n"
                   "service S { rpc A(F) returns (G) { option (calcgen.op) = { kernel: ADD overflow: CHECKED }; } }\n",
                   "overflow CHECKED has no meaning for double")

    def test_proto3_optional_kernel_operands(self):
        self.check("message P { optional int64 a = 1; int64 b = 2; }\n"
                   "service S { rpc A(P) returns (Val) { option (calcgen.op) = { kernel: ADD }; } }\n",
                   "kernel ADD operands must not be proto3 'optional' (t.P)")

    def test_proto3_optional_kernel_result(self):
        self.check("message R { optional int64 v = 1; }\n"
                   "service S { rpc A(Pair) returns (R) { option (calcgen.op) = { kernel: SUB }; } }\n",
                   "kernel SUB: result t.R.v must not be proto3 'optional'")

    def test_colliding_c_names(self):
        self.check("service S {\n  rpc AddOne(Pair) returns (Val);\n  rpc Add_One(Pair) returns (Val);\n}\n",
                   "method Add_One: its C name t_s_add_one collides with method AddOne")

    def test_colliding_dart_names(self):
        self.check("service S {\n  rpc Add1x(Pair) returns (Val);\n  rpc Add_1x(Pair) returns (Val);\n}\n",
                   "method Add_1x: its Dart name add1x collides with method Add1x")

    def test_reserved_name(self):
        self.check("service S { rpc Dispatch(Pair) returns (Val); }\n",
                   "its C name t_s_dispatch collides with the generated function")

    def test_prefix_collision_across_files(self):
        other = {"other.proto": 'syntax = "proto3";\npackage t_s;\nmessage M {}\n'
                                "service Op { rpc X(M) returns (M); }\n"}
        self.check("message M2 {}\nservice SOp { rpc X(M2) returns (M2); }\n",
                   "its C prefix t_s_op is also the prefix of service", extra=other)

    def test_several_errors_reported_together(self):
        errs = errors("service S {\n"
                      "  rpc A(stream Pair) returns (Val) { option (calcgen.op) = { kernel: ADD }; }\n"
                      "  rpc Dispatch(Pair) returns (Val);\n}\n")
        self.assertEqual(len(errs), 2)


if __name__ == "__main__":
    unittest.main()
