/* Decompression of gzip and zstd inputs (see codec/inflate.h), whole or handed to a callback a
 * chunk at a time. Both decoders write straight into the output buffer; the cap is enforced while
 * decoding, so a small bomb never allocates past max_out + one chunk. */
#include "codec/inflate.h"

#include <limits.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>

#define INFLATE_CHUNK ((size_t)64 << 10)

/* Case-insensitive, unlike lake_ends_with: the extension names the codec, so ".GZ" is gzip. */
static int has_suffix(const char *name, const char *suffix) {
    size_t n = strlen(name), s = strlen(suffix);
    return n >= s && strcasecmp(name + n - s, suffix) == 0;
}

/* Makes room to write after out->len and returns how many bytes may be written there: at most
 * one byte beyond the cap (so exceeding it is detected) and at most UINT_MAX (zlib counts in
 * uInt). */
static size_t out_room(lake_buf *out, size_t start, size_t max_out, size_t total) {
    size_t produced = out->len - start;
    size_t want = produced < INFLATE_CHUNK ? INFLATE_CHUNK : produced; /* doubles the output */
    size_t left = max_out - total + 1;
    if (want > left)
        want = left;
    lake_buf_reserve(out, want);
    size_t room = out->cap - LAKE_BUF_PADDING - out->len;
    if (room > left)
        room = left;
    return room > UINT_MAX ? UINT_MAX : room;
}

/* Accounts for n bytes written after out->len and restores the zero padding. */
static void out_commit(lake_buf *out, size_t n) {
    out->len += n;
    memset(out->data + out->len, 0, LAKE_BUF_PADDING);
}

/* Where decoded bytes go: the caller's buffer, handed to fn once it holds `chunk` bytes after
 * start (fn may consume a prefix of them); produced counts all bytes decoded, for the cap. */
typedef struct {
    lake_inflate_fn fn;
    void *ud;
    size_t chunk;
    size_t produced;
} sink;

/* Counts n new bytes and hands the buffer to the callback when it holds a chunk. */
static lake_rc sink_commit(sink *k, lake_buf *out, size_t start, size_t n, const char *name,
                           size_t max_out, lake_error *err) {
    out_commit(out, n);
    k->produced += n;
    if (k->produced > max_out)
        return lake_error_set(err, LAKE_ERR_LIMIT,
                              "%s: decompressed size exceeds the limit of %zu bytes", name,
                              max_out);
    if (k->fn && out->len - start >= k->chunk)
        return k->fn(k->ud, out, start, false, err);
    return LAKE_OK;
}

static lake_rc gunzip(const char *name, const uint8_t *in, size_t len, lake_buf *out, size_t start,
                      size_t max_out, sink *k, lake_error *err) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) /* 16: gzip wrapper only */
        return lake_error_set(err, LAKE_ERR_CODEC, "%s: cannot start the gzip decoder", name);
    lake_rc rc = LAKE_OK;
    size_t pos = 0;
    if (len == 0) {
        rc = lake_error_set(err, LAKE_ERR_CODEC, "%s: truncated gzip stream (empty)", name);
        goto out;
    }
    for (;;) {
        size_t room = out_room(out, start, max_out, k->produced);
        size_t in_now = len - pos > UINT_MAX ? UINT_MAX : len - pos;
        zs.next_in = (Bytef *)(in + pos);
        zs.avail_in = (uInt)in_now;
        zs.next_out = out->data + out->len;
        zs.avail_out = (uInt)room;
        int zr = inflate(&zs, Z_NO_FLUSH);
        pos += in_now - zs.avail_in;
        size_t avail_out = zs.avail_out; /* the callback may move the buffer's bytes */
        if ((rc = sink_commit(k, out, start, room - avail_out, name, max_out, err)) != LAKE_OK)
            goto out;
        if (zr == Z_STREAM_END) {
            size_t k = pos;
            while (k < len && in[k] == 0) /* zero padding after the last member, as gzip(1) */
                k++;
            if (k == len)
                break;
            inflateReset(&zs); /* another member follows */
            continue;
        }
        if (zr == Z_OK || zr == Z_BUF_ERROR) {
            if (pos == len && avail_out > 0) {
                rc = lake_error_set(err, LAKE_ERR_CODEC, "%s: truncated gzip stream", name);
                goto out;
            }
            continue;
        }
        rc = lake_error_set(err, LAKE_ERR_CODEC, "%s: corrupt gzip stream at byte %zu: %s", name,
                            pos, zs.msg ? zs.msg : "data error");
        goto out;
    }
out:
    inflateEnd(&zs);
    return rc;
}

static lake_rc unzstd(const char *name, const uint8_t *in, size_t len, lake_buf *out, size_t start,
                      size_t max_out, sink *k, lake_error *err) {
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (!dctx)
        return lake_error_set(err, LAKE_ERR_CODEC, "%s: cannot start the zstd decoder", name);
    lake_rc rc = LAKE_OK;
    ZSTD_inBuffer ib = {in, len, 0};
    size_t last = 1; /* non-zero: a frame is unfinished */
    if (len == 0) {
        rc = lake_error_set(err, LAKE_ERR_CODEC, "%s: truncated zstd stream (empty)", name);
        goto out;
    }
    for (;;) {
        size_t room = out_room(out, start, max_out, k->produced);
        ZSTD_outBuffer ob = {out->data + out->len, room, 0};
        size_t r = ZSTD_decompressStream(dctx, &ob, &ib);
        if (ZSTD_isError(r)) {
            rc = lake_error_set(err, LAKE_ERR_CODEC, "%s: corrupt zstd stream at byte %zu: %s",
                                name, ib.pos, ZSTD_getErrorName(r));
            goto out;
        }
        size_t got = ob.pos, room_left = ob.size - ob.pos;
        if ((rc = sink_commit(k, out, start, got, name, max_out, err)) != LAKE_OK)
            goto out;
        last = r;
        if (ib.pos == ib.size && room_left > 0)
            break; /* all input read and everything decodable flushed */
    }
    if (last != 0)
        rc = lake_error_set(err, LAKE_ERR_CODEC, "%s: truncated zstd stream", name);
out:
    ZSTD_freeDCtx(dctx);
    return rc;
}

enum { CODEC_NONE, CODEC_GZIP, CODEC_ZSTD };

static int codec_of(const char *name) {
    return has_suffix(name, ".gz")    ? CODEC_GZIP
           : has_suffix(name, ".zst") ? CODEC_ZSTD
                                      : CODEC_NONE;
}

bool lake_inflate_named(const char *name) {
    return codec_of(name) != CODEC_NONE;
}

static lake_rc inflate_to(const char *name, const uint8_t *in, size_t len, lake_buf *out, int *did,
                          size_t max_out, sink *k, lake_error *err) {
    int codec = codec_of(name);
    *did = codec != CODEC_NONE;
    if (!*did)
        return LAKE_OK;
    size_t start = out->len;
    lake_rc rc = codec == CODEC_GZIP ? gunzip(name, in, len, out, start, max_out, k, err)
                                     : unzstd(name, in, len, out, start, max_out, k, err);
    if (!rc && k->fn)
        rc = k->fn(k->ud, out, start, true, err);
    if (rc && out->data) {
        out->len = start;
        memset(out->data + start, 0, LAKE_BUF_PADDING);
    }
    return rc;
}

lake_rc lake_inflate_auto_max(const char *name, const uint8_t *in, size_t len, lake_buf *out,
                              int *did, size_t max_out, lake_error *err) {
    sink k = {NULL, NULL, 0, 0};
    return inflate_to(name, in, len, out, did, max_out, &k, err);
}

lake_rc lake_inflate_auto(const char *name, const uint8_t *in, size_t len, lake_buf *out, int *did,
                          lake_error *err) {
    return lake_inflate_auto_max(name, in, len, out, did, LAKE_INFLATE_MAX, err);
}

lake_rc lake_inflate_auto_stream(const char *name, const uint8_t *in, size_t len, lake_buf *out,
                                 int *did, size_t chunk, lake_inflate_fn fn, void *ud,
                                 lake_error *err) {
    sink k = {fn, ud, chunk ? chunk : 1, 0};
    return inflate_to(name, in, len, out, did, LAKE_INFLATE_MAX, &k, err);
}
