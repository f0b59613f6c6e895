/* Writer pieces against independent decoders written from Encodings.md: DELTA_BINARY_PACKED,
 * the dictionary builder, the option parsers, INT96 and MILLIS timestamps, Spark's schema JSON. */
#include "unit.h"

#include "lake/parquet.h"
#include "parquet/write/writer_delta.h"
#include "parquet/write/writer_dict.h"
#include "parquet/write/writer_footer.h"

#include <stdint.h>
#include <stdlib.h>

/* ---- a DELTA_BINARY_PACKED decoder ---- */

static const uint8_t *dp, *dend;

static uint64_t uleb(void) {
    uint64_t v = 0;
    for (int s = 0; dp < dend && s < 64; s += 7) {
        uint8_t b = *dp++;
        v |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80))
            return v;
    }
    return v;
}

static int64_t zz(void) {
    uint64_t u = uleb();
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static uint64_t bits_at(const uint8_t *p, size_t bit, int w) {
    uint64_t v = 0;
    for (int k = 0; k < w; k++, bit++)
        v |= (uint64_t)((p[bit / 8] >> (bit % 8)) & 1) << k;
    return v;
}

/* Decodes into out (capacity cap); returns the value count, -1 on malformed input. */
static long delta_decode(const uint8_t *p, size_t n, int bits, int64_t *out, size_t cap) {
    dp = p;
    dend = p + n;
    uint64_t block = uleb(), minis = uleb(), total = uleb();
    int64_t first = zz();
    if (block % 128 || !minis || (block / minis) % 32 || total > cap)
        return -1;
    size_t per = block / minis, got = 0;
    if (total)
        out[got++] = first;
    uint64_t prev = (uint64_t)first;
    while (got < total) {
        int64_t mn = zz();
        uint8_t widths[64];
        for (uint64_t m = 0; m < minis; m++)
            widths[m] = *dp++;
        for (uint64_t m = 0; m < minis && got < total; m++) {
            if (widths[m] > bits)
                return -1;
            for (size_t k = 0; k < per; k++) {
                uint64_t rel = bits_at(dp, k * widths[m], widths[m]);
                if (got < total) {
                    prev = prev + (uint64_t)mn + rel;
                    out[got++] = bits == 32 ? (int64_t)(int32_t)(uint32_t)prev : (int64_t)prev;
                }
            }
            dp += per * widths[m] / 8;
        }
    }
    return dp == dend ? (long)got : -1;
}

static void check_delta(const int64_t *v, size_t n, int bits) {
    lake_buf b = {0};
    pq_delta_encode(v, n, bits, &b);
    CHECK_EQ_INT(b.len, pq_delta_size(v, n, bits));
    int64_t *back = malloc((n + 1) * sizeof *back);
    CHECK_EQ_INT(delta_decode(b.data, b.len, bits, back, n), (long)n);
    for (size_t i = 0; i < n; i++)
        if (back[i] != v[i]) {
            CHECK_EQ_INT(back[i], v[i]);
            break;
        }
    free(back);
    lake_buf_free(&b);
}

UNIT_TEST(delta_spec_example) {
    static const int64_t v[] = {1, 2, 3, 4, 5};
    lake_buf b = {0};
    pq_delta_encode(v, 5, 64, &b);
    /* header 128, 4, 5, zigzag(1); block: min delta zigzag(1), widths 0 0 0 0, no data */
    static const uint8_t want[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0};
    CHECK_EQ_MEM(b.data, b.len, want, sizeof want);
    lake_buf_free(&b);
}

UNIT_TEST(delta_round_trips) {
    size_t n = 1000;
    int64_t *v = calloc(n, sizeof *v);
    check_delta(v, 0, 64);
    v[0] = INT64_MIN;
    check_delta(v, 1, 64);
    for (size_t i = 0; i < n; i++) /* extremes force 64-bit widths and wrapping deltas */
        v[i] = i % 3 == 0 ? INT64_MIN : i % 3 == 1 ? INT64_MAX : (int64_t)(i * 7919);
    check_delta(v, n, 64);
    for (size_t k = 1; k <= 260; k += 37)
        check_delta(v, k, 64);
    for (size_t i = 0; i < n; i++)
        v[i] = i % 2 ? INT32_MIN : INT32_MAX;
    check_delta(v, n, 32);
    for (size_t i = 0; i < n; i++)
        v[i] = 1541105830796000LL + (int64_t)(i * i);
    check_delta(v, n, 64);
    free(v);
}

UNIT_TEST(dict_indices_and_limit) {
    pq_dict d;
    pq_dict_init(&d);
    pq_dict_reset(&d, true, 20);
    CHECK_EQ_INT(pq_dict_add(&d, (const uint8_t *)"free", 4), 0);
    CHECK_EQ_INT(pq_dict_add(&d, (const uint8_t *)"paid", 4), 1);
    CHECK_EQ_INT(pq_dict_add(&d, (const uint8_t *)"free", 4), 0);
    CHECK_EQ_INT(pq_dict_bit_width(&d), 1);
    CHECK_EQ_INT(pq_dict_add(&d, (const uint8_t *)"", 0), 2);     /* 20 bytes: at the limit */
    CHECK_EQ_INT(pq_dict_add(&d, (const uint8_t *)"x", 1), -1);   /* would pass it */
    CHECK_EQ_INT(pq_dict_add(&d, (const uint8_t *)"paid", 4), 1); /* old values still found */
    CHECK_EQ_INT(pq_dict_bit_width(&d), 2);
    static const uint8_t page[] = {4, 0, 0,   0,   'f', 'r', 'e', 'e', 4, 0,
                                   0, 0, 'p', 'a', 'i', 'd', 0,   0,   0, 0};
    CHECK_EQ_MEM(d.page.data, d.page.len, page, sizeof page);
    pq_dict_reset(&d, false, 1 << 20);
    for (uint32_t i = 0; i < 100000; i++)
        CHECK_EQ_INT(pq_dict_add(&d, (const uint8_t *)&i, 4), (int64_t)i);
    for (uint32_t i = 0; i < 100000; i += 997)
        CHECK_EQ_INT(pq_dict_add(&d, (const uint8_t *)&i, 4), (int64_t)i);
    CHECK_EQ_INT(pq_dict_bit_width(&d), 17);
    pq_dict_free(&d);
}

UNIT_TEST(parquet_option_parsers) {
    lake_error err = {0};
    pq_ts_type t = PQ_TS_MICROS;
    int64_t n = 0;
    CHECK_EQ_INT(pq_parse_timestamp_type("INT96", &t, &err), LAKE_OK);
    CHECK_EQ_INT(t, PQ_TS_INT96);
    CHECK_EQ_INT(pq_parse_timestamp_type("millis", &t, &err), LAKE_OK);
    CHECK_EQ_INT(t, PQ_TS_MILLIS);
    CHECK_EQ_INT(pq_parse_timestamp_type("nanos", &t, &err), LAKE_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "int96") != NULL);
    CHECK_EQ_INT(pq_parse_size("128m", 1, INT64_MAX, &n, &err), LAKE_OK);
    CHECK_EQ_INT(n, 128 << 20);
    CHECK_EQ_INT(pq_parse_size("64MiB", 1, INT64_MAX, &n, &err), LAKE_OK);
    CHECK_EQ_INT(n, 64 << 20);
    CHECK_EQ_INT(pq_parse_size("1000", 1, INT64_MAX, &n, &err), LAKE_OK);
    CHECK_EQ_INT(n, 1000);
    CHECK_EQ_INT(pq_parse_size("2G", 1, INT64_MAX, &n, &err), LAKE_OK);
    CHECK_EQ_INT(n, (int64_t)2 << 30);
    CHECK_EQ_INT(pq_parse_size("-1", 1, INT64_MAX, &n, &err), LAKE_ERR_INVALID_ARG);
    CHECK_EQ_INT(pq_parse_size("12q", 1, INT64_MAX, &n, &err), LAKE_ERR_INVALID_ARG);
    CHECK_EQ_INT(pq_parse_size("0", 1, INT64_MAX, &n, &err), LAKE_ERR_INVALID_ARG);
    CHECK_EQ_INT(pq_parse_size("99999999999999999999", 1, INT64_MAX, &n, &err),
                 LAKE_ERR_INVALID_ARG);
    pq_options o;
    pq_options_default(&o);
    CHECK_EQ_INT(o.row_group_bytes, 128 << 20);
    CHECK_EQ_INT(o.page_bytes, 1 << 20);
    CHECK_EQ_INT(o.page_rows, 20000);
    CHECK(o.dictionary && o.page_index && o.page_crc && o.spark_metadata == PQ_SPARK_AUTO);
    CHECK_EQ_INT(o.timestamp_type, PQ_TS_MICROS);
}

UNIT_TEST(parquet_levels_checked) {
    lake_col c;
    lake_col_init(&c, "x", LAKE_T_INT32);
    lake_col_push_i32(&c, 1);
    const lake_col *cols[] = {&c};
    pq_options o;
    pq_options_default(&o);
    lake_buf out = {0};
    lake_error err = {0};
    o.level = 5;
    CHECK_EQ_INT(pq_write_table(cols, 1, NULL, 1, &o, &out, &err), LAKE_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "snappy") != NULL);
    o.codec = LAKE_CODEC_ZSTD;
    o.level = 19;
    CHECK_EQ_INT(pq_write_table(cols, 1, NULL, 1, &o, &out, &err), LAKE_OK);
    o.level = 99;
    lake_buf_free(&out);
    CHECK_EQ_INT(pq_write_table(cols, 1, NULL, 1, &o, &out, &err), LAKE_ERR_INVALID_ARG);
    o.codec = LAKE_CODEC_GZIP;
    o.level = 10;
    CHECK_EQ_INT(pq_write_table(cols, 1, NULL, 1, &o, &out, &err), LAKE_ERR_INVALID_ARG);
    CHECK_EQ_INT(out.len, 0);
    lake_buf_free(&out);
    lake_col_free(&c);
}

/* Finds needle in the file; returns its offset or -1. */
static long find(const lake_buf *b, const void *needle, size_t n) {
    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->data + i, needle, n) == 0)
            return (long)i;
    return -1;
}

UNIT_TEST(parquet_timestamp_layouts) {
    lake_col c;
    lake_col_init(&c, "t", LAKE_T_TIMESTAMP_US);
    lake_col_push_i64(&c, -1);                /* 1969-12-31T23:59:59.999999 */
    lake_col_push_i64(&c, 86400000000LL + 5); /* 1970-01-02T00:00:00.000005 */
    const lake_col *cols[] = {&c};
    pq_options o;
    pq_options_default(&o);
    o.codec = LAKE_CODEC_NONE;
    o.dictionary = o.delta = false;
    lake_buf out = {0};
    lake_error err = {0};
    o.timestamp_type = PQ_TS_INT96;
    CHECK_EQ_INT(pq_write_table(cols, 1, NULL, 2, &o, &out, &err), LAKE_OK);
    /* nanos of day LE then Julian day LE: 86399999999000 ns of day 2440587; 5000 ns of 2440589 */
    static const uint8_t want[] = {0x18, 0xfc, 0x4e, 0x91, 0x94, 0x4e, 0x00, 0x00,
                                   0x8b, 0x3d, 0x25, 0x00, 0x88, 0x13, 0x00, 0x00,
                                   0x00, 0x00, 0x00, 0x00, 0x8d, 0x3d, 0x25, 0x00};
    CHECK(find(&out, want, sizeof want) >= 0);
    lake_buf_free(&out);
    o.timestamp_type = PQ_TS_MILLIS;
    CHECK_EQ_INT(pq_write_table(cols, 1, NULL, 2, &o, &out, &err), LAKE_OK);
    static const uint8_t ms[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0x00, 0x5c, 0x26, 0x05, 0x00, 0x00, 0x00, 0x00};
    CHECK(find(&out, ms, sizeof ms) >= 0); /* floor(-1 / 1000) = -1; 86400000 */
    lake_buf_free(&out);
    lake_col_free(&c);
}

UNIT_TEST(parquet_spark_schema_json) {
    lake_col a, b, c;
    lake_col_init(&a, "song_id", LAKE_T_STRING);
    lake_col_init(&b, "ts", LAKE_T_TIMESTAMP_US);
    lake_col_init(&c, "we\"ird", LAKE_T_INT64);
    pq_coldesc d[3];
    pq_coldesc_init(&d[0], &a, PQ_TS_MICROS);
    pq_coldesc_init(&d[1], &b, PQ_TS_INT96);
    pq_coldesc_init(&d[2], &c, PQ_TS_MICROS);
    CHECK_EQ_INT(d[1].phys, PQ_PHYS_INT96);
    lake_buf j = {0};
    pq_spark_schema_json(d, 3, &j);
    lake_buf_putc(&j, 0);
    CHECK_EQ_STR((const char *)j.data,
                 "{\"type\":\"struct\",\"fields\":[{\"name\":\"song_id\",\"type\":\"string\","
                 "\"nullable\":true},{\"name\":\"ts\",\"type\":\"timestamp\","
                 "\"nullable\":true},{\"name\":\"we\\\"ird\",\"type\":\"long\","
                 "\"nullable\":true}]}");
    lake_buf_free(&j);
}
