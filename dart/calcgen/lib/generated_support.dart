/// What generated `*.calcgen.dart` files use: the public runtime plus the
/// codec, the coalescer and the native helpers. Not a stable API for
/// application code; it changes with [CalcgenDartAbi3].
library calcgen.generated_support;

export 'calcgen.dart';
export 'src/abi.dart' show CalcgenDartAbi3;
export 'src/buffer_pool.dart' show CgNativeBuffer;
export 'src/checks.dart';
export 'src/codec.dart' show CgWriter, CgReader;
export 'src/coalescer.dart' show CgCoalescer;
export 'src/engine.dart' show cgCopyBytes;
export 'src/native_support.dart';
