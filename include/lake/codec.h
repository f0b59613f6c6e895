/** @file
 * Block compression for Parquet pages (and anything else that compresses one buffer at a time).
 *
 * Each call compresses or decompresses one whole block; there is no streaming state. The framing
 * is the one Parquet expects for each codec: raw snappy, gzip (RFC 1952, not bare zlib), a zstd
 * frame, and LZ4 block format without any frame ("LZ4_RAW"). */
#ifndef LAKE_CODEC_H
#define LAKE_CODEC_H

#include "lake/common.h"

/** The codecs lake writes, for these functions and for the Parquet writer's options
 * (pq_options.codec in lake/parquet.h; its footer maps them to Parquet's CompressionCodec). */
typedef enum {
    LAKE_CODEC_NONE = 0,
    LAKE_CODEC_SNAPPY,
    LAKE_CODEC_GZIP,
    LAKE_CODEC_ZSTD,
    LAKE_CODEC_LZ4_RAW
} lake_codec;

/** Returns the codec's lower-case name ("none", "snappy", "gzip", "zstd", "lz4_raw"). */
const char *lake_codec_name(lake_codec c);

/** Checks that level suits codec c: 0 (the codec's default) always does; zstd takes
 * ZSTD_minCLevel()..ZSTD_maxCLevel() (negative levels are zstd's fast modes), gzip 1..9; snappy,
 * lz4_raw and none take no level. Returns LAKE_OK or LAKE_ERR_INVALID_ARG with the range. */
lake_rc lake_codec_check_level(lake_codec c, int level, lake_error *err);

/** Compresses src[0..n) and appends the result to out. level 0 means the codec's default; snappy
 * and lz4_raw ignore it. Returns LAKE_OK, or LAKE_ERR_CODEC / LAKE_ERR_LIMIT with detail in err;
 * on failure out keeps its old length. LAKE_CODEC_NONE appends a plain copy. */
lake_rc lake_compress(lake_codec c, int level, const void *src, size_t n, lake_buf *out,
                      lake_error *err);

/** Decompresses src[0..n), which must expand to exactly raw_len bytes, and appends them to out.
 * Returns LAKE_OK, or LAKE_ERR_CODEC when the data is corrupt or has another length; on failure
 * out keeps its old length. */
lake_rc lake_decompress(lake_codec c, const void *src, size_t n, size_t raw_len, lake_buf *out,
                        lake_error *err);

#endif
