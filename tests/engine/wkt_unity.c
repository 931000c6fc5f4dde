/* The well-known types telemetry.proto imports: `calcgen generate` writes
 * their protoc-c code under google/protobuf/ beside the test's own. */
#include "google/protobuf/empty.pb-c.c"
#include "google/protobuf/timestamp.pb-c.c"
