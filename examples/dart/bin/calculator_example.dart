import 'dart:isolate';
import 'dart:typed_data';

import 'package:calculator_ffi/calculator_ffi.dart';
import 'package:fixnum/fixnum.dart';

Future<void> main() async {
  final calc = openCalculator();
  try {
    print('add(7, 5) = ${calc.add(7, 5)}');
    print('divide(-7, 2) = ${calc.divide(-7, 2)}');
    print('divideFloat(1, 0) = ${calc.divideFloat(1, 0)}');
    try {
      calc.addChecked(0x7fffffffffffffff, 1);
    } on CalcgenException catch (e) {
      print('addChecked(MAX, 1) -> ${e.statusName}: ${e.message}');
    }

    final a = Int64List.fromList(List.generate(1000, (i) => i * 3));
    final b = Int64List.fromList(List.generate(1000, (i) => i % 7 + 1));
    final sums = calc.batchAdd(a, b); // a new list, owned by Dart
    print('batchAdd: ${sums.first} ... ${sums.last} (${sums.length} values)');
    final out = Int64List(a.length);
    calc.batchAddFixedInto(a, b, out); // into a list the caller owns and reuses
    print('batchAddFixedInto: ${out[1]}');
    try {
      calc.batchDivide(a, Int64List(1000)..fillRange(0, 1000, 1)..[5] = 0);
    } on CalcgenException catch (e) {
      print('batchDivide -> ${e.statusName} at element ${e.index}');
    }

    print('factorial(20) = ${calc.factorial(FactorialRequest(n: 20)).value}');
    print('formatNumber(255, 16) = ${calc.formatNumber(FormatRequest(value: Int64(255), radix: 16)).text}');

    // Calls made in the same event-loop turn become one BatchAdd.
    final async = AsyncCalcCalculator(calc);
    final results = await Future.wait([for (var i = 0; i < 100; i++) async.add(i, i)]);
    print('100 coalesced adds: ${results.take(5).toList()} ...');
    final divs = await Future.wait([
      async.divide(10, 2),
      async.divide(1, 0).catchError((Object e) => -1),
      async.divide(9, 3),
    ]);
    print('coalesced divides with one failure: $divs');

    // Long work off this isolate: a helper isolate opens its own bindings.
    // Its batch is longer than longCallElements, so it runs as a non-leaf
    // call and this isolate's garbage collector is not held up meanwhile.
    final big = Int64List.fromList(List.generate(1 << 20, (i) => i));
    final doubled = await Isolate.run(() {
      final helper = openCalculator();
      try {
        return helper.batchAdd(big, big);
      } finally {
        helper.dispose();
      }
    });
    print('batchAdd of ${doubled.length} in a helper isolate: ${doubled.last}');
  } finally {
    calc.dispose();
  }
}
