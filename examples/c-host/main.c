/* A C host that uses the calculator the way any FFI host does: it loads the
 * shared library with dlopen, looks up one entry point, sends
 * protobuf-encoded requests (encoded here with protobuf-c) and reads the
 * responses and errors.
 *
 *   calc-host [path/to/libcalculator.so] */
#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "calculator.pb-c.h"
#include "calculator.calcgen.h" /* op ids and the schema hash only */

typedef cg_status (*dispatch_fn)(uint32_t, const uint8_t *, size_t, cg_bytes *);

static struct {
  dispatch_fn dispatch;
  uint64_t (*schema_hash)(void);
  const char *(*op_name)(uint32_t);
  const char *(*status_name)(cg_status);
  const char *(*last_error)(void);
  const char *(*isa_active)(void);
  void (*thread_release)(void);
} lib;

static int load(const char *path) {
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "calc-host: cannot load %s: %s\n", path, dlerror());
    return -1;
  }
#define SYM(field, name)                                                            \
  if (!(*(void **)&lib.field = dlsym(h, name))) {                                  \
    fprintf(stderr, "calc-host: %s has no symbol %s\n", path, name);               \
    return -1;                                                                     \
  }
  SYM(dispatch, "calc_calculator_dispatch")
  SYM(schema_hash, "calc_calculator_schema_hash")
  SYM(op_name, "calc_calculator_op_name")
  SYM(status_name, "cg_status_name")
  SYM(last_error, "cg_last_error")
  SYM(isa_active, "cg_isa_active")
  SYM(thread_release, "cg_thread_release")
#undef SYM
  if (lib.schema_hash() != CALC_CALCULATOR_SCHEMA_HASH) {
    fprintf(stderr, "calc-host: %s was built from another calculator.proto (hash %016" PRIx64
                    ", expected %016" PRIx64 ")\n",
            path, lib.schema_hash(), (uint64_t)CALC_CALCULATOR_SCHEMA_HASH);
    return -1;
  }
  return 0;
}

/* Encodes `req`, dispatches `op` and prints either the failure or nothing;
 * returns the response bytes (valid until the next call) or NULL. */
static const cg_bytes *call(uint32_t op, const ProtobufCMessage *req, const char *what) {
  static cg_bytes resp;
  uint8_t buf[1 << 16];
  size_t len = req ? protobuf_c_message_pack(req, buf) : 0;
  cg_status st = lib.dispatch(op, len ? buf : NULL, len, &resp);
  if (st == CG_OK) return &resp;
  printf("%-28s -> %s: %s\n", what, lib.status_name(st), lib.last_error());
  return NULL;
}

static void binary(uint32_t op, int64_t a, int64_t b) {
  Calc__BinaryOp req = CALC__BINARY_OP__INIT;
  req.a = a;
  req.b = b;
  char what[96];
  snprintf(what, sizeof what, "%s(%" PRId64 ", %" PRId64 ")", lib.op_name(op), a, b);
  const cg_bytes *r = call(op, &req.base, what);
  if (!r) return;
  Calc__Value *v = calc__value__unpack(NULL, r->len, r->data);
  printf("%-28s -> %" PRId64 "\n", what, v->value);
  calc__value__free_unpacked(v, NULL);
}

static void batch(uint32_t op, size_t n) {
  int64_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  for (size_t i = 0; i < n; i++) {
    a[i] = (int64_t)i * 3;
    b[i] = (int64_t)(i % 7) + 1;
  }
  Calc__BatchOperation req = CALC__BATCH_OPERATION__INIT;
  req.n_a = req.n_b = n;
  req.a = a;
  req.b = b;
  char what[64];
  snprintf(what, sizeof what, "%s(%zu elements)", lib.op_name(op), n);
  const cg_bytes *r = call(op, &req.base, what);
  if (r) {
    Calc__BatchResult *res = calc__batch_result__unpack(NULL, r->len, r->data);
    printf("%-28s -> [%" PRId64 ", %" PRId64 ", %" PRId64 ", ... %" PRId64 "] (%zu values)\n", what,
           res->values[0], res->values[1], res->values[2], res->values[res->n_values - 1],
           res->n_values);
    calc__batch_result__free_unpacked(res, NULL);
  }
  free(a);
  free(b);
}

static void factorial(uint32_t n) {
  Calc__FactorialRequest req = CALC__FACTORIAL_REQUEST__INIT;
  req.n = n;
  char what[64];
  snprintf(what, sizeof what, "Factorial(%u)", n);
  const cg_bytes *r = call(CALC_CALCULATOR_OP_FACTORIAL, &req.base, what);
  if (!r) return;
  Calc__Value *v = calc__value__unpack(NULL, r->len, r->data);
  printf("%-28s -> %" PRId64 "\n", what, v->value);
  calc__value__free_unpacked(v, NULL);
}

static void format_number(int64_t value, uint32_t radix) {
  Calc__FormatRequest req = CALC__FORMAT_REQUEST__INIT;
  req.value = value;
  req.radix = radix;
  char what[64];
  snprintf(what, sizeof what, "FormatNumber(%" PRId64 ", %u)", value, radix);
  const cg_bytes *r = call(CALC_CALCULATOR_OP_FORMAT_NUMBER, &req.base, what);
  if (!r) return;
  Calc__CalculatorResponse *v = calc__calculator_response__unpack(NULL, r->len, r->data);
  printf("%-28s -> \"%s\"\n", what, v->text);
  calc__calculator_response__free_unpacked(v, NULL);
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "libcalculator.so";
  if (load(path) != 0) return 1;
  printf("loaded %s (schema %016" PRIx64 ", kernels %s)\n", path, lib.schema_hash(),
         lib.isa_active());

  binary(CALC_CALCULATOR_OP_ADD, 7, 5);
  binary(CALC_CALCULATOR_OP_SUBTRACT, 7, 5);
  binary(CALC_CALCULATOR_OP_MULTIPLY, 7, 5);
  binary(CALC_CALCULATOR_OP_DIVIDE, 7, 5);
  binary(CALC_CALCULATOR_OP_DIVIDE, -7, 2);
  binary(CALC_CALCULATOR_OP_DIVIDE, 1, 0);
  binary(CALC_CALCULATOR_OP_ADD, INT64_MAX, 1);
  binary(CALC_CALCULATOR_OP_ADD_CHECKED, INT64_MAX, 1);
  binary(CALC_CALCULATOR_OP_DIVIDE, INT64_MIN, -1);
  batch(CALC_CALCULATOR_OP_BATCH_ADD, 1000);
  batch(CALC_CALCULATOR_OP_BATCH_DIVIDE, 1000);
  factorial(20);
  factorial(21);
  format_number(255, 16);
  format_number(INT64_MIN, 2);
  format_number(1, 99);

  /* What a host sees for a bad op id and for bytes that are not a message. */
  cg_bytes resp;
  cg_status st = lib.dispatch(999, NULL, 0, &resp);
  printf("%-28s -> %s: %s\n", "op 999", lib.status_name(st), lib.last_error());
  static const uint8_t junk[] = {0x08, 0xff, 0xff};
  st = lib.dispatch(CALC_CALCULATOR_OP_ADD, junk, sizeof junk, &resp);
  printf("%-28s -> %s: %s\n", "Add(truncated varint)", lib.status_name(st), lib.last_error());
  lib.thread_release(); /* this thread's arena and buffers; other threads free theirs at exit */
  return 0;
}
