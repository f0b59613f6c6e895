/* DELTA_BINARY_PACKED (Encodings.md) for INT32 and INT64 values: blocks of 128 values in 4
 * miniblocks of 32, each miniblock bit-packed with its own width. Uses writer_thrift.h's varints
 * (the block headers). */
#ifndef LAKE_PQ_WRITER_DELTA_H
#define LAKE_PQ_WRITER_DELTA_H

#include "lake/common.h"

/* Appends the encoding of v[0..n) to out. bits is the physical width, 32 or 64: with 32 the values
 * must fit int32_t and deltas wrap around in 32 bits, as INT32 readers decode them. */
void pq_delta_encode(const int64_t *v, size_t n, int bits, lake_buf *out);

/* The number of bytes pq_delta_encode would append, without encoding. */
size_t pq_delta_size(const int64_t *v, size_t n, int bits);

#endif
