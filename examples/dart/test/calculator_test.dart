import 'dart:io' show Platform;
import 'dart:typed_data';

import 'package:calcgen/generated_support.dart' show CgCoalescer;
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

  test('errors carry the status, the native detail and the failing element', () {
    expect(
        () => calc.divide(1, 0),
        throwsA(isA<CalcgenException>()
            .having((e) => e.statusName, 'statusName', 'CG_ERR_DIVIDE_BY_ZERO')
            .having((e) => e.message, 'message', contains('Divide'))
            .having((e) => e.index, 'index', isNull)));
    expect(() => calc.addChecked(0x7fffffffffffffff, 1),
        throwsA(isA<CalcgenException>().having((e) => e.status, 'status', CgStatus.errOverflow)));
    expect(() => calc.batchDivide(Int64List.fromList([1, 2, 3]), Int64List.fromList([1, 0, 1])),
        throwsA(isA<CalcgenException>().having((e) => e.index, 'index', 1)));
  });

  test('batches return Dart-owned lists or fill the caller\'s', () {
    final a = Int64List.fromList([1, 2, 3]);
    final b = Int64List.fromList([10, 20, 30]);
    expect(calc.batchAdd(a, b), [11, 22, 33]);
    final kept = calc.batchAddFixed(a, b);
    calc.batchAddFixed(b, b); // a later call leaves earlier results alone
    expect(kept, [11, 22, 33]);
    final out = Int64List(3);
    calc.batchAddInto(a, b, out);
    expect(out, [11, 22, 33]);
    calc.batchAddInto(a, b, a); // out may be an operand
    expect(a, [11, 22, 33]);
    final products = calc.batchMultiplyFloat(Float64List.fromList([1.5, -0.0]), Float64List.fromList([2, 1]));
    expect(products, [3.0, 0.0]);
    expect(products[1].isNegative, isTrue); // -0.0 kept
  });

  test('long batches (non-leaf calls) give the same results', () {
    final a = Int64List.fromList(List.generate(100000, (i) => i - 50000));
    final short = calc.batchAdd(a, a);
    calc.longCallElements = 1000;
    try {
      expect(calc.batchAdd(a, a), short);
    } finally {
      calc.longCallElements = 1 << 16;
    }
  });

  test('bad arguments are ArgumentErrors before any native call', () {
    final three = Int64List(3);
    expect(() => calc.batchAdd(three, Int64List(2)), throwsArgumentError);
    expect(() => calc.batchAddInto(three, three, Int64List(4)), throwsArgumentError);
    expect(() => CgBufferPool(initialBytes: 0), throwsArgumentError);
    expect(() => CgBufferPool(maxBuffers: -1), throwsArgumentError);
  });

  test('user ops take and return protobuf messages', () {
    expect(calc.factorial(FactorialRequest(n: 5)).value.toInt(), 120);
    expect(calc.formatNumber(FormatRequest(value: Int64(-255), radix: 16)).text, '-ff');
  });

  test('dispose is idempotent, a passed pool stays the caller\'s', () {
    final pool = CgBufferPool();
    final other = openCalculatorWithPool(pool);
    expect(other.add(1, 2), 3);
    other.dispose();
    other.dispose();
    expect(other.isDisposed, isTrue);
    expect(() => other.add(1, 2), throwsStateError);
    expect(pool.isDisposed, isFalse); // the caller's
    final again = openCalculatorWithPool(pool);
    expect(again.factorial(FactorialRequest(n: 3)).value.toInt(), 6);
    again.dispose();
    pool.dispose();
    pool.dispose();
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

  test('the coalescer completes every Future whatever is thrown', () async {
    final boom = CgCoalescerProbe();
    final futures = [for (var i = 0; i < 3; i++) boom.queue.add(i, i)];
    for (final f in futures) {
      await expectLater(f, throwsA(isA<StateError>()));
    }
  });
}

CalcCalculator openCalculatorWithPool(CgBufferPool pool) => Platform.environment.containsKey('CALCULATOR_LIB')
    ? CalcCalculator(openCalculatorLibrary(), pool: pool)
    : CalcCalculator.withNative(CalcCalculatorNative.assets(), pool: pool);

/// A coalescer whose batch call throws something other than a
/// CalcgenException.
final class CgCoalescerProbe {
  final queue = CgCoalescer<int>('Probe', 16, (a, b) => throw StateError('boom'), (a, b) => throw StateError('boom'));
}
