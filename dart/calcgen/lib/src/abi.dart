/// The contract between generated Dart and this package. Generated files
/// name this class (`typedef _Abi = $cg.CalcgenDartAbi2;`), so bindings
/// generated for another version of the runtime fail to compile with an
/// error that names it, instead of misbehaving: regenerate them with the
/// calcgen that matches this package (or pin the package that matches them).
abstract final class CalcgenDartAbi2 {
  static const int version = 2;
}
