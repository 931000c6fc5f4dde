/* Replays corpus files and directories through a fuzz target without
 * libFuzzer, so every build (sanitizers included) runs them.
 *   fuzz_replay FILE|DIR...   prints "N passed, 0 failed" (a failure aborts) */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long replay(const char *path) {
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
      n += replay(sub);
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

int main(int argc, char **argv) {
  long n = 0;
  for (int i = 1; i < argc; i++) n += replay(argv[i]);
  printf("%ld passed, 0 failed\n", n);
  return n ? 0 : 1;
}
