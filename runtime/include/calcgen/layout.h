/* The zero-copy layout of fixed-width batches: the one place it is defined.
 *
 * A packed field whose payload must start 8-byte aligned gets a header of
 * exactly CG_ALIGNED_HEADER bytes: the tag in 3 varint bytes and the length
 * in 5 (overlong varints, which every protobuf parser accepts). A zero-copy
 * batch request for n elements of `width` bytes is
 *
 *   [header a][a: n * width][header b][b: n * width]
 *
 * CG_BATCH_REQUEST_SIZE(n, width) bytes in all, operand a at offset 8 and b at
 * 16 + n * width: both 8-byte aligned when the buffer is. Generated
 * P_layout_<op>() writes the headers; the response's result payload starts
 * after the same header, so hosts can view it as a typed array in place. */
#ifndef CALCGEN_LAYOUT_H
#define CALCGEN_LAYOUT_H

#include <stddef.h>

#define CG_ALIGNED_HEADER 8
#define CG_BATCH_REQUEST_SIZE(n, width) (2 * CG_ALIGNED_HEADER + 2 * (size_t)(n) * (width))

#endif
