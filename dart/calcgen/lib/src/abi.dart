/// The contract between generated Dart and this package. Generated files
/// name this class (`typedef _Abi = $cg.CalcgenDartAbi3;`), so bindings
/// generated for another version of the runtime fail to compile with an
/// error that names it, instead of misbehaving: regenerate them with the
/// calcgen that matches this package (or pin the package that matches them).
abstract final class CalcgenDartAbi3 {
  static const int version = 3;
}
