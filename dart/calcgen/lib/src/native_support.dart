import 'dart:convert';
import 'dart:ffi';

/// The NUL-terminated text at [p] as a String. Malformed UTF-8 (a
/// multi-byte character cut by the native side's truncation) becomes U+FFFD
/// instead of a FormatException that would hide the real error.
String cgErrorText(Pointer<Uint8> p) {
  if (p == nullptr) return '';
  var n = 0;
  while (p[n] != 0) {
    n++;
  }
  return utf8.decode(p.asTypedList(n), allowMalformed: true);
}
