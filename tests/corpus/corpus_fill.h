/* A generic user handler for the schema corpus: whatever an op's messages
 * are, its response is a deterministic function of its request, so a test
 * can compute the expected response on the other side of the FFI
 * (tests/corpus/digest.py mirrors both functions exactly).
 *
 * Both functions walk protobuf-c's reflection (message and field
 * descriptors), so they work for every message protoc-c emits: proto2 and
 * proto3, oneofs (proto3 `optional` arrives as a one-member oneof), maps,
 * nested and recursive types, well-known types.
 *
 * corpus_digest(m): 64-bit digest of the fields present in a decoded message.
 *   sm64(x)      splitmix64's finaliser (x + 0x9e3779b97f4a7c15, then xor-shift-multiply)
 *   mix(h, v)    sm64(h ^ sm64(v))
 *   digest(m)    mix(DIGEST_SEED, sum over present fields of mix(number, value_digest))
 *   value_digest singular: elem(v); repeated: d = REPEATED_SEED, d = mix(d, elem(e)) per element
 *                in order, then mix(d, count); map: sum over entries of
 *                mix(mix(ENTRY_SEED, elem(key)), elem(value)), then mix(sum, count)
 *   elem(v)      integers and enums as their 64-bit two's complement value (32-bit signed
 *                types sign-extended), bool 0/1, float/double by bit pattern, string/bytes
 *                mix(fnv1a64(content), length), message digest(sub) (an absent map value:
 *                the digest of the empty message)
 *   present      repeated: count > 0; oneof member: its case; required: always; proto2
 *                optional: has_ flag (strings and messages: a pointer other than NULL and the
 *                default); proto3 implicit: non-zero bits, non-empty, non-NULL.
 *
 * corpus_fill(m, seed, arena): sets every field (see corpus_fill.c for the
 * value of each type), nesting messages to depth CORPUS_MAX_DEPTH so that
 * recursive types (Struct / Value / ListValue) end. */
#ifndef CORPUS_FILL_H
#define CORPUS_FILL_H

#include <stdint.h>

#include <calcgen/calcgen.h>
#include <protobuf-c/protobuf-c.h>

#define CORPUS_MAX_DEPTH 2

uint64_t corpus_digest(const ProtobufCMessage *m);

/* `m` must be protobuf-c-initialised (its INIT macro or
 * protobuf_c_message_init). Everything it comes to point to is allocated
 * from `arena`; when an allocation fails the message is left partly filled
 * and cg_arena_failure(arena) says why. */
void corpus_fill(ProtobufCMessage *m, uint64_t seed, cg_arena *arena);

/* The handler body of every user op: fill(resp, digest(req)). */
cg_status corpus_answer(const ProtobufCMessage *req, ProtobufCMessage *resp, cg_arena *arena);

#endif
