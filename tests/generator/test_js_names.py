"""JavaScript member names of the generated service classes (js_names.py)."""

import unittest

from support import model

SCHEMA = """
syntax = "proto3";
package names;
import "calcgen/options.proto";
message P { int64 a = 1; int64 b = 2; }
message V { int64 value = 1; }
message B { repeated int64 a = 1; repeated int64 b = 2; }
message R { repeated int64 values = 1; }
service Odd {
  rpc Then(P) returns (V) { option (calcgen.op) = { id: 1 kernel: ADD }; }
  rpc Constructor(P) returns (V) { option (calcgen.op) = { id: 2 kernel: ADD }; }
  rpc Module(P) returns (V) { option (calcgen.op) = { id: 3 kernel: ADD }; }
  rpc Sum(B) returns (R) { option (calcgen.op) = { id: 4 kernel: ADD }; }
  rpc Return(P) returns (V) { option (calcgen.op) = { id: 6 kernel: ADD }; }
}
"""


class JsNames(unittest.TestCase):
    def test_reserved_and_colliding_names_move_on(self):
        (pf,) = model({"odd.proto": SCHEMA})
        names = {op.name: op.js_name for op in pf.services[0].ops}
        # `then` would make the object a thenable: `await svc` would call it.
        self.assertEqual(names["Then"], "then_")
        self.assertEqual(names["Constructor"], "constructor_")
        self.assertEqual(names["Module"], "module_")  # the instance's `module` property
        self.assertEqual(names["Sum"], "sum")
        # The Dart name (keyword-escaped), so calls read the same in both.
        self.assertEqual(names["Return"], "return_")
        members = [m for m, _ in pf.services[0].js_members()]
        self.assertIn("sumInto", members)
        self.assertEqual(len(members), len(set(members)))


if __name__ == "__main__":
    unittest.main()
