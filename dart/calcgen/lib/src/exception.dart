import 'status.dart';

/// A call returned a status other than [CgStatus.ok].
final class CalcgenException implements Exception {
  CalcgenException(this.op, this.status, this.message, {this.index});

  /// The method, as written in the .proto.
  final String op;

  /// One of [CgStatus]'s codes.
  final int status;

  /// The native side's detail (cg_last_error()).
  final String message;

  /// For a batch, the element that failed (cg_last_error_index()); null when
  /// no single element is at fault.
  final int? index;

  String get statusName => CgStatus.name(status);

  @override
  String toString() => 'CalcgenException($op): $statusName: $message';
}
