import 'dart:js_interop';
import 'dart:js_interop_unsafe';
import 'dart:typed_data';

import 'exception.dart';

/// calcgen_runtime.mjs, as the web bindings see it.
extension type CgJsRuntime._(JSObject _) implements JSObject {
  external JSObject callForDart(JSObject target, JSString method, JSArray<JSAny?> args);
  external JSObject newForDart(JSFunction cls, JSArray<JSAny?> args);
  external JSObject typedFromBytes(JSString elem, JSUint8Array bytes);
  external JSUint8Array bytesOf(JSObject typed);
  external JSPromise<JSObject> instantiate(JSAny source, [JSObject? options]);
}

extension type _CgJsResult._(JSObject _) implements JSObject {
  external JSAny? get value;
  external _CgJsError? get error;
}

extension type _CgJsError._(JSObject _) implements JSObject {
  external String get name;
  external String get message;
  external int get status;
  external String get detail;
  external int get index;
}

@JS('BigInt')
external JSBigInt _jsBigInt(JSString decimal);

@JS('String')
external JSString _jsString(JSAny? value);

/// The JavaScript bindings of one service over one module instance, and the
/// calls the generated Dart web bindings make into them.
final class CgWebService {
  CgWebService._(this.runtime, this.js);

  final CgJsRuntime runtime;
  final JSObject js;

  /// Imports [bindingsUrl] (a generated `*_calcgen.mjs`) and the runtime it
  /// imports ([runtimePath], relative to it), instantiates the module at
  /// [moduleUrl] and makes the JS class [className] over it (which checks
  /// the schema hash). Relative URLs are taken from the page's.
  static Future<CgWebService> load(String bindingsUrl, String runtimePath, String moduleUrl, String className,
      {Map<String, String>? env}) async {
    final bindingsUri = Uri.base.resolve(bindingsUrl);
    final CgJsRuntime runtime;
    final JSObject bindings;
    try {
      runtime = CgJsRuntime._(await importModule(bindingsUri.resolve(runtimePath).toString().toJS).toDart);
      bindings = await importModule(bindingsUri.toString().toJS).toDart;
    } catch (e) {
      throw StateError('$className: cannot import $bindingsUri or its calcgen_runtime.mjs: $e');
    }
    final options = JSObject();
    if (env != null) {
      final e = JSObject();
      env.forEach((k, v) => e.setProperty(k.toJS, v.toJS));
      options.setProperty('env'.toJS, e);
    }
    final JSObject module;
    try {
      module = await runtime.instantiate(Uri.base.resolve(moduleUrl).toString().toJS, options).toDart;
    } catch (e) {
      throw StateError('$className: cannot load $moduleUrl: $e');
    }
    final made = _CgJsResult._(runtime.newForDart(bindings.getProperty<JSFunction>(className.toJS), <JSAny?>[module].toJS));
    final e = made.error;
    if (e != null) throw StateError('$className: ${e.message}');
    return CgWebService._(runtime, made.value as JSObject);
  }

  /// js[method](...args); a JavaScript error becomes the Dart error a
  /// dart:ffi binding would throw: CalcgenException for a status,
  /// ArgumentError (TypeError, RangeError) for a bad argument.
  JSAny? call(String op, String method, List<JSAny?> args) {
    final r = _CgJsResult._(runtime.callForDart(js, method.toJS, args.toJS));
    final e = r.error;
    if (e == null) return r.value;
    if (e.status >= 0) {
      throw CalcgenException(op, e.status, e.detail, index: e.index < 0 ? null : e.index);
    }
    if (e.name == 'TypeError' || e.name == 'RangeError') throw ArgumentError('$op: ${e.message}');
    throw StateError('$op: ${e.name}: ${e.message}');
  }

  /// A Dart int (64-bit, as dart2wasm has it) as a JavaScript BigInt;
  /// [unsigned]: its bits read as an unsigned 64-bit number.
  static JSBigInt int64(int v, {bool unsigned = false}) =>
      _jsBigInt((unsigned ? BigInt.from(v).toUnsigned(64) : BigInt.from(v)).toString().toJS);

  /// A JavaScript BigInt result as a Dart int (an unsigned 64-bit value keeps its bits).
  static int fromInt64(JSAny? v) => BigInt.parse(_jsString(v).toDart).toSigned(64).toInt();

  /// A Dart typed list as the JavaScript typed array of element type [elem].
  JSObject typed(String elem, TypedData list) =>
      runtime.typedFromBytes(elem.toJS, list.buffer.asUint8List(list.offsetInBytes, list.lengthInBytes).toJS);

  /// The bytes of a JavaScript typed array, as a Dart list.
  Uint8List bytes(JSAny? typed) => runtime.bytesOf(typed as JSObject).toDart;
}
