// The runtime's own behaviour, for `dart test` in dart/calcgen (needs the
// Dart SDK, which the calcgen build machines lack: there the file is only
// parse-checked, and the behaviours that reach native code are replayed in
// C by tests/dart/replay_dart.c).
import 'dart:ffi';
import 'dart:typed_data';

import 'package:calcgen/generated_support.dart';
import 'package:ffi/ffi.dart';
import 'package:test/test.dart';

void main() {
  group('CgBufferPool', () {
    test('rejects sizes that cannot work', () {
      expect(() => CgBufferPool(initialBytes: 0), throwsArgumentError);
      expect(() => CgBufferPool(maxBuffers: -1), throwsArgumentError);
      final pool = CgBufferPool();
      expect(() => pool.acquire(-1), throwsArgumentError);
      expect(() => pool.acquire(CgBufferPool.maxBytes + 1), throwsArgumentError);
      pool.dispose();
    });

    test('reuses, grows and bounds its buffers', () {
      final pool = CgBufferPool(maxBuffers: 1, initialBytes: 16);
      final a = pool.acquire(10);
      expect(a.capacity, 16);
      pool.release(a);
      expect(identical(pool.acquire(16), a), isTrue);
      final big = pool.acquire(100);
      expect(big.capacity, 128);
      pool.release(big);
      pool.release(a); // over maxBuffers: freed, not kept
      pool.dispose();
    });

    test('dispose is idempotent and later use is a StateError', () {
      final pool = CgBufferPool();
      final held = pool.acquire(8);
      pool.dispose();
      pool.dispose();
      expect(pool.isDisposed, isTrue);
      expect(() => pool.acquire(8), throwsStateError);
      pool.release(held); // freed now
      pool.release(held); // and only once
    });
  });

  test('error text with a cut multi-byte character decodes', () {
    final p = malloc<Uint8>(8);
    p.asTypedList(8).setAll(0, [0x61, 0xe2, 0x82, 0, 0, 0, 0, 0]); // "a" + 2 of 3 bytes of "€"
    expect(cgErrorText(p), 'a\uFFFD');
    expect(cgErrorText(nullptr), '');
    malloc.free(p);
  });

  test('argument checks', () {
    expect(cgInt32(-0x80000000, 'a'), -0x80000000);
    expect(() => cgInt32(0x80000000, 'a'), throwsRangeError);
    expect(() => cgUint32(-1, 'b'), throwsRangeError);
    expect(() => cgBatchLength('Op', 3, 2), throwsArgumentError);
    expect(() => cgBatchLength('Op', 3, 3, 4), throwsArgumentError);
    expect(cgBatchLength('Op', 3, 3, 3), 3);
  });

  group('CgCoalescer', () {
    test('an element the native side names fails alone', () async {
      var batches = 0;
      final q = CgCoalescer<int>('Divide', 64, (a, b) {
        batches++;
        final at = b.indexOf(0);
        if (at >= 0) throw CalcgenException('BatchDivide', CgStatus.errDivideByZero, 'x', index: at);
        return Int64List.fromList([for (var i = 0; i < a.length; i++) a[i] ~/ b[i]]);
      }, (a, b) => a ~/ b);
      final fs = [q.add(8, 2), q.add(1, 0), q.add(9, 3)];
      expect(await fs[0], 4);
      await expectLater(fs[1], throwsA(isA<CalcgenException>().having((e) => e.op, 'op', 'Divide')));
      expect(await fs[2], 3);
      expect(batches, 2);
    });

    test('any other error completes every Future, and add never throws', () async {
      final q = CgCoalescer<int>('Add', 2, (a, b) => throw StateError('boom'), (a, b) => throw StateError('boom'));
      final fs = [for (var i = 0; i < 5; i++) q.add(i, i)]; // maxBatch 2: flushes inside add()
      for (final f in fs) {
        await expectLater(f, throwsStateError);
      }
    });

    test('a batch that returns the wrong count fails its callers', () async {
      final q = CgCoalescer<int>('Add', 8, (a, b) => [1], (a, b) => a + b);
      final fs = [q.add(1, 1), q.add(2, 2)];
      for (final f in fs) {
        await expectLater(f, throwsStateError);
      }
    });
  });
}
