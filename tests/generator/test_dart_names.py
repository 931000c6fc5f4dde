"""Dart names: protoc_plugin's message class names (the rules ported in
dart_names.py, checked on the cases its names.dart singles out) and the
members of calcgen's generated classes, which no op name may take."""

import unittest

from calcgen import dart_names, render
from support import HEADER, descriptor_set, model

BATCH = "message Many { repeated int64 a = 1; repeated int64 b = 2; }\nmessage Out { repeated int64 v = 1; }\n"


class MessageClassNames(unittest.TestCase):
    def names(self, text, package="p"):
        fds = descriptor_set({"m.proto": f'syntax = "proto3";\npackage {package};\n{text}'})
        (fdp,) = [f for f in fds.file if f.name == "m.proto"]
        return dart_names.message_class_names(fdp, package + ".")

    def test_core_and_reserved_names(self):
        got = self.names("message List {}\nmessage Map {}\nmessage String {}\nmessage Object {}\n"
                         "message get {}\nmessage type {}\nmessage int {}\nmessage Function {}\n"
                         "message lower_case2 {}\nmessage _Private {}\nmessage __x9 {}\n")
        self.assertEqual(got, {"p.List": "List_", "p.Map": "Map_", "p.String": "String", "p.Object": "Object",
                               "p.get": "get", "p.type": "type", "p.int": "int_", "p.Function": "Function_",
                               "p.lower_case2": "lower_case2", "p._Private": "Private_", "p.__x9": "x9__"})

    def test_nested_names_follow_the_parents_final_name(self):
        got = self.names("message List { message Item { message Deep {} } }\n"
                         "message Outer { enum Kind { K0 = 0; } message Inner {} map<string, int32> tags = 1; }\n")
        self.assertEqual(got["p.List.Item"], "List__Item")
        self.assertEqual(got["p.List.Item.Deep"], "List__Item_Deep")
        self.assertEqual(got["p.Outer.Inner"], "Outer_Inner")
        self.assertEqual(got["p.Outer.TagsEntry"], "Outer_TagsEntry")

    def test_collisions_resolve_in_protoc_plugin_order(self):
        # enums first, then each message with its nested enums and messages
        got = self.names("message A { message B {} }\nenum A_B { Z = 0; }\nmessage Outer { message In {} }\n"
                         "message Outer_In {}\nmessage Outer_In_ {}\n")
        self.assertEqual(got["p.A"], "A")
        self.assertEqual(got["p.A.B"], "A_B_")          # the top-level enum A_B came first
        self.assertEqual(got["p.Outer.In"], "Outer_In")
        self.assertEqual(got["p.Outer_In"], "Outer_In_")
        self.assertEqual(got["p.Outer_In_"], "Outer_In__")  # Outer_In_ is taken: suffix _

    def test_the_stub_imports_those_names(self):
        files = {"m.proto": HEADER + "message List { int64 a = 1; }\nmessage int { int64 v = 1; }\n"
                                     "service S { rpc Go(List) returns (int); }\n"}
        (pf,) = model(files)
        dart = render.render_dart(pf)["m.calcgen.dart"]
        self.assertIn("$pb0.int_ go($pb0.List_ request)", dart)


class MessageFieldNames(unittest.TestCase):
    def test_protoc_plugin_field_rules(self):
        fds = descriptor_set({"m.proto": 'syntax = "proto3";\npackage p;\nmessage M {\n'
                              "  int32 get = 1; int32 type = 2; int64 hash_code = 5; int32 class = 6;\n"
                              "  string foo_bar2x = 7; repeated int32 to_string = 8; M child = 9;\n"
                              "  int32 has_child = 10; int32 info_ = 11; int32 List = 12; int32 value = 13;\n"
                              "  int32 HTTP_url = 14; }\n"})
        (fdp,) = [f for f in fds.file if f.name == "m.proto"]
        self.assertEqual(dart_names.message_field_names(fdp.message_type[0]), {
            "get": "get", "type": "type", "hash_code": "hashCode_5", "class": "class_6",
            "foo_bar2x": "fooBar2x", "to_string": "toString_8", "child": "child",
            "has_child": "hasChild_10",  # hasChild is child's has method
            "info_": "info", "List": "list", "value": "value", "HTTP_url": "hTTPUrl"})


class GeneratedMembers(unittest.TestCase):
    def test_ops_never_take_a_member_of_the_generated_classes(self):
        rpcs = "".join(f"rpc {n}(Pair) returns (Val) {{ option (calcgen.op) = {{ kernel: ADD }}; }}\n"
                       for n in ("Dispose", "Native", "Pool", "MaxBatch", "ToString", "HashCode", "Sync",
                                 "IsDisposed", "LongCallElements", "WithNative", "NoSuchMethod", "RuntimeType"))
        rpcs += "rpc BatchAdd(Many) returns (Out) { option (calcgen.op) = { kernel: ADD }; }\n"
        rpcs += "rpc BatchAddPtr(Many) returns (Out) { option (calcgen.op) = { kernel: ADD }; }\n"
        rpcs += "rpc Go(Pair) returns (Val) { option (calcgen.op) = { kernel: ADD }; }\n"
        rpcs += "rpc GoInto(Pair) returns (Val) { option (calcgen.op) = { kernel: ADD }; }\n"
        rpcs += "rpc Return(Pair) returns (Val) { option (calcgen.op) = { kernel: ADD }; }\n"
        files = {"m.proto": HEADER + "message Pair { int64 a = 1; int64 b = 2; }\nmessage Val { int64 v = 1; }\n"
                            + BATCH + "service S {\n" + rpcs + "}\n"}
        (pf,) = model(files)
        got = {op.name: op.dart_name for op in pf.services[0].ops}
        self.assertEqual(got, {
            "Dispose": "dispose_", "Native": "native_", "Pool": "pool_", "MaxBatch": "maxBatch_",
            "ToString": "toString_", "HashCode": "hashCode_", "Sync": "sync_", "IsDisposed": "isDisposed_",
            "LongCallElements": "longCallElements_", "WithNative": "withNative_",
            "NoSuchMethod": "noSuchMethod_", "RuntimeType": "runtimeType_",
            "BatchAdd": "batchAdd", "BatchAddPtr": "batchAddPtr_",   # batchAddPtr is BatchAdd's Ptr call
            "Go": "go", "GoInto": "goInto",                             # single ops have no Into call
            "Return": "return_"})
        members = [m for m, _ in pf.services[0].dart_members()]
        self.assertEqual(len(members), len(set(members)))

    def test_service_class_names_avoid_core_runtime_and_each_other(self):
        self.assertEqual(dart_names.service_class_names(["String", "CgStatus", "Calc", "CalcNative", "Calc"]),
                         ["String_", "CgStatus_", "Calc", "CalcNative_", "Calc_"])

    def test_asset_ids(self):
        self.assertEqual(dart_names.dart_asset_id_problem("package:my_app/src/my_app.dart"), "")
        for bad in ("my_app.dart", "package:MyApp/x.dart", "package:a/x.dart'", "package:a/x"):
            self.assertIn("expected package:", dart_names.dart_asset_id_problem(bad))


if __name__ == "__main__":
    unittest.main()
