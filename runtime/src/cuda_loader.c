#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_plugin.h"

#define PLUGIN_NAME "libcalcgen_cuda.so"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const cg__cuda_plugin *plugin;
static char device[256];

/* The NaN this CPU makes for 0/0 (x86: sign set; Arm: clear). */
static volatile double zero64;
static volatile float zero32;

static void *open_plugin(void) {
  const char *path = getenv("CALCGEN_CUDA_PLUGIN");
  if (path && *path) return dlopen(path, RTLD_NOW | RTLD_LOCAL);
  /* Next to the runtime (an installed libcalcgen.so), then the loader's path. */
  Dl_info info;
  if (dladdr((void *)open_plugin, &info) && info.dli_fname) {
    const char *slash = strrchr(info.dli_fname, '/');
    char near[4096];
    if (slash && (size_t)(slash - info.dli_fname) + sizeof PLUGIN_NAME + 1 < sizeof near) {
      memcpy(near, info.dli_fname, (size_t)(slash - info.dli_fname) + 1);
      strcpy(near + (slash - info.dli_fname) + 1, PLUGIN_NAME);
      void *h = dlopen(near, RTLD_NOW | RTLD_LOCAL);
      if (h) return h;
    }
  }
  return dlopen(PLUGIN_NAME, RTLD_NOW | RTLD_LOCAL);
}

/* CUDA does not survive fork: a child never uses the parent's device. */
static void forked_child(void) {
  plugin = NULL;
  device[0] = 0;
}

static void load(void) {
  pthread_atfork(NULL, NULL, forked_child);
  const char *off = getenv("CALCGEN_CUDA");
  if (off && strcmp(off, "0") == 0) return;
  void *h = open_plugin();
  if (!h) return;
  cg__cuda_plugin_entry entry;
  void *sym = dlsym(h, CG_CUDA_PLUGIN_SYMBOL);
  memcpy(&entry, &sym, sizeof entry);
  const cg__cuda_plugin *p = sym ? entry() : NULL;
  double n64 = zero64 / zero64;
  float n32 = zero32 / zero32;
  unsigned long long b64;
  unsigned b32;
  memcpy(&b64, &n64, sizeof b64);
  memcpy(&b32, &n32, sizeof b32);
  if (!p || p->abi != CG_CUDA_PLUGIN_ABI || p->init(b32, b64, device, sizeof device) <= 0) {
    device[0] = 0;
    return; /* the plugin stays mapped: CUDA's runtime does not unload cleanly */
  }
  plugin = p;
}

const cg__cuda_plugin *cg__cuda(void) {
  pthread_once(&once, load);
  return plugin;
}

const char *cg__cuda_device(void) {
  pthread_once(&once, load);
  return device;
}
