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
    final sums = calc.batchAdd(a, b);
    print('batchAdd: ${sums.first} ... ${sums.last} (${sums.length} values)');
    final view = calc.batchAddFixedView(a, b); // valid until the next call
    print('batchAddFixedView: ${view[1]} (zero-copy view)');

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
  } finally {
    calc.dispose();
  }
}
