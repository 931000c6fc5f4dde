/* Feeds files (or every file under directories) to LLVMFuzzerTestOneInput,
 * each in an exactly sized heap copy so sanitizers see overreads. */
#ifndef CALCGEN_TESTS_FUZZ_REPLAY_H
#define CALCGEN_TESTS_FUZZ_REPLAY_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Returns how many files were replayed. */
long fuzz_replay(const char *path);

#endif
