/* Input decompression by object name (codec/inflate.h): gzip and zstd round trips, multi-member and
 * multi-frame inputs, truncation, corruption and the output cap. */
#include "codec/inflate.h"
#include "unit.h"

#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

/* Compresses src as one gzip member appended to dst. */
static void gzip_member(lake_buf *dst, const void *src, size_t n) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return;
    size_t bound = deflateBound(&zs, (uLong)n) + 64;
    lake_buf_reserve(dst, bound);
    zs.next_in = (Bytef *)src;
    zs.avail_in = (uInt)n;
    zs.next_out = dst->data + dst->len;
    zs.avail_out = (uInt)bound;
    int zr = deflate(&zs, Z_FINISH);
    CHECK_EQ_INT(zr, Z_STREAM_END);
    dst->len += bound - zs.avail_out;
    deflateEnd(&zs);
}

/* Compresses src as one zstd frame appended to dst; with streaming set, the frame header does not
 * record the content size. */
static void zstd_frame(lake_buf *dst, const void *src, size_t n, int streaming) {
    size_t bound = ZSTD_compressBound(n);
    lake_buf_reserve(dst, bound);
    if (!streaming) {
        size_t r = ZSTD_compress(dst->data + dst->len, bound, src, n, 3);
        CHECK(!ZSTD_isError(r));
        dst->len += r;
        return;
    }
    ZSTD_CCtx *c = ZSTD_createCCtx();
    ZSTD_outBuffer ob = {dst->data + dst->len, bound, 0};
    ZSTD_inBuffer ib = {src, n, 0};
    size_t r;
    do
        r = ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_end);
    while (r > 0 && !ZSTD_isError(r));
    CHECK(!ZSTD_isError(r));
    dst->len += ob.pos;
    ZSTD_freeCCtx(c);
}

static char *sample_text(size_t n) {
    char *s = malloc(n);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)("{\"artist\":\"Pavement\",\"ts\":1541990258796}\n"[i % 41] + (i / 4096 % 3));
    return s;
}

UNIT_TEST(inflate_plain_name_untouched) {
    lake_buf out;
    lake_buf_init(&out);
    int did = 7;
    lake_error err = {0};
    CHECK_EQ_INT(lake_inflate_auto("log_data/a.json", (const uint8_t *)"{}", 2, &out, &did, &err),
                 LAKE_OK);
    CHECK_EQ_INT(did, 0);
    CHECK_EQ_INT(out.len, 0);
    lake_buf_free(&out);
}

UNIT_TEST(inflate_gzip_round_trip_multi_member) {
    size_t n = 300000;
    char *text = sample_text(n);
    lake_buf gz, out;
    lake_buf_init(&gz);
    lake_buf_init(&out);
    gzip_member(&gz, text, 100000);
    gzip_member(&gz, text + 100000, n - 100000);
    lake_buf_append(&gz, "\0\0\0\0", 4); /* zero padding after the last member is ignored */
    int did = 0;
    lake_error err = {0};
    CHECK_EQ_INT(
        lake_inflate_auto("x/2018-11-12-events.json.GZ", gz.data, gz.len, &out, &did, &err),
        LAKE_OK);
    CHECK_EQ_INT(did, 1);
    CHECK_EQ_MEM(out.data, out.len, text, n);
    for (int i = 0; i < LAKE_BUF_PADDING; i++)
        CHECK(out.data[out.len + i] == 0);
    free(text);
    lake_buf_free(&gz);
    lake_buf_free(&out);
}

UNIT_TEST(inflate_gzip_truncated_and_corrupt) {
    size_t n = 200000;
    char *text = sample_text(n);
    lake_buf gz, out;
    lake_buf_init(&gz);
    lake_buf_init(&out);
    lake_buf_puts(&out, "keep");
    gzip_member(&gz, text, n);
    int did = 0;
    lake_error err = {0};
    lake_rc rc = lake_inflate_auto("a.json.gz", gz.data, gz.len - 5, &out, &did, &err);
    CHECK_EQ_INT(rc, LAKE_ERR_CODEC);
    CHECK_EQ_INT(did, 1);
    CHECK(strstr(err.msg, "a.json.gz") != NULL);
    CHECK(strstr(err.msg, "truncated gzip stream") != NULL);
    CHECK_EQ_MEM(out.data, out.len, "keep", 4); /* output restored on failure */
    rc = lake_inflate_auto("a.json.gz", gz.data, gz.len / 2, &out, &did, &err);
    CHECK_EQ_INT(rc, LAKE_ERR_CODEC);
    CHECK(strstr(err.msg, "truncated") != NULL);
    rc = lake_inflate_auto("a.json.gz", gz.data, 0, &out, &did, &err);
    CHECK_EQ_INT(rc, LAKE_ERR_CODEC);
    rc =
        lake_inflate_auto("a.json.gz", (const uint8_t *)"{\"not\":\"gzip\"}", 14, &out, &did, &err);
    CHECK_EQ_INT(rc, LAKE_ERR_CODEC);
    CHECK(strstr(err.msg, "corrupt gzip") != NULL);
    gz.data[gz.len - 6] ^= 0xFF; /* CRC mismatch */
    rc = lake_inflate_auto("a.json.gz", gz.data, gz.len, &out, &did, &err);
    CHECK_EQ_INT(rc, LAKE_ERR_CODEC);
    lake_buf_append(&gz, "junk", 4);
    gz.data[gz.len - 10] ^= 0xFF;
    rc = lake_inflate_auto("a.json.gz", gz.data, gz.len, &out, &did, &err);
    CHECK_EQ_INT(rc, LAKE_ERR_CODEC);
    CHECK_EQ_INT(out.len, 4);
    free(text);
    lake_buf_free(&gz);
    lake_buf_free(&out);
}

UNIT_TEST(inflate_zstd_round_trip_frames) {
    size_t n = 500000;
    char *text = sample_text(n);
    lake_buf zs, out;
    lake_buf_init(&zs);
    lake_buf_init(&out);
    zstd_frame(&zs, text, 1000, 0);
    zstd_frame(&zs, text + 1000, n - 1000, 1); /* content size unknown */
    int did = 0;
    lake_error err = {0};
    CHECK_EQ_INT(lake_inflate_auto("b.json.zst", zs.data, zs.len, &out, &did, &err), LAKE_OK);
    CHECK_EQ_INT(did, 1);
    CHECK_EQ_MEM(out.data, out.len, text, n);
    lake_buf_resize(&out, 0);
    lake_rc rc = lake_inflate_auto("b.json.zst", zs.data, zs.len - 3, &out, &did, &err);
    CHECK_EQ_INT(rc, LAKE_ERR_CODEC);
    CHECK(strstr(err.msg, "b.json.zst: truncated zstd stream") != NULL);
    CHECK_EQ_INT(out.len, 0);
    rc = lake_inflate_auto("b.json.zst", (const uint8_t *)"plain text here", 15, &out, &did, &err);
    CHECK_EQ_INT(rc, LAKE_ERR_CODEC);
    CHECK(strstr(err.msg, "corrupt zstd") != NULL);
    free(text);
    lake_buf_free(&zs);
    lake_buf_free(&out);
}

UNIT_TEST(inflate_output_cap) {
    size_t n = 1 << 20;
    char *zeros = calloc(1, n);
    lake_buf c, out;
    lake_buf_init(&c);
    lake_buf_init(&out);
    gzip_member(&c, zeros, n);
    int did = 0;
    lake_error err = {0};
    CHECK_EQ_INT(lake_inflate_auto_max("z.gz", c.data, c.len, &out, &did, n, &err), LAKE_OK);
    CHECK_EQ_INT(out.len, n);
    lake_buf_resize(&out, 0);
    CHECK_EQ_INT(lake_inflate_auto_max("z.gz", c.data, c.len, &out, &did, n - 1, &err),
                 LAKE_ERR_LIMIT);
    CHECK(strstr(err.msg, "z.gz") != NULL);
    CHECK_EQ_INT(out.len, 0);
    lake_buf_resize(&c, 0);
    lake_buf_free(&out);
    zstd_frame(&c, zeros, n, 1);
    CHECK_EQ_INT(lake_inflate_auto_max("z.zst", c.data, c.len, &out, &did, 4096, &err),
                 LAKE_ERR_LIMIT);
    CHECK(out.cap < 256 * 1024); /* the cap bounds allocation, not just the result */
    free(zeros);
    lake_buf_free(&c);
    lake_buf_free(&out);
}
