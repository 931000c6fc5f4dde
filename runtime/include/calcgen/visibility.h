/* Symbol visibility for the public runtime API. The runtime is built with
 * -fvisibility=hidden; only CG_API functions are exported from libcalcgen. */
#ifndef CALCGEN_VISIBILITY_H
#define CALCGEN_VISIBILITY_H

#if defined(_WIN32)
#define CG_API
#elif defined(__GNUC__) || defined(__clang__)
#define CG_API __attribute__((visibility("default")))
#else
#define CG_API
#endif

#endif
