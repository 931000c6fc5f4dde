/// calcgen's Dart runtime: what applications use beside their generated
/// bindings (status codes, the exception, the native buffer pool, the async
/// engine and its streams).
///
/// Generated `*.calcgen.dart` files import `generated_support.dart`, which
/// re-exports this library and adds the pieces only generated code calls.
library calcgen;

export 'src/buffer_pool.dart' show CgBufferPool;
export 'src/engine.dart' show CgEngine, CgStream;
export 'src/exception.dart' show CalcgenException;
export 'src/status.dart' show CgStatus;
