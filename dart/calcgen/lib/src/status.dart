/// calcgen status codes, as in the C runtime's CG_STATUS_MAP
/// (calcgen/status.h). Codes are appended, never renumbered; the test suite
/// cross-checks this list against the header.
abstract final class CgStatus {
  static const int ok = 0;
  static const int errUnknownOp = 1;
  static const int errDecode = 2;
  static const int errInvalidArgument = 3;
  static const int errDivideByZero = 4;
  static const int errOverflow = 5;
  static const int errLimit = 6;
  static const int errNoMemory = 7;
  static const int errHandler = 8;
  static const int errCancelled = 9;
  static const int errClosed = 10;

  /// "CG_ERR_DECODE", ...; "CG_UNKNOWN_STATUS" outside the list.
  static String name(int status) => switch (status) {
        0 => 'CG_OK',
        1 => 'CG_ERR_UNKNOWN_OP',
        2 => 'CG_ERR_DECODE',
        3 => 'CG_ERR_INVALID_ARGUMENT',
        4 => 'CG_ERR_DIVIDE_BY_ZERO',
        5 => 'CG_ERR_OVERFLOW',
        6 => 'CG_ERR_LIMIT',
        7 => 'CG_ERR_NO_MEMORY',
        8 => 'CG_ERR_HANDLER',
        9 => 'CG_ERR_CANCELLED',
        10 => 'CG_ERR_CLOSED',
        _ => 'CG_UNKNOWN_STATUS',
      };
}
