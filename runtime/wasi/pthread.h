/* The part of <pthread.h> calcgen uses, for wasm32-wasi without threads.
 *
 * wasi-libc as Debian 12 ships it has the pthread types (sys/types.h) but no
 * <pthread.h>: a module built without the threads proposal runs on exactly
 * one thread. So once runs its function the first time, a mutex is never
 * contended, keys hold one value each (their destructors never run: the one
 * thread never exits), fork does not exist and no thread can be started
 * (pthread_create says ENOSYS). Used for wasm builds only (runtime/meson.build
 * puts this directory on the include path). */
#ifndef CALCGEN_WASI_PTHREAD_H
#define CALCGEN_WASI_PTHREAD_H

#if !defined(__wasi__) || defined(_REENTRANT)
#error "runtime/wasi/pthread.h is for single-threaded wasm32-wasi builds only"
#endif

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

#define PTHREAD_ONCE_INIT 0
#define PTHREAD_MUTEX_INITIALIZER {{{0}}}
#define PTHREAD_KEYS_MAX 8

static inline int pthread_once(pthread_once_t *once, void (*fn)(void)) {
  if (!*once) {
    *once = 1;
    fn();
  }
  return 0;
}

static inline int pthread_mutex_lock(pthread_mutex_t *m) { return m ? 0 : EINVAL; }
static inline int pthread_mutex_unlock(pthread_mutex_t *m) { return m ? 0 : EINVAL; }

/* Key k is in use when its slot is non-zero; values start NULL. */
extern unsigned char cg__wasi_key_used[PTHREAD_KEYS_MAX];
extern void *cg__wasi_key_value[PTHREAD_KEYS_MAX];

static inline int pthread_key_create(pthread_key_t *key, void (*destructor)(void *)) {
  (void)destructor;
  for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++)
    if (!cg__wasi_key_used[k]) {
      cg__wasi_key_used[k] = 1;
      cg__wasi_key_value[k] = NULL;
      *key = k;
      return 0;
    }
  return EAGAIN;
}
static inline int pthread_key_delete(pthread_key_t key) {
  if (key >= PTHREAD_KEYS_MAX || !cg__wasi_key_used[key]) return EINVAL;
  cg__wasi_key_used[key] = 0;
  return 0;
}
static inline int pthread_setspecific(pthread_key_t key, const void *value) {
  if (key >= PTHREAD_KEYS_MAX || !cg__wasi_key_used[key]) return EINVAL;
  cg__wasi_key_value[key] = (void *)value;
  return 0;
}
static inline void *pthread_getspecific(pthread_key_t key) {
  return key < PTHREAD_KEYS_MAX && cg__wasi_key_used[key] ? cg__wasi_key_value[key] : NULL;
}

static inline int pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void)) {
  (void)prepare, (void)parent, (void)child;
  return 0;
}

static inline int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg) {
  (void)t, (void)attr, (void)fn, (void)arg;
  return ENOSYS;
}
static inline int pthread_join(pthread_t t, void **ret) {
  (void)t, (void)ret;
  return ESRCH;
}

#endif
