/* Replays corpus files and directories through a fuzz target without
 * libFuzzer, so every build (sanitizers included) runs them. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_replay.h"

long fuzz_replay(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return 0;
  if (S_ISDIR(st.st_mode)) {
    DIR *dir = opendir(path);
    long n = 0;
    struct dirent *e;
    char sub[4096];
    while (dir && (e = readdir(dir))) {
      if (e->d_name[0] == '.') continue;
      snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
      n += fuzz_replay(sub);
    }
    if (dir) closedir(dir);
    return n;
  }
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  static uint8_t buf[1 << 20];
  size_t len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  uint8_t *copy = malloc(len ? len : 1); /* exact size, so ASan sees overreads */
  memcpy(copy, buf, len);
  LLVMFuzzerTestOneInput(copy, len);
  free(copy);
  return 1;
}
