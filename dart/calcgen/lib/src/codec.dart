import 'dart:ffi';
import 'dart:typed_data';

/// Writes protobuf fields straight into native memory, for kernel ops that
/// have no typed entry point (requests protobuf-c encodes on the C side).
/// The caller sizes the buffer: a scalar field takes at most 15 bytes (a
/// 5-byte tag), a packed varint field 10 + 10 per value.
final class CgWriter {
  CgWriter(this.p);

  final Pointer<Uint8> p;
  int n = 0;
  final ByteData _bits = ByteData(8);

  void varint(int v) {
    while (v < 0 || v >= 0x80) {
      p[n++] = (v & 0x7f) | 0x80;
      v = v >>> 7;
    }
    p[n++] = v;
  }

  void tag(int field, int wire) => varint((field << 3) | wire);

  void fixed(int bits, int bytes) {
    for (var i = 0; i < bytes; i++) {
      p[n++] = (bits >>> (8 * i)) & 0xff;
    }
  }

  int _f32Bits(double v) {
    _bits.setFloat32(0, v, Endian.little);
    return _bits.getUint32(0, Endian.little);
  }

  int _f64Bits(double v) {
    _bits.setFloat64(0, v, Endian.little);
    return _bits.getInt64(0, Endian.little);
  }

  /// A scalar field, written also when it is zero: requests written here
  /// are for messages calcgen's C codecs do not cover, proto2 among them,
  /// where an absent field would take its declared default instead.
  void scalar(int field, String codec, num value) {
    switch (codec) {
      case 'int32' || 'int64' || 'uint64':
        tag(field, 0);
        varint(value as int);
      case 'uint32':
        tag(field, 0);
        varint((value as int) & 0xffffffff);
      case 'sint32' || 'sint64':
        final v = value as int;
        tag(field, 0);
        varint(codec == 'sint32' ? ((v << 1) ^ (v >> 31)) & 0xffffffff : (v << 1) ^ (v >> 63));
      case 'fixed32' || 'sfixed32':
        tag(field, 5);
        fixed((value as int) & 0xffffffff, 4);
      case 'float':
        tag(field, 5);
        fixed(_f32Bits(value.toDouble()), 4);
      case 'fixed64' || 'sfixed64':
        tag(field, 1);
        fixed(value as int, 8);
      default: // double
        tag(field, 1);
        fixed(_f64Bits(value.toDouble()), 8);
    }
  }

  /// A packed varint field; the length prefix is reserved as 5 bytes (an
  /// overlong varint, which every protobuf parser accepts).
  void packedVarints(int field, String codec, List<num> values) {
    if (values.isEmpty) return;
    tag(field, 2);
    final lengthAt = n;
    n += 5;
    for (final value in values) {
      final v = value as int;
      varint(switch (codec) {
        'uint32' => v & 0xffffffff,
        'sint32' => ((v << 1) ^ (v >> 31)) & 0xffffffff,
        'sint64' => (v << 1) ^ (v >> 63),
        _ => v,
      });
    }
    var len = n - lengthAt - 5;
    for (var i = 0; i < 5; i++) {
      p[lengthAt + i] = (len & 0x7f) | (i < 4 ? 0x80 : 0);
      len >>= 7;
    }
  }

  /// A packed fixed-width field (fixed32, sfixed32, float: 4 bytes per
  /// value; fixed64, sfixed64, double: 8).
  void packedFixed(int field, String codec, List<num> values) {
    if (values.isEmpty) return;
    final width = codec == 'fixed32' || codec == 'sfixed32' || codec == 'float' ? 4 : 8;
    tag(field, 2);
    varint(values.length * width);
    for (final value in values) {
      fixed(switch (codec) {
        'float' => _f32Bits(value.toDouble()),
        'double' => _f64Bits(value.toDouble()),
        'fixed32' || 'sfixed32' => (value as int) & 0xffffffff,
        _ => value as int,
      }, width);
    }
  }

  /// A packed repeated field of [values], varint or fixed-width by [codec].
  void packed(int field, String codec, List<num> values) =>
      codec.contains('fixed') || codec == 'float' || codec == 'double'
          ? packedFixed(field, codec, values)
          : packedVarints(field, codec, values);
}

/// Reads protobuf fields from a response. Generated code reads in the same
/// synchronous stretch as the call that produced the bytes (the native
/// response buffer belongs to the OS thread, which an isolate may leave at
/// its next await), and copies what it returns.
final class CgReader {
  CgReader(this.p, this.len);

  final Pointer<Uint8> p;
  final int len;
  int at = 0;
  final ByteData _bits = ByteData(8);

  int varint() {
    var v = 0;
    var shift = 0;
    while (true) {
      if (at >= len || shift > 63) throw const FormatException('malformed varint');
      final b = p[at++];
      v |= (b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  }

  int fixed(int bytes) {
    if (at + bytes > len) throw const FormatException('truncated field');
    var v = 0;
    for (var i = 0; i < bytes; i++) {
      v |= p[at++] << (8 * i);
    }
    return v;
  }

  void skip(int wire) {
    switch (wire) {
      case 0:
        varint();
      case 1:
        at += 8;
      case 2:
        {
          final n = varint();
          if (n < 0) throw const FormatException('negative length');
          at += n;
        }
      case 5:
        at += 4;
      default:
        throw const FormatException('unsupported wire type');
    }
    if (at > len) throw const FormatException('truncated field');
  }

  /// The end of a length-delimited payload of [n] bytes starting at [at].
  int _end(int n) {
    if (n < 0 || n > len - at) throw const FormatException('truncated field');
    return at + n;
  }

  num decode(String codec, int raw) => switch (codec) {
        'int32' || 'sfixed32' => raw.toSigned(32),
        'uint32' || 'fixed32' => raw & 0xffffffff,
        'sint32' => ((raw & 0xffffffff) >>> 1) ^ -(raw & 1),
        'sint64' => (raw >>> 1) ^ -(raw & 1),
        'float' => (_bits..setUint32(0, raw & 0xffffffff, Endian.little)).getFloat32(0, Endian.little),
        'double' => (_bits..setInt64(0, raw, Endian.little)).getFloat64(0, Endian.little),
        _ => raw,
      };

  /// The last occurrence of scalar field [field] (0 when absent).
  num scalar(int field, String codec) {
    num value = codec == 'float' || codec == 'double' ? 0.0 : 0;
    while (at < len) {
      final key = varint();
      final wire = key & 7;
      if (key >>> 3 != field) {
        skip(wire);
      } else if (wire == 0) {
        value = decode(codec, varint());
      } else if (wire == 5 || wire == 1) {
        value = decode(codec, fixed(wire == 5 ? 4 : 8));
      } else {
        throw const FormatException('unexpected wire type');
      }
    }
    return value;
  }

  /// Every element of repeated varint field [field], packed or not, into
  /// [out]: a FormatException unless there are exactly out.length.
  void varintsInto(int field, String codec, List<int> out) {
    var i = 0;
    while (at < len) {
      final key = varint();
      final wire = key & 7;
      if (key >>> 3 != field) {
        skip(wire);
      } else if (wire == 2) {
        final end = _end(varint());
        while (at < end) {
          if (i == out.length) throw const FormatException('more results than operands');
          out[i++] = decode(codec, varint()) as int;
        }
      } else {
        if (i == out.length) throw const FormatException('more results than operands');
        out[i++] = decode(codec, varint()) as int;
      }
    }
    if (i != out.length) throw const FormatException('fewer results than operands');
  }

  /// Every element of repeated field [field] (varint or fixed-width by
  /// [codec]), packed or not, into [out]: a FormatException unless there
  /// are exactly out.length.
  void valuesInto(int field, String codec, List<num> out) {
    final fixedWidth = codec.contains('fixed') || codec == 'float' || codec == 'double';
    if (!fixedWidth) {
      varintsInto(field, codec, out as List<int>);
      return;
    }
    final width = codec == 'fixed32' || codec == 'sfixed32' || codec == 'float' ? 4 : 8;
    var i = 0;
    void one() {
      if (i == out.length) throw const FormatException('more results than operands');
      out[i++] = decode(codec, fixed(width));
    }

    while (at < len) {
      final key = varint();
      final wire = key & 7;
      if (key >>> 3 != field) {
        skip(wire);
      } else if (wire == 2) {
        final end = _end(varint());
        while (at < end) {
          one();
        }
      } else if (wire == (width == 4 ? 5 : 1)) {
        one();
      } else {
        throw const FormatException('unexpected wire type');
      }
    }
    if (i != out.length) throw const FormatException('fewer results than operands');
  }
}
