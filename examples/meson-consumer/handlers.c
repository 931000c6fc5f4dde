#include "shapes.calcgen.h"

cg_status geo_shapes_rect_area(const Geo__Rect *req, Geo__Area *resp, cg_arena *arena) {
  if (req->width < 0 || req->height < 0)
    return cg_fail(CG_ERR_INVALID_ARGUMENT, "RectArea: negative side");
  resp->value = req->width * req->height;
  resp->unit = cg_arena_strdup(arena, "m2");
  return resp->unit ? CG_OK : cg_arena_failure(arena);
}
