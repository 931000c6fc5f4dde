/* Calls the generated Shapes service and checks what comes back. */
#include <stdio.h>
#include <string.h>

#include "shapes.calcgen.h"

int main(void) {
  uint8_t buf[256];
  cg_bytes resp;
  int bad = 0;

  double a[3] = {1.5, 2.0, -3.0}, b[3] = {2.0, 0.25, 4.0};
  Geo__Lengths l = GEO__LENGTHS__INIT;
  l.n_a = l.n_b = 3;
  l.a = a;
  l.b = b;
  size_t len = geo__lengths__pack(&l, buf);
  if (geo_shapes_dispatch(GEO_SHAPES_OP_SCALE, buf, len, &resp) != CG_OK) return 1;
  Geo__Products *p = geo__products__unpack(NULL, resp.len, resp.data);
  printf("Scale -> %g %g %g\n", p->values[0], p->values[1], p->values[2]);
  bad |= p->n_values != 3 || p->values[0] != 3.0 || p->values[1] != 0.5 || p->values[2] != -12.0;
  geo__products__free_unpacked(p, NULL);

  Geo__Rect r = GEO__RECT__INIT;
  r.width = 3;
  r.height = 4;
  len = geo__rect__pack(&r, buf);
  if (geo_shapes_dispatch(GEO_SHAPES_OP_RECT_AREA, buf, len, &resp) != CG_OK) return 1;
  Geo__Area *area = geo__area__unpack(NULL, resp.len, resp.data);
  printf("RectArea -> %g %s\n", area->value, area->unit);
  bad |= area->value != 12.0 || strcmp(area->unit, "m2") != 0;
  geo__area__free_unpacked(area, NULL);

  r.width = -1;
  len = geo__rect__pack(&r, buf);
  cg_status st = geo_shapes_dispatch(GEO_SHAPES_OP_RECT_AREA, buf, len, &resp);
  printf("RectArea(-1, 4) -> %s: %s\n", cg_status_name(st), cg_last_error());
  bad |= st != CG_ERR_INVALID_ARGUMENT;
  printf("%s\n", bad ? "FAILED" : "ok");
  return bad;
}
