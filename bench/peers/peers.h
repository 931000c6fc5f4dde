/* The C ABI every peer of bench_peers serves the calculator's ops behind:
 * request bytes in; the response bytes in the peer's own buffer (valid until
 * its next call), their length in *out_len; NULL when the request does not
 * decode or the operands do not pair up. Server side only: the host's
 * encoding of requests and decoding of responses are not timed. */
#ifndef CALCGEN_BENCH_PEERS_H
#define CALCGEN_BENCH_PEERS_H

#include <stddef.h>
#include <stdint.h>

enum { CASE_ADD, CASE_ADD_FIXED, CASE_BATCH_ADD, CASE_BATCH_ADD_FIXED, N_CASES };

typedef const uint8_t *(*peer_call)(const uint8_t *req, size_t len, size_t *out_len);

typedef struct peer {
  const char *name;
  const char *what;
  peer_call op[N_CASES]; /* NULL: the peer does not offer this case */
} peer;

/* Room for the largest response (a batch of PEER_MAX_N int64); nanopb's
 * static structs take batches of at most 2048 (nanopb/peer_calc.options),
 * bench_peers sends 1000. */
#define PEER_MAX_N 10000
#define PEER_RESP_CAP (PEER_MAX_N * 10 + 64)

extern const peer peer_calcgen, peer_protobuf_c_naive, peer_protobuf_c_arena;
#ifdef HAVE_PEER_PROST
extern const peer peer_prost, peer_prost_alloc;
#endif
#ifdef HAVE_PEER_NANOPB
extern const peer peer_nanopb;
#endif

#endif
