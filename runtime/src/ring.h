/* A bounded lock-free queue of 64-bit values, any number of producers and
 * consumers (Dmitry Vyukov's MPMC array queue): one sequence number per cell
 * says whether it is ready to write or to read at a given position. The
 * struct holds no pointer (the cells follow it), so it can live in memory
 * that two processes map at different addresses. */
#ifndef CALCGEN_SRC_RING_H
#define CALCGEN_SRC_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cg__ring_cell {
  _Atomic uint64_t seq;
  uint64_t value;
} cg__ring_cell;

typedef struct cg__ring {
  uint64_t mask; /* capacity - 1; capacity is a power of two */
  _Alignas(64) _Atomic uint64_t head; /* next position to read */
  _Alignas(64) _Atomic uint64_t tail; /* next position to write */
  _Alignas(64) cg__ring_cell cells[];
} cg__ring;

static inline size_t cg__ring_size(uint64_t capacity) {
  return sizeof(cg__ring) + (size_t)capacity * sizeof(cg__ring_cell);
}

static inline void cg__ring_init(cg__ring *r, uint64_t capacity) {
  r->mask = capacity - 1;
  atomic_init(&r->head, 0);
  atomic_init(&r->tail, 0);
  for (uint64_t i = 0; i < capacity; i++) {
    atomic_init(&r->cells[i].seq, i);
    r->cells[i].value = 0;
  }
}

/* 0 when full. */
static inline int cg__ring_push(cg__ring *r, uint64_t value) {
  uint64_t pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
  for (;;) {
    cg__ring_cell *c = &r->cells[pos & r->mask];
    uint64_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
    int64_t dif = (int64_t)(seq - pos);
    if (dif == 0) {
      if (atomic_compare_exchange_weak_explicit(&r->tail, &pos, pos + 1, memory_order_relaxed,
                                                memory_order_relaxed)) {
        c->value = value;
        atomic_store_explicit(&c->seq, pos + 1, memory_order_release);
        return 1;
      }
    } else if (dif < 0) {
      return 0;
    } else {
      pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
    }
  }
}

/* 0 when empty. */
static inline int cg__ring_pop(cg__ring *r, uint64_t *value) {
  uint64_t pos = atomic_load_explicit(&r->head, memory_order_relaxed);
  for (;;) {
    cg__ring_cell *c = &r->cells[pos & r->mask];
    uint64_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
    int64_t dif = (int64_t)(seq - (pos + 1));
    if (dif == 0) {
      if (atomic_compare_exchange_weak_explicit(&r->head, &pos, pos + 1, memory_order_relaxed,
                                                memory_order_relaxed)) {
        *value = c->value;
        atomic_store_explicit(&c->seq, pos + r->mask + 1, memory_order_release);
        return 1;
      }
    } else if (dif < 0) {
      return 0;
    } else {
      pos = atomic_load_explicit(&r->head, memory_order_relaxed);
    }
  }
}

/* A hint (other threads move it): how many values wait. */
static inline uint64_t cg__ring_count(cg__ring *r) {
  uint64_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
  uint64_t h = atomic_load_explicit(&r->head, memory_order_acquire);
  return t - h;
}

#endif
