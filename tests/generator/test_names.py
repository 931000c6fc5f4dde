"""calcgen's names, and its reproduction of protoc-c's names checked against
real protoc-c output."""

import unittest

from calcgen import names
from support import model

TRICKY = """syntax = "proto3";
package my_pkg.sub_Two;
message BinaryOp { int64 a = 1; int64 return = 2; repeated int64 int = 3; }
message HTTPRequest { message Inner_thing { int32 x = 1; } string class = 1; Inner_thing inner = 2; }
message lower_case { int32 X = 1; int32 alignas = 2; int32 typename = 3; int32 restrict = 4; int32 nullptr = 5; }
message V2Value { int32 Value2 = 1; }
message Clash { int64 base = 1; repeated int32 x = 2; int32 n_x = 3; oneof kind { int32 a = 4; } int32 kind_case = 5;
                int32 linux = 6; bool export = 7; int32 typeof = 8; optional bytes unix = 9; }
"""


class SnakeCase(unittest.TestCase):
    def test_examples(self):
        for src, want in [("Calculator", "calculator"), ("AddChecked", "add_checked"),
                          ("HTTPServer", "http_server"), ("Add_One", "add_one"), ("V2Api", "v2_api"),
                          ("add", "add"), ("getHTTPResponseCode", "get_http_response_code")]:
            self.assertEqual(names.snake_case(src), want, src)

    def test_contract_prefix(self):
        svc = model({"c.proto": 'syntax = "proto3";\npackage calc;\nmessage M {}\n'
                                "service Calculator { rpc Op(M) returns (M); }\n"})[0].services[0]
        self.assertEqual(svc.prefix, "calc_calculator")
        self.assertEqual(svc.upper, "CALC_CALCULATOR")


class MatchesProtocC(unittest.TestCase):
    def test_types_descriptors_init_macros_and_fields(self):
        files = model({"tricky.proto": TRICKY + "service S { rpc Op(BinaryOp) returns (HTTPRequest); }\n"})
        from calcgen import protoc_c
        from calcgen.build import _MessageIndex  # every message, nested ones too
        from support import descriptor_set
        fds = descriptor_set({"tricky.proto": TRICKY})
        # real protoc-gen-c, given the descriptors as calcgen gives them (keywords it
        # does not escape renamed first)
        header = protoc_c.generate(fds.file, ["tricky.proto"])["tricky.pb-c.h"]
        index = _MessageIndex(fds.file)
        self.assertEqual(len(index.descs), 6)
        for full in index.descs:
            m = index.model(full)
            self.assertIn(f"struct  {m.c_type}\n", header, full)
            self.assertIn(f"const ProtobufCMessageDescriptor {m.c_descriptor};", header, full)
            self.assertIn(f"#define {m.c_init} ", header, full)
            for f in m.fields:
                self.assertRegex(header, rf"\s\*?{f.c_name};", f"{full}.{f.name}")
        self.assertTrue(files[0].services)


if __name__ == "__main__":
    unittest.main()
