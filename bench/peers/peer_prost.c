/* Rust + prost 0.11 (bench/peers/prost): its functions write into a buffer
 * the caller owns; this wrapper's is reused, as a Rust server would reuse
 * its Vec<u8>. */
#include <sys/types.h>

#include "peers.h"

ssize_t prost_add(const uint8_t *req, size_t len, uint8_t *resp, size_t cap);
ssize_t prost_add_fixed(const uint8_t *req, size_t len, uint8_t *resp, size_t cap);
ssize_t prost_batch_add(const uint8_t *req, size_t len, uint8_t *resp, size_t cap);
ssize_t prost_batch_add_fixed(const uint8_t *req, size_t len, uint8_t *resp, size_t cap);
ssize_t prost_alloc_batch_add(const uint8_t *req, size_t len, uint8_t *resp, size_t cap);

static uint8_t resp_buf[PEER_RESP_CAP];

#define WRAP(fn, rust)                                                       \
  static const uint8_t *fn(const uint8_t *req, size_t len, size_t *out_len) { \
    ssize_t n = rust(req, len, resp_buf, sizeof resp_buf);                   \
    if (n < 0) return NULL;                                                  \
    *out_len = (size_t)n;                                                    \
    return resp_buf;                                                         \
  }
WRAP(add, prost_add)
WRAP(add_fixed, prost_add_fixed)
WRAP(batch_add, prost_batch_add)
WRAP(batch_add_fixed, prost_batch_add_fixed)
WRAP(alloc_batch_add, prost_alloc_batch_add)

const peer peer_prost = {"prost", "Rust + prost 0.11, buffers reused",
                         {add, add_fixed, batch_add, batch_add_fixed}};
/* Single ops allocate nothing in either form (the messages have no Vec):
 * only the batch differs. */
const peer peer_prost_alloc = {"prost-alloc", "Rust + prost 0.11, decode() and a new response per call (batch only)",
                               {NULL, NULL, alloc_batch_add, NULL}};
