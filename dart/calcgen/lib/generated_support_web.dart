/// What generated `*.calcgen.web.dart` files (Dart on the web, over the
/// generated JavaScript bindings of the WebAssembly module) use: the same
/// exception, statuses, checks and coalescer as the dart:ffi bindings, and
/// the dart:js_interop calls. Not a stable API for application code; it
/// changes with [CalcgenDartAbi3].
library calcgen.generated_support_web;

export 'src/abi.dart' show CalcgenDartAbi3;
export 'src/checks.dart' show cgInt32, cgUint32, cgBatchLength;
export 'src/coalescer.dart' show CgCoalescer;
export 'src/exception.dart' show CalcgenException;
export 'src/status.dart' show CgStatus;
export 'src/web_support.dart' show CgWebService;
