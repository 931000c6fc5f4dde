import 'dart:async';

import 'exception.dart';

/// Collects single calls of one kernel op made in one event-loop turn and
/// runs them as one call of its batch op (flushed in a microtask, or at once
/// when [maxBatch] calls are waiting); a lone call runs as the single op.
/// The two runners may be synchronous or return Futures (the engine's).
///
/// Every Future completes, whatever is thrown: an element the native side
/// names as failing (CalcgenException.index) completes alone with its error
/// and the rest runs again; any other error completes every waiting Future
/// with it. [add] itself never throws.
final class CgCoalescer<T extends num> {
  CgCoalescer(this.op, this.maxBatch, this.runBatch, this.runOne) {
    if (maxBatch < 1) throw ArgumentError.value(maxBatch, 'maxBatch', 'must be 1 or more');
  }

  /// The single op's name, as written in the .proto.
  final String op;
  final int maxBatch;
  final FutureOr<List<T>> Function(List<T> a, List<T> b) runBatch;
  final FutureOr<T> Function(T a, T b) runOne;
  List<T> _a = [];
  List<T> _b = [];
  List<Completer<T>> _waiting = [];
  bool _scheduled = false;

  Future<T> add(T a, T b) {
    final c = Completer<T>();
    _a.add(a);
    _b.add(b);
    _waiting.add(c);
    if (_waiting.length >= maxBatch) {
      _flush();
    } else if (!_scheduled) {
      _scheduled = true;
      scheduleMicrotask(_flush);
    }
    return c.future;
  }

  Future<void> _flush() async {
    _scheduled = false;
    var a = _a, b = _b, waiting = _waiting;
    _a = [];
    _b = [];
    _waiting = [];
    while (waiting.isNotEmpty) {
      try {
        if (waiting.length == 1) {
          waiting[0].complete(await runOne(a[0], b[0]));
          return;
        }
        final results = await runBatch(a, b);
        if (results.length != waiting.length) {
          throw StateError('$op: ${results.length} results for ${waiting.length} calls');
        }
        for (var i = 0; i < waiting.length; i++) {
          waiting[i].complete(results[i]);
        }
        return;
      } on CalcgenException catch (e, st) {
        final at = e.index;
        if (waiting.length == 1 || at == null || at < 0 || at >= waiting.length) {
          _failAll(waiting, waiting.length == 1 ? e : CalcgenException(op, e.status, e.message), st);
          return;
        }
        waiting[at].completeError(CalcgenException(op, e.status, '$op: ${e.statusName} (${e.message})'), st);
        a = [...a.sublist(0, at), ...a.sublist(at + 1)];
        b = [...b.sublist(0, at), ...b.sublist(at + 1)];
        waiting = [...waiting.sublist(0, at), ...waiting.sublist(at + 1)];
      } catch (e, st) {
        _failAll(waiting, e, st);
        return;
      }
    }
  }

  static void _failAll<T>(List<Completer<T>> waiting, Object error, StackTrace st) {
    for (final c in waiting) {
      if (!c.isCompleted) c.completeError(error, st);
    }
  }
}
