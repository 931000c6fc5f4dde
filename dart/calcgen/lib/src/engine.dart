import 'dart:async';
import 'dart:ffi';
import 'dart:typed_data';

import 'package:ffi/ffi.dart';

import 'exception.dart';
import 'native_support.dart';
import 'status.dart';

/// The layouts of calcgen/engine.h's structs (LP64), read and written by
/// offset: cg_completion, cg_engine_config, cg_host_config.
/// tests/generator/test_bindings_crosscheck.py checks them against the C
/// compiler's.
abstract final class CgEngineLayout {
  static const int completionSize = 56;
  static const int completionTag = 0; // uint64_t
  static const int completionStatus = 8; // int32_t
  static const int completionFlags = 12; // uint32_t
  static const int completionData = 16; // const uint8_t *
  static const int completionLen = 24; // size_t
  static const int completionError = 32; // const char *
  static const int completionErrorIndex = 40; // int64_t
  static const int completionSlot = 48; // uint32_t
  static const int completionReserved = 52; // uint32_t
  static const int engineConfigSize = 24;
  static const int engineConfigWorkers = 0; // unsigned
  static const int hostConfigSize = 40;
  static const int hostConfigCapacity = 0; // uint32_t
  static const int hostConfigStreamWindow = 8; // uint32_t
  static const int hostConfigNotify = 16; // void (*)(void *)
}

/// One completion in native memory (a cg_completion).
extension type _Completion(Pointer<Uint8> p) {
  int get tag => (p + CgEngineLayout.completionTag).cast<Uint64>().value;
  int get status => (p + CgEngineLayout.completionStatus).cast<Int32>().value;
  int get flags => (p + CgEngineLayout.completionFlags).cast<Uint32>().value;
  Pointer<Uint8> get data => (p + CgEngineLayout.completionData).cast<Pointer<Uint8>>().value;
  int get len => (p + CgEngineLayout.completionLen).cast<Size>().value;
  Pointer<Uint8> get error => (p + CgEngineLayout.completionError).cast<Pointer<Uint8>>().value;
  int get errorIndex => (p + CgEngineLayout.completionErrorIndex).cast<Int64>().value;
}

typedef _EngineCreateC = Int32 Function(Pointer<Uint8>, Pointer<Pointer<Void>>);
typedef _EngineCreateDart = int Function(Pointer<Uint8>, Pointer<Pointer<Void>>);
typedef _EngineShutdownC = Int32 Function(Pointer<Void>, Int, Pointer<Size>);
typedef _EngineShutdownDart = int Function(Pointer<Void>, int, Pointer<Size>);
typedef _HandleC = Int32 Function(Pointer<Void>);
typedef _HandleDart = int Function(Pointer<Void>);
typedef _HostOpenC = Int32 Function(Pointer<Void>, Pointer<Uint8>, Pointer<Pointer<Void>>);
typedef _HostOpenDart = int Function(Pointer<Void>, Pointer<Uint8>, Pointer<Pointer<Void>>);
typedef _PollC = Size Function(Pointer<Void>, Pointer<Uint8>, Size);
typedef _PollDart = int Function(Pointer<Void>, Pointer<Uint8>, int);
typedef _ReleaseC = Int32 Function(Pointer<Void>, Pointer<Uint8>, Size);
typedef _ReleaseDart = int Function(Pointer<Void>, Pointer<Uint8>, int);
typedef _TagC = Int32 Function(Pointer<Void>, Uint64);
typedef _TagDart = int Function(Pointer<Void>, int);
typedef _InUseC = Size Function(Pointer<Void>);
typedef _InUseDart = int Function(Pointer<Void>);
typedef _SubmitC = Int32 Function(Pointer<Void>, Pointer<Void>, Uint32, Pointer<Uint8>, Size, Uint64);
typedef _SubmitDart = int Function(Pointer<Void>, Pointer<Void>, int, Pointer<Uint8>, int, int);
typedef _WriteC = Int32 Function(Pointer<Void>, Uint64, Pointer<Uint8>, Size, Int);
typedef _WriteDart = int Function(Pointer<Void>, int, Pointer<Uint8>, int, int);
typedef _LastErrorC = Pointer<Uint8> Function();
typedef _LastErrorDart = Pointer<Uint8> Function();
typedef _NotifyC = Void Function(Pointer<Void>);

const int _completionMessage = 1;
const int _shutdownCancel = 1;
const int _pollBatch = 64;

/// The native library's async engine (calcgen/engine.h): calls run on its
/// worker threads, and completions come back to this isolate through a
/// `NativeCallable.listener`, so nothing here ever blocks the isolate, however
/// long a call or a stream runs. One engine serves every service of the
/// library; generated `Async<Service>` classes take it, and
/// `<Service>Streams` open its streaming methods.
///
/// Up to [capacity] calls run or wait natively; further ones wait here for a
/// slot (nothing is dropped). [close] fails what is still pending with
/// [CgStatus.errCancelled] and frees the engine.
final class CgEngine {
  CgEngine(DynamicLibrary lib, {int workers = 0, int capacity = 1024, int streamWindow = 16})
      : _create = lib.lookupFunction<_EngineCreateC, _EngineCreateDart>('cg_engine_create'),
        _shutdown = lib.lookupFunction<_EngineShutdownC, _EngineShutdownDart>('cg_engine_shutdown'),
        _destroy = lib.lookupFunction<_HandleC, _HandleDart>('cg_engine_destroy'),
        _hostOpen = lib.lookupFunction<_HostOpenC, _HostOpenDart>('cg_host_open'),
        _poll = lib.lookupFunction<_PollC, _PollDart>('cg_host_poll', isLeaf: true),
        _release = lib.lookupFunction<_ReleaseC, _ReleaseDart>('cg_host_release', isLeaf: true),
        _cancel = lib.lookupFunction<_TagC, _TagDart>('cg_host_cancel', isLeaf: true),
        _inUse = lib.lookupFunction<_InUseC, _InUseDart>('cg_host_in_use', isLeaf: true),
        _submit = lib.lookupFunction<_SubmitC, _SubmitDart>('cg_submit', isLeaf: true),
        _streamOpen = lib.lookupFunction<_SubmitC, _SubmitDart>('cg_stream_open', isLeaf: true),
        _streamWrite = lib.lookupFunction<_WriteC, _WriteDart>('cg_stream_write', isLeaf: true),
        _closeSend = lib.lookupFunction<_TagC, _TagDart>('cg_stream_close_send', isLeaf: true),
        _lastError = lib.lookupFunction<_LastErrorC, _LastErrorDart>('cg_last_error', isLeaf: true),
        _batch = calloc<Uint8>(_pollBatch * CgEngineLayout.completionSize) {
    _listener = NativeCallable<_NotifyC>.listener(_onNotify);
    final handle = calloc<Pointer<Void>>();
    final engineConfig = calloc<Uint8>(CgEngineLayout.engineConfigSize);
    (engineConfig + CgEngineLayout.engineConfigWorkers).cast<Uint32>().value = workers;
    final hostConfig = calloc<Uint8>(CgEngineLayout.hostConfigSize);
    (hostConfig + CgEngineLayout.hostConfigCapacity).cast<Uint32>().value = capacity;
    (hostConfig + CgEngineLayout.hostConfigStreamWindow).cast<Uint32>().value = streamWindow;
    (hostConfig + CgEngineLayout.hostConfigNotify).cast<Pointer<NativeFunction<_NotifyC>>>().value =
        _listener.nativeFunction;
    try {
      var st = _create(engineConfig, handle);
      if (st != CgStatus.ok) throw CalcgenException('CgEngine', st, cgErrorText(_lastError()));
      _engine = handle.value;
      st = _hostOpen(_engine, hostConfig, handle);
      if (st != CgStatus.ok) {
        final text = cgErrorText(_lastError());
        _destroy(_engine);
        throw CalcgenException('CgEngine', st, text);
      }
      _host = handle.value;
    } catch (_) {
      _listener.close();
      calloc.free(_batch);
      rethrow;
    } finally {
      calloc.free(handle);
      calloc.free(engineConfig);
      calloc.free(hostConfig);
    }
    var c = 1;
    while (c < capacity) {
      c *= 2;
    }
    this.capacity = c;
  }

  final _EngineCreateDart _create;
  final _EngineShutdownDart _shutdown;
  final _HandleDart _destroy;
  final _HostOpenDart _hostOpen;
  final _PollDart _poll;
  final _ReleaseDart _release;
  final _TagDart _cancel;
  final _InUseDart _inUse;
  final _SubmitDart _submit;
  final _SubmitDart _streamOpen;
  final _WriteDart _streamWrite;
  final _TagDart _closeSend;
  final _LastErrorDart _lastError;
  final Pointer<Uint8> _batch;
  late final NativeCallable<_NotifyC> _listener;
  late final Pointer<Void> _engine;
  late final Pointer<Void> _host;

  /// Slots of the native host (a power of two).
  late final int capacity;

  final _pending = <int, _Pending>{};
  final _slotWaiters = <Completer<void>>[];
  var _nextTag = 1;
  var _closed = false;

  bool get isClosed => _closed;

  String _error() => cgErrorText(_lastError());

  /// Runs unary op [op] of [service] (the generated `P_service()` pointer) on
  /// a worker: [encode] writes the request into native memory of [maxBytes]
  /// bytes and returns its length; [decode] reads the response in place
  /// (its memory is the engine's until the Future completes).
  Future<T> run<T>(Pointer<Void> service, int op, String name, int maxBytes, int Function(Pointer<Uint8>) encode,
      T Function(Pointer<Uint8> data, int len) decode) async {
    final tag = _nextTag++;
    final pending = _Unary<T>(name, decode);
    _pending[tag] = pending;
    try {
      await _submitEncoded(_submit, service, op, name, maxBytes, encode, tag);
    } catch (_) {
      _pending.remove(tag);
      rethrow;
    }
    return pending.completer.future;
  }

  /// Opens streaming method [op] of [service]: a server stream with its
  /// serialized [request], client and bidi streams with none (null).
  /// [encode] serializes what [CgStream.write] sends; [decode] reads each
  /// message the handler sends (and a client stream's response) in place.
  Future<CgStream<Q, R>> openStream<Q, R>(Pointer<Void> service, int op, String name, Uint8List? request,
      Uint8List Function(Q) encode, R Function(Pointer<Uint8> data, int len) decode) async {
    final tag = _nextTag++;
    final stream = CgStream<Q, R>._(this, tag, name, encode, decode);
    _pending[tag] = stream;
    final bytes = request ?? Uint8List(0);
    try {
      await _submitEncoded(_streamOpen, service, op, name, bytes.length, (p) {
        p.asTypedList(bytes.length).setAll(0, bytes);
        return bytes.length;
      }, tag);
    } catch (_) {
      _pending.remove(tag);
      rethrow;
    }
    return stream;
  }

  Future<void> _submitEncoded(_SubmitDart fn, Pointer<Void> service, int op, String name, int maxBytes,
      int Function(Pointer<Uint8>) encode, int tag) async {
    final buf = malloc<Uint8>(maxBytes > 0 ? maxBytes : 1);
    try {
      final len = encode(buf);
      for (;;) {
        if (_closed) throw CalcgenException(name, CgStatus.errClosed, 'the engine is closed');
        final st = fn(_host, service, op, len > 0 ? buf : nullptr, len, tag);
        if (st == CgStatus.ok) return;
        if (st == CgStatus.errLimit && _inUse(_host) >= capacity) {
          final waiter = Completer<void>();
          _slotWaiters.add(waiter);
          await waiter.future;
          continue;
        }
        throw CalcgenException(name, st, _error());
      }
    } finally {
      malloc.free(buf);
    }
  }

  void _releaseOne(Pointer<Uint8> c) {
    if (_closed) return; // the host and its slots are gone
    _release(_host, c, 1);
    if (_slotWaiters.isNotEmpty) _slotWaiters.removeAt(0).complete();
  }

  void _onNotify(Pointer<Void> _) {
    if (!_closed) _drain();
  }

  void _drain() {
    for (;;) {
      final n = _poll(_host, _batch, _pollBatch);
      if (n == 0) return;
      for (var i = 0; i < n; i++) {
        final p = _batch + i * CgEngineLayout.completionSize;
        final c = _Completion(p);
        final target = _pending[c.tag];
        if ((c.flags & _completionMessage) != 0 && target is CgStream) {
          // released when the listener takes it: the stream's window holds the writer
          final copy = calloc<Uint8>(CgEngineLayout.completionSize);
          copy.asTypedList(CgEngineLayout.completionSize).setAll(0, p.asTypedList(CgEngineLayout.completionSize));
          target._push(copy);
          continue;
        }
        _pending.remove(c.tag);
        CalcgenException? error;
        if (c.status != CgStatus.ok) {
          error = CalcgenException(target?.name ?? 'call', c.status, cgErrorText(c.error),
              index: c.errorIndex < 0 ? null : c.errorIndex);
        }
        try {
          target?.finish(c.data, c.len, error);
        } finally {
          _releaseOne(p);
        }
      }
    }
  }

  /// Cancels what has not run, fails what is pending with
  /// [CgStatus.errCancelled], and frees the engine. Calling it again does
  /// nothing. (Shutting down waits for running calls, on this isolate's
  /// thread: calls here are short, streams are cancelled.)
  void close() {
    if (_closed) return;
    _drain();
    final cancelled = calloc<Size>();
    _shutdown(_engine, _shutdownCancel, cancelled);
    calloc.free(cancelled);
    _drain();
    _closed = true;
    for (final p in _pending.values) {
      p.finish(nullptr, 0, CalcgenException(p.name, CgStatus.errCancelled, 'the engine was closed'));
    }
    _pending.clear();
    for (final w in _slotWaiters) {
      w.complete();
    }
    _slotWaiters.clear();
    _listener.close();
    _destroy(_engine);
    calloc.free(_batch);
  }
}

abstract class _Pending {
  String get name;
  void finish(Pointer<Uint8> data, int len, CalcgenException? error);
}

final class _Unary<T> implements _Pending {
  _Unary(this.name, this.decode);

  @override
  final String name;
  final T Function(Pointer<Uint8> data, int len) decode;
  final completer = Completer<T>();

  @override
  void finish(Pointer<Uint8> data, int len, CalcgenException? error) {
    if (completer.isCompleted) return;
    if (error != null) {
      completer.completeError(error);
      return;
    }
    try {
      completer.complete(decode(data, len));
    } catch (e, st) {
      completer.completeError(e, st);
    }
  }
}

/// An open streaming call. [messages] delivers what the handler sends, in
/// order, then ends (with a [CalcgenException] if the stream failed); while
/// its subscription is paused, messages stay native and unreleased, so the
/// handler waits at its window: a slow listener bounds the writer. Client
/// and bidi streams take messages with [write] (waiting while the handler's
/// window is full) and [closeSend]; [result] is the end: a client stream's
/// response, otherwise null. [cancel] ends it with [CgStatus.errCancelled].
final class CgStream<Q, R> implements _Pending {
  CgStream._(this._engine, this._tag, this.name, this._encode, this._decode) {
    _controller = StreamController<R>(onListen: _flush, onResume: _flush, onCancel: () {
      cancel();
    });
  }

  final CgEngine _engine;
  final int _tag;
  @override
  final String name;
  final Uint8List Function(Q) _encode;
  final R Function(Pointer<Uint8> data, int len) _decode;
  late final StreamController<R> _controller;
  final _waiting = <Pointer<Uint8>>[];
  final _result = Completer<R?>();
  CalcgenException? _error;
  var _ended = false;

  Stream<R> get messages => _controller.stream;

  Future<R?> get result => _result.future;

  void _push(Pointer<Uint8> copy) {
    _waiting.add(copy);
    _flush();
  }

  void _flush() {
    while (_waiting.isNotEmpty && _controller.hasListener && !_controller.isPaused) {
      final c = _waiting.removeAt(0);
      try {
        _controller.add(_decode(_Completion(c).data, _Completion(c).len));
      } catch (e, st) {
        _controller.addError(e, st);
      } finally {
        _engine._releaseOne(c);
        calloc.free(c);
      }
    }
    if (_ended && _waiting.isEmpty && !_controller.isClosed) {
      if (_error != null) _controller.addError(_error!);
      _controller.close();
    }
  }

  @override
  void finish(Pointer<Uint8> data, int len, CalcgenException? error) {
    if (_ended) return;
    _ended = true;
    _error = error;
    if (error != null) {
      _result.completeError(error);
      _result.future.ignore(); // reported on [messages] too
    } else {
      try {
        _result.complete(len > 0 ? _decode(data, len) : null);
      } catch (e, st) {
        _result.completeError(e, st);
      }
    }
    if (_engine.isClosed) {
      for (final c in _waiting) {
        calloc.free(c);
      }
      _waiting.clear();
    }
    _flush();
  }

  void _live() {
    if (_engine.isClosed) throw CalcgenException(name, CgStatus.errClosed, 'the engine is closed');
  }

  /// Sends one message to a client or bidi stream's handler.
  Future<void> write(Q message) async {
    _live();
    final bytes = _encode(message);
    final len = bytes.length;
    final buf = malloc<Uint8>(len > 0 ? len : 1);
    try {
      buf.asTypedList(len).setAll(0, bytes);
      var delay = 1;
      for (;;) {
        _live();
        final st = _engine._streamWrite(_engine._host, _tag, len > 0 ? buf : nullptr, len, 0);
        if (st == CgStatus.ok) return;
        if (st != CgStatus.errLimit || _ended) throw CalcgenException(name, st, _engine._error());
        // the handler's window is full: try again later, never blocking the isolate
        await Future<void>.delayed(Duration(milliseconds: delay));
        if (delay < 32) delay *= 2;
      }
    } finally {
      malloc.free(buf);
    }
  }

  /// Says no more messages will be written.
  void closeSend() {
    _live();
    final st = _engine._closeSend(_engine._host, _tag);
    if (st != CgStatus.ok) throw CalcgenException(name, st, _engine._error());
  }

  /// True when the stream was cancelled, false when it had already ended.
  bool cancel() => !_ended && !_engine.isClosed && _engine._cancel(_engine._host, _tag) == CgStatus.ok;
}

/// A Dart copy of [len] bytes at [data].
Uint8List cgCopyBytes(Pointer<Uint8> data, int len) =>
    len == 0 ? Uint8List(0) : Uint8List.fromList(data.asTypedList(len));
