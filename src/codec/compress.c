/* Block compression: one call per buffer, with each codec's Parquet framing. */
#include "lake/codec.h"

#include <limits.h>
#include <string.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

const char *lake_codec_name(lake_codec c) {
    switch (c) {
    case LAKE_CODEC_NONE:
        return "none";
    case LAKE_CODEC_SNAPPY:
        return "snappy";
    case LAKE_CODEC_GZIP:
        return "gzip";
    case LAKE_CODEC_ZSTD:
        return "zstd";
    case LAKE_CODEC_LZ4_RAW:
        return "lz4_raw";
    }
    return "unknown";
}

/* Marks got bytes written straight into the space lake_buf_reserve made as used, and restores the
 * zero padding the buffer promises after its contents. */
static void commit(lake_buf *b, size_t got) {
    b->len += got;
    memset(b->data + b->len, 0, LAKE_BUF_PADDING);
}

static lake_rc snappy_block(const void *src, size_t n, lake_buf *out, lake_error *err) {
    size_t cap = snappy_max_compressed_length(n);
    lake_buf_reserve(out, cap);
    if (snappy_compress(src, n, (char *)out->data + out->len, &cap) != SNAPPY_OK)
        return lake_error_set(err, LAKE_ERR_CODEC, "snappy: compression of %zu bytes failed", n);
    commit(out, cap);
    return LAKE_OK;
}

/* Parquet's GZIP codec means RFC 1952 gzip members, hence windowBits 15 + 16. */
static lake_rc gzip_block(int level, const void *src, size_t n, lake_buf *out, lake_error *err) {
    z_stream zs = {0};
    lake_rc rc = LAKE_OK;
    if (n > UINT_MAX / 2)
        return lake_error_set(err, LAKE_ERR_LIMIT, "gzip: block of %zu bytes is too large", n);
    if (deflateInit2(&zs, level ? level : Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return lake_error_set(err, LAKE_ERR_CODEC, "gzip: deflateInit2 failed (level %d)", level);
    size_t cap = deflateBound(&zs, (uLong)n);
    lake_buf_reserve(out, cap);
    zs.next_in = (Bytef *)src;
    zs.avail_in = (uInt)n;
    zs.next_out = out->data + out->len;
    zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
        rc = lake_error_set(err, LAKE_ERR_CODEC, "gzip: deflate of %zu bytes failed", n);
        goto out;
    }
    commit(out, zs.total_out);
out:
    deflateEnd(&zs);
    return rc;
}

static lake_rc zstd_block(int level, const void *src, size_t n, lake_buf *out, lake_error *err) {
    size_t cap = ZSTD_compressBound(n);
    lake_buf_reserve(out, cap);
    size_t got = ZSTD_compress(out->data + out->len, cap, src, n, level);
    if (ZSTD_isError(got))
        return lake_error_set(err, LAKE_ERR_CODEC, "zstd: %s", ZSTD_getErrorName(got));
    commit(out, got);
    return LAKE_OK;
}

/* LZ4_RAW is the bare LZ4 block format: no frame, no size prefix. */
static lake_rc lz4_block(const void *src, size_t n, lake_buf *out, lake_error *err) {
    if (n > LZ4_MAX_INPUT_SIZE)
        return lake_error_set(err, LAKE_ERR_LIMIT, "lz4_raw: block of %zu bytes is too large", n);
    int cap = LZ4_compressBound((int)n);
    lake_buf_reserve(out, (size_t)cap);
    int got = LZ4_compress_default(src, (char *)out->data + out->len, (int)n, cap);
    if (got <= 0 && n > 0)
        return lake_error_set(err, LAKE_ERR_CODEC, "lz4_raw: compression of %zu bytes failed", n);
    commit(out, (size_t)got);
    return LAKE_OK;
}

lake_rc lake_codec_check_level(lake_codec c, int level, lake_error *err) {
    if (level == 0)
        return LAKE_OK;
    switch (c) {
    case LAKE_CODEC_ZSTD:
        if (level >= ZSTD_minCLevel() && level <= ZSTD_maxCLevel())
            return LAKE_OK;
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "zstd compression level %d is outside %d..%d", level,
                              ZSTD_minCLevel(), ZSTD_maxCLevel());
    case LAKE_CODEC_GZIP:
        if (level >= 1 && level <= 9)
            return LAKE_OK;
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "gzip compression level %d is outside 1..9", level);
    default:
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "%s takes no compression level",
                              lake_codec_name(c));
    }
}

lake_rc lake_compress(lake_codec c, int level, const void *src, size_t n, lake_buf *out,
                      lake_error *err) {
    switch (c) {
    case LAKE_CODEC_NONE:
        lake_buf_append(out, src, n);
        return LAKE_OK;
    case LAKE_CODEC_SNAPPY:
        return snappy_block(src, n, out, err);
    case LAKE_CODEC_GZIP:
        return gzip_block(level, src, n, out, err);
    case LAKE_CODEC_ZSTD:
        return zstd_block(level, src, n, out, err);
    case LAKE_CODEC_LZ4_RAW:
        return lz4_block(src, n, out, err);
    }
    return lake_error_set(err, LAKE_ERR_INVALID_ARG, "unknown codec %d", (int)c);
}

/* Readers of gzip must accept several concatenated members, so inflation restarts after each
 * member's end until the input is used up. */
static lake_rc gunzip_block(const void *src, size_t n, size_t raw_len, uint8_t *dst,
                            lake_error *err) {
    z_stream zs = {0};
    lake_rc rc = LAKE_OK;
    if (n > UINT_MAX || raw_len > UINT_MAX)
        return lake_error_set(err, LAKE_ERR_LIMIT, "gzip: block of %zu bytes is too large", n);
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return lake_error_set(err, LAKE_ERR_CODEC, "gzip: inflateInit2 failed");
    zs.next_in = (Bytef *)src;
    zs.avail_in = (uInt)n;
    zs.next_out = dst;
    zs.avail_out = (uInt)raw_len;
    for (;;) {
        int z = inflate(&zs, Z_FINISH);
        if (z == Z_STREAM_END && zs.avail_in > 0 && inflateReset(&zs) == Z_OK)
            continue;
        if (z != Z_STREAM_END || zs.avail_out != 0) { /* total_out restarts per member */
            rc = lake_error_set(err, LAKE_ERR_CODEC, "gzip: corrupt block or wrong length");
            goto out;
        }
        break;
    }
out:
    inflateEnd(&zs);
    return rc;
}

static lake_rc decompress_into(lake_codec c, const void *src, size_t n, size_t raw_len,
                               uint8_t *dst, lake_error *err) {
    size_t got = 0;
    switch (c) {
    case LAKE_CODEC_NONE:
        if (n != raw_len)
            break;
        memcpy(dst, src, n);
        return LAKE_OK;
    case LAKE_CODEC_SNAPPY:
        got = raw_len;
        if (snappy_uncompress(src, n, (char *)dst, &got) != SNAPPY_OK || got != raw_len)
            break;
        return LAKE_OK;
    case LAKE_CODEC_GZIP:
        return gunzip_block(src, n, raw_len, dst, err);
    case LAKE_CODEC_ZSTD:
        got = ZSTD_decompress(dst, raw_len, src, n);
        if (ZSTD_isError(got) || got != raw_len)
            break;
        return LAKE_OK;
    case LAKE_CODEC_LZ4_RAW:
        if (n > INT_MAX || raw_len > INT_MAX ||
            LZ4_decompress_safe(src, (char *)dst, (int)n, (int)raw_len) != (int)raw_len)
            break;
        return LAKE_OK;
    default:
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "unknown codec %d", (int)c);
    }
    return lake_error_set(err, LAKE_ERR_CODEC, "%s: corrupt block or wrong length (%zu -> %zu)",
                          lake_codec_name(c), n, raw_len);
}

lake_rc lake_decompress(lake_codec c, const void *src, size_t n, size_t raw_len, lake_buf *out,
                        lake_error *err) {
    lake_buf_reserve(out, raw_len);
    lake_rc rc = decompress_into(c, src, n, raw_len, out->data + out->len, err);
    if (rc == LAKE_OK)
        commit(out, raw_len);
    return rc;
}
