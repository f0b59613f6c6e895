/* The Parquet footer reader (lake/pqread.h) and its Thrift compact decoder: files written by
 * pq_write_table read back field by field; every truncation and thousands of byte flips give an
 * error (or consistent metadata), never a crash; the decoder's limits hold. */
#include "unit.h"

#include "lake/parquet.h"
#include "lake/pqread.h"
#include "parquet/read/reader_thrift.h"

#include <stdint.h>
#include <stdlib.h>

/* ---- a small table of every lake type ---- */

typedef struct {
    lake_col i, s, d, ts, l;
    const lake_col *cols[5];
} tbl;

static const char *const words[] = {"apple", "banana", "", "\xc3\xa9t\xc3\xa9", "zebra"};

static void tbl_build(tbl *t, size_t n) {
    lake_col_init(&t->i, "i", LAKE_T_INT32);
    lake_col_init(&t->s, "s", LAKE_T_STRING);
    lake_col_init(&t->d, "d", LAKE_T_DOUBLE);
    lake_col_init(&t->ts, "ts", LAKE_T_TIMESTAMP_US);
    lake_col_init(&t->l, "l", LAKE_T_INT64);
    for (size_t r = 0; r < n; r++) {
        if (r % 7 == 3)
            lake_col_push_null(&t->i);
        else
            lake_col_push_i32(&t->i, (int32_t)r - 10);
        lake_col_push_str(&t->s, words[r % 5], (uint32_t)strlen(words[r % 5]));
        lake_col_push_f64(&t->d, (double)r / 4.0);
        lake_col_push_i64(&t->ts, 1541106106796000LL + (int64_t)r * 1000);
        lake_col_push_i64(&t->l, (int64_t)(r % 3) * 1000000000000LL);
    }
    t->cols[0] = &t->i;
    t->cols[1] = &t->s;
    t->cols[2] = &t->d;
    t->cols[3] = &t->ts;
    t->cols[4] = &t->l;
}

static void tbl_free(tbl *t) {
    lake_col_free(&t->i);
    lake_col_free(&t->s);
    lake_col_free(&t->d);
    lake_col_free(&t->ts);
    lake_col_free(&t->l);
}

/* Writes the table with options o into out (an exact-size heap copy, so ASan sees over-reads). */
static uint8_t *write_tbl(size_t nrows, const pq_options *o, size_t *len) {
    tbl t;
    tbl_build(&t, nrows);
    lake_buf b;
    lake_buf_init(&b);
    lake_error err = {0};
    lake_rc rc = pq_write_table(t.cols, 5, NULL, nrows, o, &b, &err);
    if (rc)
        fprintf(stderr, "  pq_write_table: %s\n", err.msg);
    CHECK_EQ_INT(rc, LAKE_OK);
    uint8_t *copy = malloc(b.len ? b.len : 1);
    memcpy(copy, b.data, b.len);
    *len = b.len;
    lake_buf_free(&b);
    tbl_free(&t);
    return copy;
}

static void value_text(const pq_schema_elem *leaf, const pq_str *s, char *buf, size_t size) {
    pq_value v;
    CHECK(s->ptr != NULL);
    if (!s->ptr) {
        snprintf(buf, size, "(absent)");
        return;
    }
    pq_value_decode(leaf, (const uint8_t *)s->ptr, s->len, &v);
    switch (v.kind) {
    case PQ_VAL_INT:
        snprintf(buf, size, "%lld", (long long)v.i);
        break;
    case PQ_VAL_DOUBLE:
        snprintf(buf, size, "%g", v.d);
        break;
    case PQ_VAL_STRING:
        snprintf(buf, size, "%.*s", (int)v.n, (const char *)v.p);
        break;
    default:
        snprintf(buf, size, "%s", v.text);
    }
}

/* Reads every chunk's pages; returns the number of chunks with a dictionary page. */
static int scan_all(const uint8_t *f, size_t len, const pq_file_meta *m, bool expect_ok) {
    int dicts = 0;
    for (size_t g = 0; g < m->nrow_groups; g++)
        for (size_t c = 0; c < m->row_groups[g].ncolumns; c++) {
            pq_chunk_scan sc;
            lake_error err = {0};
            lake_rc rc = pq_scan_chunk(f, len, &m->row_groups[g].columns[c], &sc, &err);
            if (expect_ok) {
                if (rc)
                    fprintf(stderr, "  scan: %s\n", err.msg);
                CHECK_EQ_INT(rc, LAKE_OK);
                CHECK(sc.data_pages >= 1);
                CHECK_EQ_INT(sc.values, m->row_groups[g].columns[c].num_values);
            } else if (rc) {
                CHECK(err.msg[0] != 0);
            }
            dicts += !rc && sc.has_dictionary;
        }
    return dicts;
}

UNIT_TEST(pqread_reads_back_what_the_writer_wrote) {
    pq_options o;
    pq_options_default(&o);
    o.created_by = "lake test";
    size_t len;
    uint8_t *f = write_tbl(100, &o, &len);
    pq_file_meta *m = NULL;
    lake_error err = {0};
    lake_rc rc = pq_read_footer(f, len, &m, &err);
    if (rc)
        fprintf(stderr, "  %s\n", err.msg);
    CHECK_EQ_INT(rc, LAKE_OK);
    if (!m) {
        free(f);
        return;
    }
    CHECK_EQ_INT(m->num_rows, 100);
    CHECK_EQ_STR(m->created_by.ptr, "lake test");
    CHECK_EQ_INT(m->nschema, 6);
    CHECK_EQ_STR(m->schema[0].name.ptr, "spark_schema");
    CHECK_EQ_INT(m->schema[0].num_children, 5);
    CHECK_EQ_INT(m->nleaves, 5);
    CHECK_EQ_INT(m->ncolumn_orders, 5);
    CHECK_EQ_INT(m->column_orders[0], 1);
    static const char *const names[] = {"i", "s", "d", "ts", "l"};
    static const int32_t types[] = {PQ_TYPE_INT32, PQ_TYPE_BYTE_ARRAY, PQ_TYPE_DOUBLE,
                                    PQ_TYPE_INT64, PQ_TYPE_INT64};
    for (int c = 0; c < 5; c++) {
        const pq_schema_elem *e = &m->schema[m->leaves[c]];
        CHECK_EQ_STR(e->name.ptr, names[c]);
        CHECK_EQ_STR(e->path.ptr, names[c]);
        CHECK_EQ_INT(e->type, types[c]);
        CHECK_EQ_INT(e->repetition, 1);
        CHECK_EQ_INT(e->max_def, 1);
        CHECK_EQ_INT(e->max_rep, 0);
        CHECK_EQ_INT(e->leaf_index, c);
    }
    const pq_schema_elem *s = &m->schema[2], *ts = &m->schema[4];
    CHECK_EQ_INT(s->logical.kind, PQ_LT_STRING);
    CHECK_EQ_STR(pq_converted_type_name(s->converted_type), "UTF8");
    CHECK_EQ_INT(ts->logical.kind, PQ_LT_TIMESTAMP);
    CHECK_EQ_INT(ts->logical.unit, PQ_UNIT_MICROS);
    CHECK(ts->logical.adjusted_to_utc);
    char buf[128];
    CHECK_EQ_STR(pq_logical_format(&ts->logical, buf, sizeof buf),
                 "TIMESTAMP(isAdjustedToUTC=true, unit=MICROS)");
    CHECK_EQ_STR(pq_converted_type_name(ts->converted_type), "TIMESTAMP_MICROS");
    CHECK_EQ_INT(m->schema[1].logical.kind, PQ_LT_NONE);

    CHECK_EQ_INT(m->nrow_groups, 1);
    const pq_row_group *rg = &m->row_groups[0];
    CHECK_EQ_INT(rg->num_rows, 100);
    CHECK_EQ_INT(rg->ncolumns, 5);
    int64_t prev_end = 4;
    for (int c = 0; c < 5; c++) {
        const pq_column_chunk *cc = &rg->columns[c];
        CHECK_EQ_INT(cc->npath, 1);
        CHECK_EQ_STR(cc->path[0].ptr, names[c]);
        CHECK_EQ_STR(pq_codec_name(cc->codec), "SNAPPY");
        CHECK_EQ_INT(cc->num_values, 100);
        CHECK(cc->nencodings >= 1);
        int64_t start =
            cc->dictionary_page_offset > 0 ? cc->dictionary_page_offset : cc->data_page_offset;
        CHECK_EQ_INT(start, prev_end); /* chunks follow each other */
        prev_end = start + cc->total_compressed_size;
        CHECK(cc->stats.present);
        CHECK_EQ_INT(cc->stats.null_count, c == 0 ? 14 : 0);
        /* encoding_stats only where a dictionary makes them informative */
        CHECK_EQ_INT(cc->nenc_stats > 0, cc->dictionary_page_offset > 0);
    }
    value_text(&m->schema[1], &rg->columns[0].stats.min_value, buf, sizeof buf);
    CHECK_EQ_STR(buf, "-10");
    value_text(&m->schema[1], &rg->columns[0].stats.max_value, buf, sizeof buf);
    CHECK_EQ_STR(buf, "89");
    value_text(&m->schema[2], &rg->columns[1].stats.min_value, buf, sizeof buf);
    CHECK_EQ_STR(buf, "");
    value_text(&m->schema[2], &rg->columns[1].stats.max_value, buf, sizeof buf);
    CHECK_EQ_STR(buf, "\xc3\xa9t\xc3\xa9");
    value_text(&m->schema[3], &rg->columns[2].stats.max_value, buf, sizeof buf);
    CHECK_EQ_STR(buf, "24.75");
    value_text(&m->schema[4], &rg->columns[3].stats.min_value, buf, sizeof buf);
    CHECK_EQ_STR(buf, "2018-11-01T21:01:46.796000Z");
    value_text(&m->schema[4], &rg->columns[3].stats.max_value, buf, sizeof buf);
    CHECK_EQ_STR(buf, "2018-11-01T21:01:46.895000Z");
    value_text(&m->schema[5], &rg->columns[4].stats.max_value, buf, sizeof buf);
    CHECK_EQ_STR(buf, "2000000000000");
    scan_all(f, len, m, true);
    pq_file_meta_free(m);
    free(f);
}

UNIT_TEST(pqread_sees_dictionaries_and_crcs) {
    pq_options o;
    pq_options_default(&o);
    o.dictionary = true;
    o.page_crc = true;
    o.codec = LAKE_CODEC_NONE;
    size_t len;
    uint8_t *f = write_tbl(3000, &o, &len); /* 5 distinct strings: a dictionary pays */
    pq_file_meta *m = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(pq_read_footer(f, len, &m, &err), LAKE_OK);
    if (m) {
        const pq_column_chunk *cc = &m->row_groups[0].columns[1];
        pq_chunk_scan sc;
        CHECK_EQ_INT(pq_scan_chunk(f, len, cc, &sc, &err), LAKE_OK);
        CHECK(sc.has_dictionary);
        CHECK_EQ_INT(sc.dict_entries, 5);
        CHECK(cc->dictionary_page_offset >= 4);
        CHECK_EQ_INT(sc.crc_pages, sc.pages);
        bool rle_dict = false;
        for (size_t i = 0; i < cc->nencodings; i++)
            rle_dict |= !strcmp(pq_encoding_name(cc->encodings[i]), "RLE_DICTIONARY");
        CHECK(rle_dict);
        /* A flipped bit in the page data is caught by the CRC. */
        uint8_t *g = malloc(len);
        memcpy(g, f, len);
        g[cc->data_page_offset +
          (cc->total_compressed_size - (cc->data_page_offset - cc->dictionary_page_offset)) - 1] ^=
            0x10;
        CHECK(pq_scan_chunk(g, len, cc, &sc, &err) != LAKE_OK);
        CHECK(strstr(err.msg, "CRC mismatch") != NULL);
        free(g);
    }
    pq_file_meta_free(m);
    free(f);
}

UNIT_TEST(pqread_every_truncation_is_an_error) {
    pq_options o;
    pq_options_default(&o);
    size_t len;
    uint8_t *f = write_tbl(40, &o, &len);
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, f, n);
        pq_file_meta *m = NULL;
        lake_error err = {0};
        lake_rc rc = pq_read_footer(cut, n, &m, &err);
        CHECK(rc != LAKE_OK);
        CHECK(m == NULL);
        CHECK(err.msg[0] != 0);
        free(cut);
        if (rc == LAKE_OK) {
            fprintf(stderr, "  truncation to %zu bytes accepted\n", n);
            pq_file_meta_free(m);
            break;
        }
    }
    /* Dropping leading bytes shifts every offset. */
    for (size_t k = 1; k < 64 && k < len; k++) {
        pq_file_meta *m = NULL;
        lake_error err = {0};
        CHECK(pq_read_footer(f + k, len - k, &m, &err) != LAKE_OK);
    }
    free(f);
}

UNIT_TEST(pqread_clear_messages) {
    pq_options o;
    pq_options_default(&o);
    size_t len;
    uint8_t *f = write_tbl(10, &o, &len);
    pq_file_meta *m = NULL;
    lake_error err = {0};
    uint8_t *g = malloc(len);

    memcpy(g, f, len);
    g[len - 8] = 0x40, g[len - 7] = 0xe2, g[len - 6] = 0x01, g[len - 5] = 0; /* 123456 */
    CHECK_EQ_INT(pq_read_footer(g, len, &m, &err), LAKE_ERR_PARSE);
    char want[128];
    snprintf(want, sizeof want, "footer length 123456 exceeds file size %zu", len);
    CHECK(strstr(err.msg, want) != NULL);

    memcpy(g, f, len);
    g[0] = 'X';
    CHECK_EQ_INT(pq_read_footer(g, len, &m, &err), LAKE_ERR_PARSE);
    CHECK(strstr(err.msg, "magic") != NULL);

    memcpy(g, f, len);
    memcpy(g + len - 4, "PARE", 4);
    CHECK_EQ_INT(pq_read_footer(g, len, &m, &err), LAKE_ERR_UNSUPPORTED);

    CHECK_EQ_INT(pq_read_footer(f, 11, &m, &err), LAKE_ERR_PARSE);
    CHECK(strstr(err.msg, "too short") != NULL);

    /* A footer length one byte short: decoding starts one byte late. */
    memcpy(g, f, len);
    g[len - 8]--;
    CHECK_EQ_INT(pq_read_footer(g, len, &m, &err), LAKE_ERR_PARSE);
    CHECK(strstr(err.msg, "footer") != NULL);
    free(g);
    free(f);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

UNIT_TEST(pqread_byte_flips_never_crash) {
    pq_options o;
    pq_options_default(&o);
    size_t len;
    uint8_t *f = write_tbl(60, &o, &len);
    uint32_t flen = (uint32_t)f[len - 8] | (uint32_t)f[len - 7] << 8 | (uint32_t)f[len - 6] << 16 |
                    (uint32_t)f[len - 5] << 24;
    size_t foot = len - 8 - flen;
    uint8_t *g = malloc(len);
    int accepted = 0, rejected = 0;
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(g, f, len);
        int flips = 1 + (int)(rng() % 3);
        for (int k = 0; k < flips; k++) {
            /* Mostly inside the footer, where the structure is. */
            size_t pos = rng() % 4 ? foot + rng() % (flen + 8) : rng() % len;
            g[pos] ^= (uint8_t)(1 + rng() % 255);
        }
        pq_file_meta *m = NULL;
        lake_error err = {0};
        lake_rc rc = pq_read_footer(g, len, &m, &err);
        if (rc) {
            CHECK(err.msg[0] != 0);
            CHECK(m == NULL);
            rejected++;
            continue;
        }
        accepted++;
        scan_all(g, len, m, false);
        for (size_t c = 0; c < m->nleaves; c++) {
            const pq_schema_elem *leaf = &m->schema[m->leaves[c]];
            for (size_t r = 0; r < m->nrow_groups; r++) {
                pq_value v;
                const pq_stats *st = &m->row_groups[r].columns[c].stats;
                if (st->min_value.ptr)
                    pq_value_decode(leaf, (const uint8_t *)st->min_value.ptr, st->min_value.len,
                                    &v);
            }
        }
        pq_file_meta_free(m);
    }
    CHECK(rejected > accepted); /* most flips in the structure are caught */
    free(g);
    free(f);
}

/* ---- the Thrift decoder alone ---- */

UNIT_TEST(pqread_thrift_skips_unknown_fields) {
    /* struct { 20: map<binary, list<i32>> {"ab": [1, -1]}, 21: struct { 1: set<double>{} },
     *          22: uuid, 1: i32 7 } */
    static const uint8_t buf[] = {
        0x0b, 0x28,                         /* long-form header: map, field id 20 */
        0x01, 0x89,                         /* 1 entry, binary -> list */
        0x02, 'a',  'b',  0x25, 0x02, 0x01, /* "ab" -> list<i32> [1, -1] */
        0x1c,                               /* delta 1 (21): struct */
        0x1a, 0x07, 0x00,                   /* 1: set<double> empty, stop */
        0x1d,                               /* delta 1 (22): uuid */
        1,    2,    3,    4,    5,    6,    7,  8,    9,
        10,   11,   12,   13,   14,   15,   16, 0x05, 0x02, /* 1: i32 */
        0x0e,                                               /* 7 zigzag */
        0x00};
    pq_td d;
    lake_error err = {0};
    pq_td_init(&d, buf, sizeof buf, 100, "footer", &err);
    pq_td_struct s;
    CHECK_EQ_INT(pq_td_struct_begin(&d, &s), LAKE_OK);
    int32_t got = 0;
    for (;;) {
        int16_t id;
        uint8_t t;
        lake_rc rc = pq_td_field(&d, &s, &id, &t);
        if (rc)
            fprintf(stderr, "  %s\n", err.msg);
        CHECK_EQ_INT(rc, LAKE_OK);
        if (rc || t == PQ_TC_STOP)
            break;
        if (id == 1)
            CHECK_EQ_INT(pq_td_i32(&d, t, &got), LAKE_OK);
        else
            CHECK_EQ_INT(pq_td_skip(&d, t), LAKE_OK);
    }
    CHECK_EQ_INT(got, 7);
    CHECK_EQ_INT(pq_td_pos(&d), sizeof buf);
}

/* A struct read with the wire types of its definition: field 1 an i32, 2 a bool, 3 a list. */
static const uint8_t test_wire[] = {[1] = PQ_TC_I32, [2] = PQ_TC_TRUE, [3] = PQ_TC_LIST};

/* Reads buf's struct with pq_td_next_known; returns the decoder's rc, the ids read in *ids. */
static lake_rc read_known(const uint8_t *buf, size_t n, pq_td_struct *s, unsigned *ids,
                          lake_error *err) {
    pq_td d;
    pq_td_init(&d, buf, n, 0, "footer", err);
    *ids = 0;
    if (pq_td_struct_begin(&d, s))
        return d.rc;
    int16_t id;
    uint8_t t;
    while (pq_td_next_known(&d, s, "Test", test_wire, sizeof test_wire, &id, &t)) {
        *ids |= 1u << id;
        pq_td_skip(&d, t);
    }
    if (!d.rc && !(*ids & 2))
        return pq_td_missing(&d, s, 1, "Test.count");
    return d.rc;
}

UNIT_TEST(pqread_thrift_skips_mistyped_fields) {
    /* { 1: list<i32> [5] (an i32 belongs), 2: true, 3: set<i8> {}, 4: binary "x" } */
    static const uint8_t mistyped[] = {0x19, 0x15, 0x0a, 0x11, 0x1a, 0x03, 0x18, 0x01, 'x', 0x00};
    pq_td_struct s;
    unsigned ids;
    lake_error err = {0};
    CHECK_EQ_INT(read_known(mistyped, sizeof mistyped, &s, &ids, &err), LAKE_ERR_UNSUPPORTED);
    CHECK_EQ_INT(ids, (1u << 2) | (1u << 3) | (1u << 4)); /* 1 skipped; a set fits a list */
    CHECK_EQ_INT(s.mistyped, 1u << 1);
    CHECK(strstr(err.msg, "required field Test.count (id 1) has wire type list") != NULL);
    /* { 2: true } : field 1 is missing, not mistyped: the file is corrupt */
    static const uint8_t missing[] = {0x21, 0x00};
    CHECK_EQ_INT(read_known(missing, sizeof missing, &s, &ids, &err), LAKE_ERR_PARSE);
    CHECK(strstr(err.msg, "Test lacks required field 1 (count)") != NULL);
    /* { 1: i64 3 (any integer fits an integer field), 2: i32 (not a bool: skipped) } */
    static const uint8_t ints[] = {0x16, 0x06, 0x15, 0x02, 0x00};
    CHECK_EQ_INT(read_known(ints, sizeof ints, &s, &ids, &err), LAKE_OK);
    CHECK_EQ_INT(ids, 1u << 1);
    CHECK_EQ_INT(s.mistyped, 1u << 2);
}

static lake_rc decode_one_i64(const uint8_t *buf, size_t n, int64_t *v, lake_error *err) {
    pq_td d;
    pq_td_init(&d, buf, n, 0, "footer", err);
    return pq_td_i64(&d, PQ_TC_I64, v);
}

UNIT_TEST(pqread_thrift_limits) {
    lake_error err = {0};
    int64_t v;
    /* The largest i64 varint is 10 bytes with a final 0x01. */
    static const uint8_t max[] = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    CHECK_EQ_INT(decode_one_i64(max, sizeof max, &v, &err), LAKE_OK);
    CHECK(v == INT64_MAX);
    static const uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    CHECK_EQ_INT(decode_one_i64(over, sizeof over, &v, &err), LAKE_ERR_PARSE);
    CHECK(strstr(err.msg, "overflows") != NULL);
    static const uint8_t longer[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                     0x80, 0x80, 0x80, 0x80, 0x00};
    CHECK_EQ_INT(decode_one_i64(longer, sizeof longer, &v, &err), LAKE_ERR_PARSE);
    static const uint8_t cut[] = {0x80, 0x80};
    CHECK_EQ_INT(decode_one_i64(cut, sizeof cut, &v, &err), LAKE_ERR_PARSE);
    CHECK(strstr(err.msg, "truncated footer at byte 2") != NULL);

    /* i32 field holding a value past 2^31 */
    pq_td d;
    int32_t i32;
    static const uint8_t big[] = {0x80, 0x80, 0x80, 0x80, 0x10};
    pq_td_init(&d, big, sizeof big, 0, "footer", &err);
    CHECK_EQ_INT(pq_td_i32(&d, PQ_TC_I32, &i32), LAKE_ERR_PARSE);

    /* A list announcing more elements than bytes remain. */
    static const uint8_t list[] = {0xf5, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00};
    uint8_t et;
    uint32_t n;
    pq_td_init(&d, list, sizeof list, 50, "footer", &err);
    CHECK_EQ_INT(pq_td_list(&d, PQ_TC_LIST, &et, &n), LAKE_ERR_PARSE);
    CHECK(strstr(err.msg, "truncated footer at byte 56") != NULL);

    /* Nesting: 100 nested struct fields. */
    uint8_t deep[200];
    for (int i = 0; i < 100; i++)
        deep[i] = 0x1c; /* field 1: struct */
    memset(deep + 100, 0, 100);
    pq_td_init(&d, deep, sizeof deep, 0, "footer", &err);
    CHECK_EQ_INT(pq_td_skip(&d, PQ_TC_STRUCT), LAKE_ERR_PARSE);
    CHECK(strstr(err.msg, "nested deeper") != NULL);

    /* Nested lists count too. */
    uint8_t lists[100];
    memset(lists, 0x19, sizeof lists); /* list of 1 list of 1 list ... */
    pq_td_init(&d, lists, sizeof lists, 0, "footer", &err);
    CHECK_EQ_INT(pq_td_skip(&d, PQ_TC_LIST), LAKE_ERR_PARSE);

    /* A binary longer than the buffer. */
    static const uint8_t bin[] = {0x10, 'a', 'b'};
    const uint8_t *p;
    size_t bn;
    pq_td_init(&d, bin, sizeof bin, 0, "footer", &err);
    CHECK_EQ_INT(pq_td_binary(&d, PQ_TC_BINARY, &p, &bn), LAKE_ERR_PARSE);

    /* A field header with a delta but the stop type. */
    static const uint8_t stopish[] = {0x10, 0x00};
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    pq_td_init(&d, stopish, sizeof stopish, 0, "footer", &err);
    CHECK_EQ_INT(pq_td_struct_begin(&d, &s), LAKE_OK);
    CHECK_EQ_INT(pq_td_field(&d, &s, &id, &t), LAKE_ERR_PARSE);
    CHECK(strstr(err.msg, "invalid type") != NULL);

    /* Type mismatch for a known field. */
    pq_td_init(&d, bin, sizeof bin, 0, "footer", &err);
    CHECK_EQ_INT(pq_td_i32(&d, PQ_TC_BINARY, &i32), LAKE_ERR_PARSE);
    CHECK(strstr(err.msg, "expected an i32, found binary") != NULL);
}

/* ---- value decoding ---- */

static void decode(const pq_schema_elem *e, const void *p, size_t n, pq_value *v) {
    pq_value_decode(e, p, n, v);
}

UNIT_TEST(pqread_values) {
    pq_schema_elem e;
    pq_value v;
    memset(&e, 0, sizeof e);
    e.converted_type = -1;
    e.type = PQ_TYPE_INT64;
    e.logical.kind = PQ_LT_TIMESTAMP;
    e.logical.unit = PQ_UNIT_MICROS;
    e.logical.adjusted_to_utc = true;
    int64_t x = -1;
    decode(&e, &x, 8, &v);
    CHECK_EQ_INT(v.kind, PQ_VAL_TIMESTAMP);
    CHECK_EQ_STR(v.text, "1969-12-31T23:59:59.999999Z");
    CHECK_EQ_INT(v.i, -1);
    x = INT64_MIN;
    decode(&e, &x, 8, &v);
    CHECK_EQ_STR(v.text, "-290308-12-21T19:59:05.224192Z");
    e.logical.unit = PQ_UNIT_MILLIS;
    e.logical.adjusted_to_utc = false;
    x = 951782400000LL; /* 2000-02-29 */
    decode(&e, &x, 8, &v);
    CHECK_EQ_STR(v.text, "2000-02-29T00:00:00.000");

    e.logical.kind = PQ_LT_NONE;
    e.type = PQ_TYPE_INT32;
    e.converted_type = 6; /* DATE */
    int32_t days = 17836;
    decode(&e, &days, 4, &v);
    CHECK_EQ_STR(v.text, "2018-11-01");

    e.converted_type = -1;
    e.logical.kind = PQ_LT_DECIMAL;
    e.logical.scale = 2;
    int32_t cents = -1234;
    decode(&e, &cents, 4, &v);
    CHECK_EQ_STR(v.text, "-12.34");
    cents = 5;
    decode(&e, &cents, 4, &v);
    CHECK_EQ_STR(v.text, "0.05");

    e.type = PQ_TYPE_FIXED_LEN_BYTE_ARRAY;
    static const uint8_t be[] = {0xff, 0xfe}; /* -2 */
    decode(&e, be, 2, &v);
    CHECK_EQ_STR(v.text, "-0.02");

    e.logical.kind = PQ_LT_INTEGER;
    e.logical.is_signed = false;
    e.type = PQ_TYPE_INT32;
    int32_t u = -1;
    decode(&e, &u, 4, &v);
    CHECK_EQ_INT(v.kind, PQ_VAL_UINT);
    CHECK(v.u == 4294967295u);

    /* INT96 (Impala): Julian day 2458424 = 2018-11-01, 1 second and 5 ns into the day */
    memset(&e, 0, sizeof e);
    e.converted_type = -1;
    e.type = PQ_TYPE_INT96;
    uint8_t i96[12] = {0};
    uint64_t ns = 1000000005ULL;
    for (int k = 0; k < 8; k++)
        i96[k] = (uint8_t)(ns >> (8 * k));
    uint32_t jd = 2458424;
    for (int k = 0; k < 4; k++)
        i96[8 + k] = (uint8_t)(jd >> (8 * k));
    decode(&e, i96, 12, &v);
    CHECK_EQ_STR(v.text, "2018-11-01T00:00:01.000000005Z");
    CHECK(v.has_raw);
    CHECK_EQ_INT(v.i, 1541030401000000005LL);

    e.type = PQ_TYPE_BYTE_ARRAY;
    decode(&e, "\xff\xfe", 2, &v);
    CHECK_EQ_INT(v.kind, PQ_VAL_BYTES);
    decode(&e, "ok", 2, &v);
    CHECK_EQ_INT(v.kind, PQ_VAL_STRING);
    e.type = PQ_TYPE_DOUBLE;
    decode(&e, "abc", 3, &v); /* wrong size */
    CHECK_EQ_INT(v.kind, PQ_VAL_BYTES);
}

UNIT_TEST(pqread_timestamp_layouts) {
    static const pq_ts_type layouts[] = {PQ_TS_MILLIS, PQ_TS_INT96};
    for (int k = 0; k < 2; k++) {
        pq_options o;
        pq_options_default(&o);
        o.timestamp_type = layouts[k];
        size_t len;
        uint8_t *f = write_tbl(20, &o, &len);
        pq_file_meta *m = NULL;
        lake_error err = {0};
        lake_rc rc = pq_read_footer(f, len, &m, &err);
        if (rc)
            fprintf(stderr, "  %s\n", err.msg);
        CHECK_EQ_INT(rc, LAKE_OK);
        if (m) {
            const pq_schema_elem *ts = &m->schema[4];
            const pq_stats *st = &m->row_groups[0].columns[3].stats;
            scan_all(f, len, m, true);
            char buf[128];
            if (layouts[k] == PQ_TS_MILLIS) {
                CHECK_EQ_INT(ts->type, PQ_TYPE_INT64);
                CHECK_EQ_INT(ts->logical.unit, PQ_UNIT_MILLIS);
                value_text(ts, &st->min_value, buf, sizeof buf);
                CHECK_EQ_STR(buf, "2018-11-01T21:01:46.796Z");
            } else {
                CHECK_EQ_INT(ts->type, PQ_TYPE_INT96);
                if (st->min_value.ptr) { /* INT96 statistics are optional */
                    value_text(ts, &st->min_value, buf, sizeof buf);
                    CHECK_EQ_STR(buf, "2018-11-01T21:01:46.796000000Z");
                }
            }
        }
        pq_file_meta_free(m);
        free(f);
    }
}
