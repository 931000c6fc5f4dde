/* Status codes and the per-thread error detail.
 *
 * Every calcgen entry point returns a cg_status. When it is not CG_OK, a short
 * human-readable detail is kept per thread and read with cg_last_error(). The
 * first error raised during a call wins; later ones do not overwrite it. */
#ifndef CALCGEN_STATUS_H
#define CALCGEN_STATUS_H

#include <stdint.h>

#include "calcgen/visibility.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t cg_status;

/* One list, every projection (enum, names). Codes are appended, never renumbered. */
#define CG_STATUS_MAP(X)                                                        \
  X(0, CG_OK, "success")                                                        \
  X(1, CG_ERR_UNKNOWN_OP, "unknown operation id")                               \
  X(2, CG_ERR_DECODE, "malformed request bytes")                                \
  X(3, CG_ERR_INVALID_ARGUMENT, "invalid argument")                             \
  X(4, CG_ERR_DIVIDE_BY_ZERO, "division by zero")                               \
  X(5, CG_ERR_OVERFLOW, "arithmetic overflow")                                  \
  X(6, CG_ERR_LIMIT, "a configured limit was exceeded")                         \
  X(7, CG_ERR_NO_MEMORY, "out of memory")                                       \
  X(8, CG_ERR_HANDLER, "user handler failed")                                   \
  X(9, CG_ERR_CANCELLED, "cancelled before it completed")                       \
  X(10, CG_ERR_CLOSED, "the engine, host or stream is closed")

enum {
#define CG__STATUS_ENUM(code, name, text) name = code,
  CG_STATUS_MAP(CG__STATUS_ENUM)
#undef CG__STATUS_ENUM
  CG_STATUS_COUNT
};

/* "CG_ERR_DECODE", ...; "CG_UNKNOWN_STATUS" for a code outside the list. */
CG_API const char *cg_status_name(cg_status s);
/* A one-line description of the code itself ("division by zero"). */
CG_API const char *cg_status_text(cg_status s);
/* This thread's detail for its last failed call; "" when the last call succeeded.
 * Valid until the next calcgen call on the same thread. */
CG_API const char *cg_last_error(void);

/* The index of the element the last failed batch call names (counted from 0
 * over the whole batch), or -1 when its error concerns no single element or
 * the last call succeeded. Bindings read it instead of parsing the text.
 * Valid until the next calcgen call on the same thread. */
CG_API int64_t cg_last_error_index(void);

/* Records an error for the current call unless one is already recorded (the
 * first error wins) and returns `s`, so handlers can `return cg_fail(...)`. */
CG_API cg_status cg_fail(cg_status s, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* cg_fail() that also records the failing element's index (>= 0) for
 * cg_last_error_index(). */
CG_API cg_status cg_fail_at(cg_status s, int64_t index, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Forgets the recorded error; dispatch calls it at the start of every call. */
CG_API void cg_clear_error(void);

#ifdef __cplusplus
}
#endif
#endif
