/* Handlers of telemetry.proto: a unary check, and one streaming method of
 * each kind, each with a way to fail mid-stream. */
#include <ctype.h>
#include <string.h>

#include "telemetry.calcgen.h"

#define T(name) acme_telemetry_v1_telemetry_##name

cg_status T(check)(const Acme__Telemetry__V1__WatchRequest *req, Acme__Telemetry__V1__HealthUpdate *resp,
                   cg_arena *arena) {
  resp->status = ACME__TELEMETRY__V1__HEALTH_UPDATE__STATUS__SERVING;
  resp->seq = req->count;
  resp->service = cg_arena_strdup(arena, req->service);
  return resp->service ? CG_OK : CG_ERR_NO_MEMORY;
}

cg_status T(ping)(const Google__Protobuf__Empty *req, Google__Protobuf__Empty *resp, cg_arena *arena) {
  (void)req, (void)resp, (void)arena;
  return CG_OK;
}

/* count updates (forever when 0, until the send fails: the stream was
 * cancelled); fails with CG_ERR_HANDLER after fail_after of them. */
cg_status T(watch)(const Acme__Telemetry__V1__WatchRequest *req, cg_stream *stream, cg_arena *arena) {
  (void)arena;
  for (uint32_t i = 0; req->count == 0 || i < req->count; i++) {
    if (req->fail_after && i == req->fail_after) return cg_fail(CG_ERR_HANDLER, "%s went away after %u updates", req->service, i);
    Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    at.seconds = 1700000000 + i;
    Acme__Telemetry__V1__HealthUpdate u = ACME__TELEMETRY__V1__HEALTH_UPDATE__INIT;
    u.status = ACME__TELEMETRY__V1__HEALTH_UPDATE__STATUS__SERVING;
    u.seq = i;
    u.at = &at;
    u.service = req->service;
    cg_status st = T(watch_send)(stream, &u);
    if (st != CG_OK) return st;
  }
  return CG_OK;
}

/* Sums the samples; a sample labelled "reject" fails the upload. */
cg_status T(upload)(cg_stream *stream, Acme__Telemetry__V1__Summary *resp, cg_arena *arena) {
  (void)arena;
  for (;;) {
    Acme__Telemetry__V1__Sample *s;
    cg_status st = T(upload_recv)(stream, &s);
    if (st != CG_OK) return st;
    if (!s) return CG_OK;
    if (s->label && strcmp(s->label, "reject") == 0)
      return cg_fail(CG_ERR_INVALID_ARGUMENT, "sample %llu is rejected", (unsigned long long)resp->count);
    if (resp->count == 0 || s->value > resp->max) resp->max = s->value;
    resp->count++;
    resp->sum += s->value;
  }
}

/* Echoes each message upper-cased with its sequence number; "bye" ends the
 * stream from the handler's side, "boom" fails it. */
cg_status T(chat)(cg_stream *stream, cg_arena *arena) {
  (void)arena;
  for (uint32_t seq = 0;; seq++) {
    Acme__Telemetry__V1__ChatMessage *m;
    cg_status st = T(chat_recv)(stream, &m);
    if (st != CG_OK) return st;
    if (!m) return CG_OK;
    if (strcmp(m->text, "bye") == 0) return CG_OK;
    if (strcmp(m->text, "boom") == 0) return cg_fail(CG_ERR_HANDLER, "boom at message %u", seq);
    char up[256]; /* not from the arena, which lives as long as the stream */
    size_t n = strnlen(m->text, sizeof up - 1);
    for (size_t i = 0; i < n; i++) up[i] = (char)toupper((unsigned char)m->text[i]);
    up[n] = '\0';
    Acme__Telemetry__V1__ChatMessage out = ACME__TELEMETRY__V1__CHAT_MESSAGE__INIT;
    out.from = "server";
    out.text = up;
    out.seq = seq;
    st = T(chat_send)(stream, &out);
    if (st != CG_OK) return st;
  }
}
