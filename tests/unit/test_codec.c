/* Block codecs: round trips, framing, and failure on corrupt input. */
#include "unit.h"

#include "lake/codec.h"

#include <stdint.h>
#include <stdlib.h>

static const lake_codec all_codecs[] = {LAKE_CODEC_NONE, LAKE_CODEC_SNAPPY, LAKE_CODEC_GZIP,
                                        LAKE_CODEC_ZSTD, LAKE_CODEC_LZ4_RAW};

static void round_trip(lake_codec c, const uint8_t *src, size_t n) {
    lake_buf comp = {0}, raw = {0};
    lake_error err = {0};
    lake_buf_append(&comp, "pre", 3); /* compress appends; earlier contents stay */
    CHECK_EQ_INT(lake_compress(c, 0, src, n, &comp, &err), LAKE_OK);
    CHECK_EQ_MEM(comp.data, 3, "pre", 3);
    CHECK_EQ_INT(lake_decompress(c, comp.data + 3, comp.len - 3, n, &raw, &err), LAKE_OK);
    CHECK_EQ_MEM(raw.data, raw.len, src, n);
    lake_buf_free(&comp);
    lake_buf_free(&raw);
}

UNIT_TEST(codec_round_trips) {
    size_t n = 300000;
    uint8_t *src = malloc(n);
    for (size_t i = 0; i < n; i++)
        src[i] = (uint8_t)((i * 7) % 251 < 100 ? 'a' : i * 31);
    for (size_t k = 0; k < sizeof all_codecs / sizeof all_codecs[0]; k++) {
        round_trip(all_codecs[k], src, n);
        round_trip(all_codecs[k], src, 1);
        round_trip(all_codecs[k], src, 0);
    }
    free(src);
}

UNIT_TEST(codec_framing) {
    lake_buf b = {0};
    lake_error err = {0};
    static const char text[] = "hello hello hello hello";
    CHECK_EQ_INT(lake_compress(LAKE_CODEC_GZIP, 9, text, sizeof text, &b, &err), LAKE_OK);
    CHECK(b.len > 2 && b.data[0] == 0x1f && b.data[1] == 0x8b); /* gzip, not bare zlib */
    lake_buf_free(&b);
    CHECK_EQ_INT(lake_compress(LAKE_CODEC_ZSTD, 19, text, sizeof text, &b, &err), LAKE_OK);
    CHECK(b.len > 4 && b.data[0] == 0x28 && b.data[1] == 0xb5 && b.data[2] == 0x2f &&
          b.data[3] == 0xfd);
    lake_buf_free(&b);
    CHECK_EQ_INT(lake_compress(LAKE_CODEC_LZ4_RAW, 0, text, sizeof text, &b, &err), LAKE_OK);
    CHECK(b.data[0] != 0x04 || b.data[1] != 0x22); /* no LZ4 frame magic */
    lake_buf_free(&b);
    CHECK_EQ_STR(lake_codec_name(LAKE_CODEC_LZ4_RAW), "lz4_raw");
}

UNIT_TEST(codec_gzip_concatenated_members) {
    lake_buf b = {0}, raw = {0};
    lake_error err = {0};
    CHECK_EQ_INT(lake_compress(LAKE_CODEC_GZIP, 0, "abc", 3, &b, &err), LAKE_OK);
    CHECK_EQ_INT(lake_compress(LAKE_CODEC_GZIP, 0, "def", 3, &b, &err), LAKE_OK);
    CHECK_EQ_INT(lake_decompress(LAKE_CODEC_GZIP, b.data, b.len, 6, &raw, &err), LAKE_OK);
    CHECK_EQ_MEM(raw.data, raw.len, "abcdef", 6);
    lake_buf_free(&b);
    lake_buf_free(&raw);
}

UNIT_TEST(codec_corrupt_input) {
    static const uint8_t junk[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03, 0x04};
    for (size_t k = 1; k < sizeof all_codecs / sizeof all_codecs[0]; k++) {
        lake_buf raw = {0};
        lake_error err = {0};
        lake_rc rc = lake_decompress(all_codecs[k], junk, sizeof junk, 100, &raw, &err);
        CHECK_EQ_INT(rc, LAKE_ERR_CODEC);
        CHECK_EQ_INT(raw.len, 0);
        CHECK(err.msg[0] != 0);
        lake_buf_free(&raw);
    }
    /* Right data, wrong expected length. */
    lake_buf b = {0}, raw = {0};
    lake_error err = {0};
    CHECK_EQ_INT(lake_compress(LAKE_CODEC_ZSTD, 0, "abcdef", 6, &b, &err), LAKE_OK);
    CHECK_EQ_INT(lake_decompress(LAKE_CODEC_ZSTD, b.data, b.len, 5, &raw, &err), LAKE_ERR_CODEC);
    lake_buf_free(&b);
    lake_buf_free(&raw);
}
