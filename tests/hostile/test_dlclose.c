/* A host that loads and unloads the library again and again while its
 * threads live on (issue: thread state after dlclose). Each cycle dlopens the
 * library (RTLD_LOCAL, as FFI hosts do), has THREADS threads call it, unloads
 * it while they are still alive, then lets them exit. Nothing may crash (a key
 * destructor pointing into unmapped code), and pthread keys and memory must
 * stay flat: after CYCLES cycles the process can still create keys, and its
 * resident memory grew by less than a cycle's worth of thread state per ten
 * cycles.   test_dlclose LIBRARY.so [CYCLES [no-rss]]   (libcalculator.so; no-rss: leave
 * memory to LeakSanitizer) */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS 4

typedef int32_t (*dispatch_fn)(uint32_t, const uint8_t *, size_t, void *);
typedef struct {
  const uint8_t *data;
  size_t len;
} bytes;

static pthread_barrier_t called, unloaded;
static dispatch_fn dispatch;

static void *worker(void *arg) {
  (void)arg;
  /* FormatNumber (id 21) builds its response in the arena: every part of the
   * thread's state gets allocated. Request: value 123456789, radix 16. */
  static const uint8_t req[] = {0x08, 0x95, 0x9a, 0xef, 0x3a, 0x10, 0x10};
  bytes resp;
  int32_t st = dispatch(21, req, sizeof req, &resp);
  if (st != 0) {
    fprintf(stderr, "dispatch failed: %d\n", st);
    exit(1);
  }
  pthread_barrier_wait(&called);
  pthread_barrier_wait(&unloaded); /* exit only once the library is gone */
  return NULL;
}

static long rss_kib(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f || fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  if (f) fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s LIBRARY.so [CYCLES]\n", argv[0]);
    return 2;
  }
  int cycles = argc > 2 ? atoi(argv[2]) : 1000;
  long rss_early = 0;
  for (int c = 0; c < cycles; c++) {
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      fprintf(stderr, "dlopen: %s\n", dlerror());
      return 1;
    }
    dispatch = (dispatch_fn)(uintptr_t)dlsym(lib, "calc_calculator_dispatch");
    if (!dispatch) return 1;
    pthread_barrier_init(&called, NULL, THREADS + 1);
    pthread_barrier_init(&unloaded, NULL, THREADS + 1);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, NULL);
    pthread_barrier_wait(&called);
    /* the main thread has state too */
    static const uint8_t req[] = {0x08, 0x01, 0x10, 0x02};
    bytes resp;
    if (dispatch(1, req, sizeof req, &resp) != 0) return 1;
    if (dlclose(lib) != 0) {
      fprintf(stderr, "dlclose: %s\n", dlerror());
      return 1;
    }
    pthread_barrier_wait(&unloaded);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&called);
    pthread_barrier_destroy(&unloaded);
    if (c == cycles / 10) rss_early = rss_kib();
  }
  long rss_late = rss_kib();
  /* keys: one leaked per cycle would have run out (PTHREAD_KEYS_MAX is 1024) */
  pthread_key_t keys[64];
  for (int i = 0; i < 64; i++) {
    if (pthread_key_create(&keys[i], NULL) != 0) {
      fprintf(stderr, "no pthread keys left after %d cycles\n", cycles);
      return 1;
    }
  }
  long growth = rss_late - rss_early;
  printf("%d dlopen/dlclose cycles with %d live threads each: resident memory %ld KiB after %d cycles, "
         "%ld KiB at the end (%+ld KiB); pthread keys still available\n",
         cycles, THREADS, rss_early, cycles / 10, rss_late, growth);
  /* a cycle's thread state is ~25 KiB per thread; leaking it would grow by ~90 MiB */
  if (growth > 8 * 1024 && !(argc > 3 && strcmp(argv[3], "no-rss") == 0)) {
    fprintf(stderr, "memory grew by %ld KiB\n", growth);
    return 1;
  }
  return 0;
}
