/* proto2 `required` fields (tests/schemas/required.proto): dispatch answers
 * CG_ERR_HANDLER naming a required field the handler left unset, anywhere in
 * the response; the host-side decoder rejects a response that lacks one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <calcgen/support/protobuf.h>

#include "required.calcgen.h"

/* mode 0: everything set; 1: label unset; 2: extra[1].name unset; 3: backup.name
 * unset; 4: only the optional backup missing (valid). */
cg_status strict_v1_warehouse_ship(const Strict__V1__Order *req, Strict__V1__Shipment *resp, cg_arena *arena) {
  Strict__V1__Label *labels = cg_arena_alloc(arena, 4 * sizeof *labels);
  Strict__V1__Label **extra = cg_arena_alloc(arena, 2 * sizeof *extra);
  if (!labels || !extra) return CG_ERR_NO_MEMORY;
  for (int i = 0; i < 4; i++) {
    strict__v1__label__init(&labels[i]);
    labels[i].name = "box";
  }
  resp->label = req->mode == 1 ? NULL : &labels[0];
  extra[0] = &labels[1];
  extra[1] = &labels[2];
  if (req->mode == 2) labels[2].name = NULL;
  resp->n_extra = 2;
  resp->extra = extra;
  resp->backup = req->mode == 4 ? NULL : &labels[3];
  if (req->mode == 3) labels[3].name = NULL;
  return CG_OK;
}

static cg_status ship(int32_t mode, cg_bytes *resp) {
  Strict__V1__Order o = STRICT__V1__ORDER__INIT;
  o.has_mode = 1;
  o.mode = mode;
  uint8_t buf[16];
  size_t len = strict__v1__order__pack(&o, buf);
  return strict_v1_warehouse_dispatch(STRICT_V1_WAREHOUSE_OP_SHIP, buf, len, resp);
}

static void unset_required_fields_are_handler_errors(void **state) {
  (void)state;
  cg_bytes resp;
  static const char *const want[] = {NULL, "strict.v1.Shipment.label", "strict.v1.Label.name",
                                     "strict.v1.Label.name", NULL};
  for (int mode = 0; mode < 5; mode++) {
    cg_status st = ship(mode, &resp);
    if (!want[mode]) {
      assert_int_equal(st, CG_OK);
      Strict__V1__Shipment *s = strict__v1__shipment__unpack(NULL, resp.len, resp.data);
      assert_non_null(s); /* protobuf-c's unpack checks required fields too */
      assert_string_equal(s->label->name, "box");
      strict__v1__shipment__free_unpacked(s, NULL);
      continue;
    }
    assert_int_equal(st, CG_ERR_HANDLER);
    assert_null(resp.data);
    assert_non_null(strstr(cg_last_error(), "Ship: the handler left required field"));
    assert_non_null(strstr(cg_last_error(), want[mode]));
  }
}

static void host_side_rejects_a_response_without_them(void **state) {
  (void)state;
  Strict__V1__Shipment s = STRICT__V1__SHIPMENT__INIT; /* label missing */
  s.note = "no label";
  uint8_t buf[64];
  size_t len = strict__v1__shipment__pack(&s, buf);
  cg_arena *a = cg_arena_create(NULL);
  ProtobufCMessage *out;
  assert_int_equal(cg_protobuf_decode(&strict__v1__shipment__descriptor, a, buf, len, "Ship", "response", &out),
                   CG_ERR_DECODE);
  cg_arena_destroy(a);
  /* the typed host call decodes what dispatch returned, through the same path */
  Strict__V1__Order o = STRICT__V1__ORDER__INIT;
  Strict__V1__Shipment got;
  a = cg_arena_create(NULL);
  assert_int_equal(strict_v1_warehouse_call_ship(&o, &got, a), CG_OK);
  assert_string_equal(got.label->name, "box");
  cg_arena_destroy(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(unset_required_fields_are_handler_errors),
      cmocka_unit_test(host_side_rejects_a_response_without_them),
  };
  return cmocka_run_group_tests_name("proto2 required", tests, NULL, NULL);
}
