/* Shared by the libFuzzer entry point and the standalone driver. */
#ifndef CALCGEN_TESTS_FUZZ_CODEC_H
#define CALCGEN_TESTS_FUZZ_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t fuzz_target_count(void);
/* Bytes of one element of a numeric field in a protobuf-c struct. */
size_t fuzz_scalar_size(ProtobufCType type);
/* The message type target k reads (byte 0 of an input is k). */
const ProtobufCMessageDescriptor *fuzz_target_message(size_t k);

#endif
