#include <stdarg.h>
#include <stdio.h>

#include "calcgen/status.h"
#include "status_internal.h"

#define CG__ERROR_CAP 256

static _Thread_local char tls_error[CG__ERROR_CAP];
static _Thread_local int64_t tls_error_index;

const char *cg_status_name(cg_status s) {
  switch (s) {
#define CG__STATUS_NAME(code, name, text) case code: return #name;
    CG_STATUS_MAP(CG__STATUS_NAME)
#undef CG__STATUS_NAME
  }
  return "CG_UNKNOWN_STATUS";
}

const char *cg_status_text(cg_status s) {
  switch (s) {
#define CG__STATUS_TEXT(code, name, text) case code: return text;
    CG_STATUS_MAP(CG__STATUS_TEXT)
#undef CG__STATUS_TEXT
  }
  return "unknown status";
}

/* Clearing is one store (the hot path does it on every call): the text is
 * only read while the level says it was written for this call. */
const char *cg_last_error(void) { return cg__thread.error_level ? tls_error : ""; }

int64_t cg_last_error_index(void) { return cg__thread.error_level ? tls_error_index : -1; }

/* The first error of a call wins; one recorded deeper (by a nested call the
 * handler went on from) gives way to this call's own. */
static cg_status record(cg_status s, int64_t index, const char *fmt, va_list ap) {
  cg__hot *h = cg__hot_state();
  if (h->error_level && h->error_level - 1 <= h->depth) return s;
  h->error_level = h->depth + 1;
  h->error_status = s;
  tls_error_index = index;
  int n = vsnprintf(tls_error, sizeof tls_error, fmt, ap);
  if (n < 0) {
    tls_error[0] = '\0';
  } else if ((size_t)n >= sizeof tls_error) {
    /* Cut at a character boundary: a multi-byte UTF-8 sequence that the cap
     * split is dropped whole, so bindings decode the text strictly. */
    size_t end = sizeof tls_error - 1, start = end;
    while (start > 0 && ((unsigned char)tls_error[start - 1] & 0xC0) == 0x80) start--;
    if (start > 0) {
      unsigned char lead = (unsigned char)tls_error[start - 1];
      size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
      if (end - (start - 1) < need) tls_error[start - 1] = '\0';
    }
  }
  return s;
}

cg_status cg_fail(cg_status s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  record(s, -1, fmt, ap);
  va_end(ap);
  return s;
}

cg_status cg_fail_at(cg_status s, int64_t index, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  record(s, index < 0 ? -1 : index, fmt, ap);
  va_end(ap);
  return s;
}

void cg_clear_error(void) { cg__clear_errors_from(&cg__thread, 0); }

