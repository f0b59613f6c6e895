/* RLE / bit-packed hybrid encoder (Parquet Encodings.md), for definition levels and dictionary
 * indices. Uses writer_thrift.h's varints (the run headers). */
#ifndef LAKE_PQ_WRITER_RLE_H
#define LAKE_PQ_WRITER_RLE_H

#include "lake/common.h"

/* Appends the hybrid encoding of v[0..n) with bit_width (0..32) to out, without any length
 * prefix. Each v[i] must fit in bit_width bits. Runs of 8 or more equal values become RLE runs;
 * everything else is bit-packed in groups of 8, the last group padded with zeros (readers know
 * the value count). */
void pq_rle_encode(const uint32_t *v, size_t n, int bit_width, lake_buf *out);

/* Appends the definition levels of a data page v1 with max level 1: a 4-byte little-endian
 * length, then the hybrid encoding of levels[0..n) with bit width 1. */
void pq_rle_def_levels(const uint32_t *levels, size_t n, lake_buf *out);

#endif
