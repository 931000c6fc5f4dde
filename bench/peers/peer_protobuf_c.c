/* protobuf-c 1.4: naive (malloc per call: unpack, a malloc'd response
 * packed into a malloc'd buffer, everything freed) and careful (unpack into
 * an arena reset per call, the response packed into a reused buffer). */
#include <stdlib.h>

#include "calcgen/calcgen.h"
#include "calculator.pb-c.h"
#include "peers.h"

static uint8_t resp_buf[PEER_RESP_CAP];
static uint8_t *naive_out; /* the naive form's last response, freed at its next call */
static cg_arena *arena;
static void *arena_alloc(void *d, size_t n) { return cg_arena_alloc(d, n); }
static void arena_free(void *d, void *p) { (void)d, (void)p; }

static ProtobufCAllocator *allocator(int careful) {
  static ProtobufCAllocator a = {arena_alloc, arena_free, NULL};
  if (!careful) return NULL;
  if (!arena) arena = cg_arena_create(NULL);
  cg_arena_reset(arena);
  a.allocator_data = arena;
  return &a;
}

static const uint8_t *finish(const ProtobufCMessage *m, int careful, size_t *out_len) {
  size_t n = protobuf_c_message_get_packed_size(m);
  uint8_t *out = resp_buf;
  if (!careful) {
    free(naive_out);
    out = naive_out = malloc(n ? n : 1);
  }
  *out_len = protobuf_c_message_pack(m, out);
  return out;
}

#define SINGLE(fn, careful, Req, req, Resp, RESP_INIT)                               \
  static const uint8_t *fn(const uint8_t *in, size_t len, size_t *out_len) {         \
    ProtobufCAllocator *al = allocator(careful);                                       \
    Req *m = req##__unpack(al, len, in);                                               \
    if (!m) return NULL;                                                               \
    Resp v = RESP_INIT;                                                                \
    v.value = (int64_t)((uint64_t)m->a + (uint64_t)m->b);                              \
    req##__free_unpacked(m, al);                                                       \
    return finish(&v.base, careful, out_len);                                          \
  }
#define BATCH(fn, careful, Req, req, Resp, RESP_INIT)                                \
  static const uint8_t *fn(const uint8_t *in, size_t len, size_t *out_len) {         \
    ProtobufCAllocator *al = allocator(careful);                                       \
    Req *m = req##__unpack(al, len, in);                                               \
    if (!m) return NULL;                                                               \
    const uint8_t *out = NULL;                                                         \
    if (m->n_a == m->n_b) {                                                            \
      Resp v = RESP_INIT;                                                              \
      v.n_values = m->n_a;                                                             \
      v.values = careful ? cg_arena_alloc(arena, m->n_a * 8 + 8) : malloc(m->n_a * 8 + 8); \
      if (!v.values) abort();                                                          \
      for (size_t i = 0; i < m->n_a; i++) v.values[i] = (int64_t)((uint64_t)m->a[i] + (uint64_t)m->b[i]); \
      out = finish(&v.base, careful, out_len);                                         \
      if (!careful) free(v.values);                                                    \
    }                                                                                  \
    req##__free_unpacked(m, al);                                                       \
    return out;                                                                        \
  }

SINGLE(naive_add, 0, Calc__BinaryOp, calc__binary_op, Calc__Value, CALC__VALUE__INIT)
SINGLE(naive_add_fixed, 0, Calc__FixedOp, calc__fixed_op, Calc__FixedValue, CALC__FIXED_VALUE__INIT)
BATCH(naive_batch_add, 0, Calc__BatchOperation, calc__batch_operation, Calc__BatchResult, CALC__BATCH_RESULT__INIT)
BATCH(naive_batch_add_fixed, 0, Calc__FixedBatch, calc__fixed_batch, Calc__FixedBatchResult,
      CALC__FIXED_BATCH_RESULT__INIT)
SINGLE(arena_add, 1, Calc__BinaryOp, calc__binary_op, Calc__Value, CALC__VALUE__INIT)
SINGLE(arena_add_fixed, 1, Calc__FixedOp, calc__fixed_op, Calc__FixedValue, CALC__FIXED_VALUE__INIT)
BATCH(arena_batch_add, 1, Calc__BatchOperation, calc__batch_operation, Calc__BatchResult, CALC__BATCH_RESULT__INIT)
BATCH(arena_batch_add_fixed, 1, Calc__FixedBatch, calc__fixed_batch, Calc__FixedBatchResult,
      CALC__FIXED_BATCH_RESULT__INIT)

const peer peer_protobuf_c_naive = {"protobuf-c", "protobuf-c 1.4, malloc per call",
                                    {naive_add, naive_add_fixed, naive_batch_add, naive_batch_add_fixed}};
const peer peer_protobuf_c_arena = {"pbc+arena", "protobuf-c 1.4, arena and reused buffer",
                                    {arena_add, arena_add_fixed, arena_batch_add, arena_batch_add_fixed}};
