/* Storage behind runtime/wasi/pthread.h's keys (wasm32-wasi builds only). */
#include <pthread.h>

unsigned char cg__wasi_key_used[PTHREAD_KEYS_MAX];
void *cg__wasi_key_value[PTHREAD_KEYS_MAX];
