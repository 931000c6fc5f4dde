import 'dart:typed_data';

import 'package:calculator_ffi/calculator_ffi.dart';
import 'package:fixnum/fixnum.dart';
import 'package:test/test.dart';

void main() {
  late CalcCalculator calc;
  setUpAll(() => calc = openCalculator());
  tearDownAll(() => calc.dispose());

  test('single ops follow the calculator semantics', () {
    expect(calc.add(7, 5), 12);
    expect(calc.add(0x7fffffffffffffff, 1), -0x8000000000000000);
    expect(calc.divide(-7, 2), -3);
    expect(calc.modulo(-7, 2), -1);
    expect(calc.divideFloat(1, 0), double.infinity);
    expect(calc.addFixed(-7, 5), -2); // sfixed64 operands: the fastest single op
    expect(calc.addFixed(0x7fffffffffffffff, 1), -0x8000000000000000);
  });

  test('errors carry the status name and the native detail', () {
    expect(
        () => calc.divide(1, 0),
        throwsA(isA<CalcgenException>()
            .having((e) => e.statusName, 'statusName', 'CG_ERR_DIVIDE_BY_ZERO')
            .having((e) => e.message, 'message', contains('Divide'))));
    expect(() => calc.addChecked(0x7fffffffffffffff, 1),
        throwsA(isA<CalcgenException>().having((e) => e.status, 'status', CgStatus.errOverflow)));
  });

  test('batches, varint and zero-copy', () {
    final a = Int64List.fromList([1, 2, 3]);
    final b = Int64List.fromList([10, 20, 30]);
    expect(calc.batchAdd(a, b), [11, 22, 33]);
    expect(calc.batchAddFixed(a, b), [11, 22, 33]);
    expect(calc.batchAddFixedView(a, b)[2], 33);
    expect(() => calc.batchDivide(a, Int64List.fromList([1, 0, 1])),
        throwsA(isA<CalcgenException>().having((e) => e.message, 'message', contains('at index 1'))));
  });

  test('user ops take and return protobuf messages', () {
    expect(calc.factorial(FactorialRequest(n: 5)).value.toInt(), 120);
    expect(calc.formatNumber(FormatRequest(value: Int64(-255), radix: 16)).text, '-ff');
  });

  test('the async class coalesces and isolates failures', () async {
    final async = AsyncCalcCalculator(calc, maxBatch: 8);
    final ok = await Future.wait([for (var i = 0; i < 20; i++) async.add(i, 1)]);
    expect(ok, [for (var i = 0; i < 20; i++) i + 1]);
    final failing = async.divide(1, 0);
    final fine = async.divide(8, 2);
    await expectLater(failing, throwsA(isA<CalcgenException>()));
    expect(await fine, 4);
    // A lone call runs as the single op, with the same answers and errors.
    expect(await async.add(40, 2), 42);
    await expectLater(async.divide(1, 0),
        throwsA(isA<CalcgenException>().having((e) => e.op, 'op', 'Divide')));
  });
}
