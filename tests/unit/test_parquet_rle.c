/* RLE / bit-packed hybrid encoding against hand-worked bytes (Parquet Encodings.md). */
#include "unit.h"

#include "parquet/write/writer_rle.h"

#include <stdint.h>
#include <stdlib.h>

#define CHECK_RLE(vals, n, width, ...)                                                             \
    do {                                                                                           \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        lake_buf b_ = {0};                                                                         \
        pq_rle_encode((vals), (n), (width), &b_);                                                  \
        CHECK_EQ_MEM(b_.data, b_.len, want_, sizeof want_);                                        \
        lake_buf_free(&b_);                                                                        \
    } while (0)

UNIT_TEST(rle_long_run) {
    uint32_t v[20000];
    for (int i = 0; i < 20000; i++)
        v[i] = 1;
    CHECK_RLE(v, 8, 1, 0x10, 0x01);
    CHECK_RLE(v, 20000, 1, 0xc0, 0xb8, 0x02, 0x01); /* varint(40000), value */
}

UNIT_TEST(rle_bitpacked_short) {
    static const uint32_t v[] = {1, 0, 1, 1, 0, 0, 0, 1};
    CHECK_RLE(v, 8, 1, 0x03, 0x8d); /* one group; first value in the lowest bit */
    CHECK_RLE(v, 3, 1, 0x03, 0x05); /* padded with zeros to a whole group */
}

UNIT_TEST(rle_mixed_runs) {
    static const uint32_t v[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
    CHECK_RLE(v, 13, 1, 0x14, 0x00, 0x03, 0x05);
    static const uint32_t w[] = {1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    CHECK_RLE(w, 17, 1, 0x03, 0x55, 0x12, 0x01);
}

UNIT_TEST(rle_bit_width_3) {
    static const uint32_t v[] = {0, 1, 2, 3, 4, 5, 6, 7};
    CHECK_RLE(v, 8, 3, 0x03, 0x88, 0xc6, 0xfa); /* the example in Encodings.md */
    static const uint32_t r[] = {5, 5, 5, 5, 5, 5, 5, 5, 5};
    CHECK_RLE(r, 9, 3, 0x12, 0x05);
    static const uint32_t wide[] = {300, 300, 300, 300, 300, 300, 300, 300};
    CHECK_RLE(wide, 8, 9, 0x10, 0x2c, 0x01); /* value in ceil(9/8) = 2 bytes */
}

UNIT_TEST(rle_group_limit) {
    uint32_t v[64 * 8];
    for (int i = 0; i < 64 * 8; i++)
        v[i] = (uint32_t)(i & 1) ^ 1;
    lake_buf b = {0};
    pq_rle_encode(v, 64 * 8, 1, &b);
    CHECK_EQ_INT(b.len, 1 + 63 + 1 + 1);
    CHECK_EQ_INT(b.data[0], 63 << 1 | 1);
    CHECK_EQ_INT(b.data[1], 0x55);
    CHECK_EQ_INT(b.data[64], 0x03);
    CHECK_EQ_INT(b.data[65], 0x55);
    lake_buf_free(&b);
}

UNIT_TEST(rle_def_levels_prefix) {
    static const uint32_t v[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    lake_buf b = {0};
    pq_rle_def_levels(v, 10, &b);
    static const uint8_t want[] = {0x02, 0x00, 0x00, 0x00, 0x14, 0x01};
    CHECK_EQ_MEM(b.data, b.len, want, sizeof want);
    lake_buf_free(&b);
    pq_rle_def_levels(v, 0, &b);
    static const uint8_t empty[] = {0x00, 0x00, 0x00, 0x00};
    CHECK_EQ_MEM(b.data, b.len, empty, sizeof empty);
    lake_buf_free(&b);
}
