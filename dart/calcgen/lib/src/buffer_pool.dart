import 'dart:ffi';

import 'package:ffi/ffi.dart';

/// A native buffer that frees itself when it becomes unreachable.
final class CgNativeBuffer implements Finalizable {
  CgNativeBuffer._(this.capacity) : ptr = malloc<Uint8>(capacity) {
    _finalizer.attach(this, ptr.cast(), detach: this, externalSize: capacity);
  }

  static final _finalizer = NativeFinalizer(malloc.nativeFree);

  /// Bytes at [ptr].
  final int capacity;
  final Pointer<Uint8> ptr;
  bool _freed = false;

  void _free() {
    if (_freed) return;
    _freed = true;
    _finalizer.detach(this);
    malloc.free(ptr);
  }
}

/// A bounded pool of native request buffers: calls reuse them instead of
/// allocating native memory each time. At most [maxBuffers] idle buffers are
/// kept; a buffer too small for a request is replaced by a larger one.
///
/// Ownership: a binding that creates its own pool disposes it with itself; a
/// pool passed to a binding's constructor belongs to the caller, who may
/// share it between bindings of one isolate and disposes it after them.
final class CgBufferPool {
  CgBufferPool({this.maxBuffers = 4, this.initialBytes = 4096}) {
    if (maxBuffers < 0) {
      throw ArgumentError.value(maxBuffers, 'maxBuffers', 'must be 0 or more');
    }
    if (initialBytes < 1) {
      throw ArgumentError.value(initialBytes, 'initialBytes', 'must be 1 or more');
    }
  }

  /// The largest single buffer: a request needing more fails with an
  /// [ArgumentError] before any native memory is touched.
  static const int maxBytes = 1 << 40;

  final int maxBuffers;
  final int initialBytes;
  final List<CgNativeBuffer> _free = [];
  bool _disposed = false;

  bool get isDisposed => _disposed;

  /// A buffer of at least [bytes] bytes, to give back with [release].
  CgNativeBuffer acquire(int bytes) {
    if (_disposed) throw StateError('CgBufferPool used after dispose()');
    if (bytes < 0 || bytes > maxBytes) {
      throw ArgumentError.value(bytes, 'bytes', 'must be between 0 and $maxBytes');
    }
    for (var i = _free.length - 1; i >= 0; i--) {
      if (_free[i].capacity >= bytes) return _free.removeAt(i);
    }
    if (_free.isNotEmpty) _free.removeLast()._free();
    var capacity = initialBytes;
    while (capacity < bytes) {
      capacity *= 2;
    }
    return CgNativeBuffer._(capacity);
  }

  /// Gives [b] back: kept for reuse, or freed when the pool is full or
  /// disposed.
  void release(CgNativeBuffer b) {
    if (b._freed || _free.contains(b)) return; // released twice: kept once
    if (_disposed || _free.length >= maxBuffers) {
      b._free();
    } else {
      _free.add(b);
    }
  }

  /// Frees every idle buffer now; buffers in use are freed when released.
  /// Calling it again does nothing.
  void dispose() {
    if (_disposed) return;
    _disposed = true;
    for (final b in _free) {
      b._free();
    }
    _free.clear();
  }
}
