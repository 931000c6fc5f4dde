/* A fuzz target's corpus replayed without libFuzzer.
 *   replay_TARGET FILE|DIR...   prints "N passed, 0 failed" (a failure aborts) */
#include <stdio.h>

#include "fuzz_replay.h"

int main(int argc, char **argv) {
  long n = 0;
  for (int i = 1; i < argc; i++) n += fuzz_replay(argv[i]);
  printf("%ld passed, 0 failed\n", n);
  return n ? 0 : 1;
}
