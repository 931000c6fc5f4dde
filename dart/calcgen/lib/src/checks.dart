/// Argument checks of generated calls: a value the native type cannot hold
/// is an ArgumentError (dart:ffi and typed data would silently truncate it).

const int _int32Min = -0x80000000;
const int _int32Max = 0x7fffffff;
const int _uint32Max = 0xffffffff;

/// [v] as an int32 argument named [name].
int cgInt32(int v, String name) {
  if (v < _int32Min || v > _int32Max) {
    throw RangeError.range(v, _int32Min, _int32Max, name);
  }
  return v;
}

/// [v] as a uint32 argument named [name].
int cgUint32(int v, String name) {
  if (v < 0 || v > _uint32Max) throw RangeError.range(v, 0, _uint32Max, name);
  return v;
}

/// The element count of a batch over [a] and [b] written into [out]
/// (null: a new list): the lengths must agree.
int cgBatchLength(String op, int a, int b, [int? out]) {
  if (a != b) {
    throw ArgumentError('$op: operand lengths differ (a has $a elements, b has $b)');
  }
  if (out != null && out != a) {
    throw ArgumentError('$op: out has $out elements, the operands $a');
  }
  return a;
}
