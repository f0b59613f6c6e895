/* Whole files from pq_write_table, checked by decoding the footer and pages with a small
 * independent Thrift compact decoder that builds a tree of (field id, value) nodes. */
#include "unit.h"

#include "lake/codec.h"
#include "lake/parquet.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* ---- a generic compact-protocol decoder, written from the spec, separate from the encoder ---- */

#define MAX_NODES 20000

typedef struct {
    int type;  /* compact type code; 1 = bool (value in i) */
    int id;    /* field id, or element index inside a list */
    int64_t i; /* integers and bools */
    const uint8_t *p;
    size_t n;        /* binary */
    int first, next; /* children and siblings as node indices; -1 = none */
} tnode;

static tnode nodes[MAX_NODES];
static int nnodes;
static const uint8_t *rp, *rend;
static int bad;

static uint64_t rd_varint(void) {
    uint64_t v = 0;
    for (int shift = 0; rp < rend && shift < 64; shift += 7) {
        uint8_t b = *rp++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    bad = 1;
    return 0;
}

static int64_t rd_zigzag(void) {
    uint64_t u = rd_varint();
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static int new_node(int type, int id) {
    if (nnodes == MAX_NODES) {
        bad = 1;
        return 0;
    }
    tnode *t = &nodes[nnodes];
    memset(t, 0, sizeof *t);
    t->type = type;
    t->id = id;
    t->first = t->next = -1;
    return nnodes++;
}

static void rd_value(int node);

static void add_child(int parent, int child, int *last) {
    if (*last < 0)
        nodes[parent].first = child;
    else
        nodes[*last].next = child;
    *last = child;
}

static void rd_struct(int node) {
    int id = 0, last = -1;
    while (!bad && rp < rend) {
        uint8_t h = *rp++;
        if (h == 0)
            return;
        int type = h & 0x0f;
        id = (h >> 4) ? id + (h >> 4) : (int)rd_zigzag();
        int child = new_node(type == 2 ? 1 : type, id);
        if (type == 1 || type == 2)
            nodes[child].i = type == 1;
        else
            rd_value(child);
        add_child(node, child, &last);
    }
    bad = 1;
}

static void rd_list(int node) {
    uint8_t h = rp < rend ? *rp++ : 0;
    int etype = h & 0x0f, last = -1;
    size_t n = h >> 4;
    if (n == 15)
        n = rd_varint();
    for (size_t k = 0; k < n && !bad; k++) {
        int child = new_node(etype == 2 ? 1 : etype, (int)k);
        if (etype == 1 || etype == 2)
            nodes[child].i = rp < rend && *rp++ == 1;
        else
            rd_value(child);
        add_child(node, child, &last);
    }
}

static void rd_value(int node) {
    switch (nodes[node].type) {
    case 3:
        nodes[node].i = rp < rend ? (int8_t)*rp++ : 0;
        break;
    case 4:
    case 5:
    case 6:
        nodes[node].i = rd_zigzag();
        break;
    case 8:
        nodes[node].n = rd_varint();
        nodes[node].p = rp;
        if (nodes[node].n > (size_t)(rend - rp))
            bad = 1;
        else
            rp += nodes[node].n;
        break;
    case 9:
        rd_list(node);
        break;
    case 12:
        rd_struct(node);
        break;
    default:
        bad = 1;
    }
}

/* Decodes one struct starting at p; returns its root node and sets *used to its length. */
static int decode(const uint8_t *p, size_t n, size_t *used) {
    nnodes = 0;
    bad = 0;
    rp = p;
    rend = p + n;
    int root = new_node(12, 0);
    rd_struct(root);
    if (used)
        *used = (size_t)(rp - p);
    CHECK(!bad);
    return root;
}

/* Follows field ids / list indices; -1 when absent. */
static int at(int node, int nargs, ...) {
    va_list ap;
    va_start(ap, nargs);
    for (int k = 0; k < nargs && node >= 0; k++) {
        int id = va_arg(ap, int), c = nodes[node].first;
        while (c >= 0 && nodes[c].id != id)
            c = nodes[c].next;
        node = c;
    }
    va_end(ap);
    return node;
}

static int64_t ival(int node) {
    return node >= 0 ? nodes[node].i : -999999;
}

static int count(int node) {
    int n = 0;
    for (int c = node >= 0 ? nodes[node].first : -1; c >= 0; c = nodes[c].next)
        n++;
    return n;
}

#define CHECK_BIN(node, bytes, len)                                                                \
    do {                                                                                           \
        int nd_ = (node);                                                                          \
        CHECK(nd_ >= 0);                                                                           \
        if (nd_ >= 0)                                                                              \
            CHECK_EQ_MEM(nodes[nd_].p, nodes[nd_].n, (bytes), (len));                              \
    } while (0)

/* ---- helpers for building tables ---- */

static lake_buf file;
static bool plain_only; /* PLAIN values only: no dictionary, no delta */

static int write_file(const lake_col *const *cols, size_t ncols, const uint32_t *rows, size_t nrows,
                      lake_codec codec) {
    pq_options o;
    lake_error err = {0};
    pq_options_default(&o);
    o.codec = codec;
    if (plain_only)
        o.dictionary = o.delta = false;
    lake_buf_free(&file);
    lake_rc rc = pq_write_table(cols, ncols, rows, nrows, &o, &file, &err);
    if (rc)
        fprintf(stderr, "  pq_write_table: %s\n", err.msg);
    return rc;
}

/* Checks the magic and the length word; returns the footer's root node. */
static int footer(void) {
    CHECK(file.len >= 12);
    CHECK_EQ_MEM(file.data, 4, "PAR1", 4);
    CHECK_EQ_MEM(file.data + file.len - 4, 4, "PAR1", 4);
    const uint8_t *t = file.data + file.len - 8;
    size_t flen = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
    CHECK(flen + 12 <= file.len);
    size_t used = 0;
    int root = decode(file.data + file.len - 8 - flen, flen, &used);
    CHECK_EQ_INT(used, flen);
    return root;
}

static void put_le64(uint8_t *b, uint64_t v) {
    for (int k = 0; k < 8; k++)
        b[k] = (uint8_t)(v >> (8 * k));
}

UNIT_TEST(parquet_file_footer_structure) {
    lake_col ci, cs, cd, ct, cl;
    lake_col_init(&ci, "i", LAKE_T_INT32);
    lake_col_init(&cs, "s", LAKE_T_STRING);
    lake_col_init(&cd, "d", LAKE_T_DOUBLE);
    lake_col_init(&ct, "ts", LAKE_T_TIMESTAMP_US);
    lake_col_init(&cl, "l", LAKE_T_INT64);
    lake_col_push_i32(&ci, 5);
    lake_col_push_null(&ci);
    lake_col_push_i32(&ci, -3);
    lake_col_push_str(&cs, "b", 1);
    lake_col_push_str(&cs, "", 0);
    lake_col_push_str(&cs, "\xc3\xa9", 2); /* é sorts after "b" as unsigned bytes */
    lake_col_push_f64(&cd, 0.0);
    lake_col_push_f64(&cd, NAN);
    lake_col_push_f64(&cd, -0.0);
    lake_col_push_null(&ct);
    lake_col_push_i64(&ct, 1541105830796000LL);
    lake_col_push_null(&ct);
    lake_col_push_i64(&cl, INT64_MIN);
    lake_col_push_i64(&cl, INT64_MAX);
    lake_col_push_i64(&cl, 0);
    const lake_col *cols[] = {&ci, &cs, &cd, &ct, &cl};
    CHECK_EQ_INT(write_file(cols, 5, NULL, 3, LAKE_CODEC_NONE), LAKE_OK);
    int r = footer();

    CHECK_EQ_INT(ival(at(r, 1, 1)), 1);       /* version */
    CHECK_EQ_INT(count(at(r, 1, 2)), 6);      /* schema: root + 5 leaves */
    CHECK_EQ_INT(ival(at(r, 3, 2, 0, 5)), 5); /* root num_children */
    CHECK(at(r, 3, 2, 0, 3) < 0);             /* root has no repetition */
    CHECK_EQ_INT(ival(at(r, 3, 2, 1, 1)), 1); /* INT32 */
    CHECK_EQ_INT(ival(at(r, 3, 2, 1, 3)), 1); /* OPTIONAL */
    CHECK_BIN(at(r, 3, 2, 1, 4), "i", 1);
    CHECK_EQ_INT(ival(at(r, 3, 2, 2, 1)), 6); /* BYTE_ARRAY */
    CHECK_EQ_INT(ival(at(r, 3, 2, 2, 6)), 0); /* UTF8 */
    CHECK(at(r, 4, 2, 2, 10, 1) >= 0);        /* LogicalType STRING */
    CHECK_EQ_INT(ival(at(r, 3, 2, 3, 1)), 5); /* DOUBLE */
    CHECK(at(r, 3, 2, 3, 10) < 0);
    CHECK_EQ_INT(ival(at(r, 3, 2, 4, 1)), 2);        /* INT64 */
    CHECK_EQ_INT(ival(at(r, 3, 2, 4, 6)), 10);       /* TIMESTAMP_MICROS */
    CHECK_EQ_INT(ival(at(r, 5, 2, 4, 10, 8, 1)), 1); /* isAdjustedToUTC */
    CHECK(at(r, 6, 2, 4, 10, 8, 2, 2) >= 0);         /* unit MICROS */
    CHECK_EQ_INT(ival(at(r, 1, 3)), 3);              /* num_rows */
    CHECK_EQ_INT(count(at(r, 1, 4)), 1);             /* one row group */
    CHECK_BIN(at(r, 1, 6), "lake version " LAKE_VERSION " (build unknown)",
              strlen("lake version " LAKE_VERSION " (build unknown)"));
    CHECK_EQ_INT(count(at(r, 1, 7)), 5);
    for (int i = 0; i < 5; i++)
        CHECK(at(r, 3, 7, i, 1) >= 0); /* TYPE_ORDER */

    int rg = at(r, 2, 4, 0);
    CHECK_EQ_INT(ival(at(rg, 1, 3)), 3);
    CHECK_EQ_INT(ival(at(rg, 1, 5)), 4); /* file_offset: first page, right after the magic */
    int64_t raw = 0, comp = 0, expect_off = 4;
    for (int i = 0; i < 5; i++) {
        int md = at(rg, 3, 1, i, 3);
        CHECK_EQ_INT(ival(at(md, 1, 4)), 0); /* UNCOMPRESSED */
        CHECK_EQ_INT(ival(at(md, 1, 5)), 3);
        CHECK_EQ_INT(ival(at(md, 1, 9)), expect_off); /* chunks back to back */
        CHECK_EQ_INT(count(at(md, 1, 2)), 2);         /* PLAIN, RLE */
        CHECK_EQ_INT(ival(at(md, 2, 2, 0)), 0);
        CHECK_EQ_INT(ival(at(md, 2, 2, 1)), 3);
        CHECK_EQ_INT(count(at(md, 1, 3)), 1);
        CHECK_EQ_INT(ival(at(md, 1, 6)), ival(at(md, 1, 7)));
        expect_off += ival(at(md, 1, 7));
        raw += ival(at(md, 1, 6));
        comp += ival(at(md, 1, 7));
    }
    CHECK_EQ_INT(ival(at(rg, 1, 2)), raw);
    CHECK_EQ_INT(ival(at(rg, 1, 6)), comp);

    /* Statistics: int32 signed, with legacy fields too. */
    int s0 = at(rg, 4, 1, 0, 3, 12);
    CHECK_EQ_INT(ival(at(s0, 1, 3)), 1);
    CHECK_BIN(at(s0, 1, 6), "\xfd\xff\xff\xff", 4);
    CHECK_BIN(at(s0, 1, 5), "\x05\x00\x00\x00", 4);
    CHECK_BIN(at(s0, 1, 2), "\xfd\xff\xff\xff", 4);
    CHECK_BIN(at(s0, 1, 1), "\x05\x00\x00\x00", 4);
    CHECK(at(s0, 1, 9) < 0); /* nan_count only for doubles */
    /* Strings: unsigned byte order, no legacy fields. */
    int s1 = at(rg, 4, 1, 1, 3, 12);
    CHECK_EQ_INT(ival(at(s1, 1, 3)), 0);
    CHECK_BIN(at(s1, 1, 6), "", 0);
    CHECK_BIN(at(s1, 1, 5), "\xc3\xa9", 2);
    CHECK(at(s1, 1, 1) < 0 && at(s1, 1, 2) < 0);
    /* Doubles: NaN left out and counted; zero bounds are -0.0 and +0.0. */
    int s2 = at(rg, 4, 1, 2, 3, 12);
    uint8_t negz[8], posz[8];
    put_le64(negz, 0x8000000000000000ULL);
    put_le64(posz, 0);
    CHECK_BIN(at(s2, 1, 6), negz, 8);
    CHECK_BIN(at(s2, 1, 5), posz, 8);
    CHECK_EQ_INT(ival(at(s2, 1, 9)), 1);
    /* Timestamps and int64 extremes. */
    int s3 = at(rg, 4, 1, 3, 3, 12);
    uint8_t tsb[8];
    put_le64(tsb, 1541105830796000ULL);
    CHECK_EQ_INT(ival(at(s3, 1, 3)), 2);
    CHECK_BIN(at(s3, 1, 6), tsb, 8);
    CHECK_BIN(at(s3, 1, 5), tsb, 8);
    int s4 = at(rg, 4, 1, 4, 3, 12);
    CHECK_BIN(at(s4, 1, 6), "\x00\x00\x00\x00\x00\x00\x00\x80", 8);
    CHECK_BIN(at(s4, 1, 5), "\xff\xff\xff\xff\xff\xff\xff\x7f", 8);

    /* The first page of column i: header, def levels 1,0,1 bit-packed, two PLAIN int32s. */
    size_t hlen = 0;
    int ph = decode(file.data + 4, file.len - 4, &hlen);
    CHECK_EQ_INT(ival(at(ph, 1, 1)), 0); /* DATA_PAGE */
    CHECK_EQ_INT(ival(at(ph, 1, 2)), 4 + 2 + 8);
    CHECK_EQ_INT(ival(at(ph, 2, 5, 1)), 3);
    CHECK_EQ_INT(ival(at(ph, 2, 5, 2)), 0);
    CHECK_EQ_INT(ival(at(ph, 2, 5, 3)), 3);
    static const uint8_t body[] = {2, 0, 0, 0, 0x03, 0x05, 5, 0, 0, 0, 0xfd, 0xff, 0xff, 0xff};
    CHECK_EQ_MEM(file.data + 4 + hlen, sizeof body, body, sizeof body);

    lake_col_free(&ci);
    lake_col_free(&cs);
    lake_col_free(&cd);
    lake_col_free(&ct);
    lake_col_free(&cl);
    lake_buf_free(&file);
}

UNIT_TEST(parquet_file_no_minmax_when_all_nan_or_null) {
    lake_col cd, cs;
    lake_col_init(&cd, "d", LAKE_T_DOUBLE);
    lake_col_init(&cs, "s", LAKE_T_STRING);
    lake_col_push_f64(&cd, NAN);
    lake_col_push_null(&cd);
    lake_col_push_null(&cs);
    lake_col_push_null(&cs);
    const lake_col *cols[] = {&cd, &cs};
    CHECK_EQ_INT(write_file(cols, 2, NULL, 2, LAKE_CODEC_SNAPPY), LAKE_OK);
    int r = footer();
    int s0 = at(r, 6, 4, 0, 1, 0, 3, 12);
    CHECK_EQ_INT(ival(at(s0, 1, 3)), 1);
    CHECK_EQ_INT(ival(at(s0, 1, 9)), 1);
    CHECK(at(s0, 1, 5) < 0 && at(s0, 1, 6) < 0 && at(s0, 1, 1) < 0 && at(s0, 1, 2) < 0);
    int s1 = at(r, 6, 4, 0, 1, 1, 3, 12);
    CHECK_EQ_INT(ival(at(s1, 1, 3)), 2);
    CHECK(at(s1, 1, 5) < 0 && at(s1, 1, 6) < 0);
    CHECK_EQ_INT(ival(at(r, 6, 4, 0, 1, 0, 3, 4)), 1); /* SNAPPY */
    lake_col_free(&cd);
    lake_col_free(&cs);
    lake_buf_free(&file);
}

UNIT_TEST(parquet_file_zero_rows) {
    lake_col c;
    lake_col_init(&c, "x", LAKE_T_STRING);
    const lake_col *cols[] = {&c};
    CHECK_EQ_INT(write_file(cols, 1, NULL, 0, LAKE_CODEC_SNAPPY), LAKE_OK);
    int r = footer();
    CHECK_EQ_INT(ival(at(r, 1, 3)), 0);
    CHECK_EQ_INT(count(at(r, 1, 4)), 0);
    CHECK_EQ_INT(count(at(r, 1, 2)), 2);
    lake_col_free(&c);
    lake_buf_free(&file);
}

/* Walks every page of a chunk, decompressing, and returns the sum of their value counts. */
static int64_t walk_pages(int64_t off, int64_t total, lake_codec codec, int64_t *first_value) {
    int64_t values = 0, end = off + total;
    int pages = 0;
    while (off < end) {
        size_t hlen = 0;
        int ph = decode(file.data + off, (size_t)(end - off), &hlen);
        int64_t raw = ival(at(ph, 1, 2)), comp = ival(at(ph, 1, 3));
        lake_buf body = {0};
        lake_error err = {0};
        CHECK_EQ_INT(
            lake_decompress(codec, file.data + off + hlen, (size_t)comp, (size_t)raw, &body, &err),
            LAKE_OK);
        if (pages == 0 && body.len >= 14) { /* 4-byte length + one RLE run of 1s */
            uint32_t lvl = (uint32_t)body.data[0];
            int64_t v = 0;
            memcpy(&v, body.data + 4 + lvl, 8);
            *first_value = v;
        }
        lake_buf_free(&body);
        values += ival(at(ph, 2, 5, 1));
        off += (int64_t)hlen + comp;
        pages++;
    }
    CHECK_EQ_INT(off, end);
    CHECK_EQ_INT(pages, 3);
    return values;
}

UNIT_TEST(parquet_file_pages_and_row_order) {
    size_t n = 50000;
    lake_col c;
    lake_col_init(&c, "v", LAKE_T_INT64);
    uint32_t *rows = malloc(n * sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        lake_col_push_i64(&c, (int64_t)i * 3);
        rows[i] = (uint32_t)(n - 1 - i); /* reverse order */
    }
    const lake_col *cols[] = {&c};
    static const lake_codec codecs[] = {LAKE_CODEC_ZSTD, LAKE_CODEC_GZIP, LAKE_CODEC_LZ4_RAW};
    plain_only = true;
    for (int k = 0; k < 3; k++) {
        CHECK_EQ_INT(write_file(cols, 1, rows, n, codecs[k]), LAKE_OK);
        int r = footer();
        int md = at(r, 5, 4, 0, 1, 0, 3);
        int64_t off = ival(at(md, 1, 9)), total = ival(at(md, 1, 7));
        int64_t first = -1;
        CHECK_EQ_INT(walk_pages(off, total, codecs[k], &first), (int64_t)n);
        CHECK_EQ_INT(first, (int64_t)(n - 1) * 3);
        r = footer(); /* walk_pages reused the node pool */
        CHECK_EQ_INT(ival(at(r, 1, 3)), (int64_t)n);
    }
    plain_only = false;
    free(rows);
    lake_col_free(&c);
    lake_buf_free(&file);
}

UNIT_TEST(parquet_file_rejects_bad_input) {
    lake_col a, b;
    lake_error err = {0};
    lake_buf out = {0};
    lake_col_init(&a, "a", LAKE_T_INT32);
    lake_col_init(&b, "a", LAKE_T_INT32);
    lake_col_push_i32(&a, 1);
    lake_col_push_i32(&b, 1);
    const lake_col *dup[] = {&a, &b};
    CHECK_EQ_INT(pq_write_table(dup, 2, NULL, 1, NULL, &out, &err), LAKE_ERR_INVALID_ARG);
    const lake_col *one[] = {&a};
    static const uint32_t rows[] = {0, 1};
    CHECK_EQ_INT(pq_write_table(one, 1, rows, 2, NULL, &out, &err), LAKE_ERR_INVALID_ARG);
    CHECK_EQ_INT(pq_write_table(one, 1, NULL, 2, NULL, &out, &err), LAKE_ERR_INVALID_ARG);
    CHECK_EQ_INT(pq_write_table(one, 0, NULL, 0, NULL, &out, &err), LAKE_ERR_INVALID_ARG);
    CHECK_EQ_INT(out.len, 0);
    /* Appending to a non-empty buffer: offsets stay relative to the file's start. */
    lake_buf_append(&out, "junk", 4);
    CHECK_EQ_INT(pq_write_table(one, 1, rows, 1, NULL, &out, &err), LAKE_OK);
    CHECK_EQ_MEM(out.data + 4, 4, "PAR1", 4);
    lake_buf_free(&out);
    lake_col_free(&a);
    lake_col_free(&b);
}

UNIT_TEST(parquet_codec_names) {
    lake_codec c = LAKE_CODEC_NONE;
    lake_error err = {0};
    CHECK_EQ_INT(pq_codec_parse("SNAPPY", &c, &err), LAKE_OK);
    CHECK_EQ_INT(c, LAKE_CODEC_SNAPPY);
    CHECK_EQ_INT(pq_codec_parse("uncompressed", &c, &err), LAKE_OK);
    CHECK_EQ_INT(c, LAKE_CODEC_NONE);
    CHECK_EQ_INT(pq_codec_parse("Lz4_Raw", &c, &err), LAKE_OK);
    CHECK_EQ_INT(c, LAKE_CODEC_LZ4_RAW);
    CHECK_EQ_INT(pq_codec_parse("gzip", &c, &err), LAKE_OK);
    CHECK_EQ_INT(c, LAKE_CODEC_GZIP);
    CHECK_EQ_INT(pq_codec_parse("brotli", &c, &err), LAKE_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "lz4_raw") != NULL);
    CHECK_EQ_STR(pq_codec_file_tag(LAKE_CODEC_SNAPPY), "snappy");
    CHECK_EQ_STR(pq_codec_file_tag(LAKE_CODEC_GZIP), "gz");
    CHECK_EQ_STR(pq_codec_file_tag(LAKE_CODEC_ZSTD), "zstd");
    CHECK_EQ_STR(pq_codec_file_tag(LAKE_CODEC_LZ4_RAW), "lz4raw");
    CHECK(pq_codec_file_tag(LAKE_CODEC_NONE) == NULL);
    pq_options o;
    pq_options_default(&o);
    CHECK_EQ_INT(o.codec, LAKE_CODEC_SNAPPY);
}

/* ---- a dictionary that overflows in the middle of a chunk written in slices ---- */

/* Decodes n values of the RLE/bit-packed hybrid at p (Encodings.md) into out; returns how many
 * it found before the bytes ran out. */
static size_t rle_decode(const uint8_t *p, const uint8_t *end, int bw, uint32_t *out, size_t n) {
    size_t got = 0;
    while (got < n && p < end) {
        uint64_t h = 0;
        for (int s = 0; p < end; s += 7) {
            h |= (uint64_t)(*p & 0x7f) << s;
            if (!(*p++ & 0x80))
                break;
        }
        if (h & 1) { /* bit-packed groups of 8, first value in the lowest bits */
            size_t count = (size_t)(h >> 1) * 8;
            for (size_t i = 0; i < count; i++) {
                uint32_t v = 0;
                for (int b = 0; b < bw; b++) {
                    size_t bit = i * (size_t)bw + (size_t)b;
                    if (p + bit / 8 < end && (p[bit / 8] >> (bit % 8) & 1))
                        v |= 1u << b;
                }
                if (got < n)
                    out[got++] = v;
            }
            p += (size_t)(h >> 1) * (size_t)bw;
        } else { /* a run: count, then the value in ceil(bw / 8) bytes */
            uint32_t v = 0;
            for (int b = 0; b < (bw + 7) / 8 && p < end; b++)
                v |= (uint32_t)*p++ << (8 * b);
            for (uint64_t i = 0; i < (h >> 1) && got < n; i++)
                out[got++] = v;
        }
    }
    return got;
}

/* Reads back the string column chunk whose metadata is node md of the footer (uncompressed
 * pages): checks every value against want (NULL ptr = null) and counts data pages per
 * encoding. */
static void read_string_chunk(int md, const lake_str *want, size_t n, int *by_enc) {
    int64_t dict_off = ival(at(md, 1, 11)), total = ival(at(md, 1, 7));
    int64_t off = at(md, 1, 11) >= 0 ? dict_off : ival(at(md, 1, 9)), end = off + total;
    lake_str *dict = NULL;
    size_t ndict = 0, row = 0;
    uint32_t *lv = malloc(n * sizeof *lv), *ix = malloc(n * sizeof *ix);
    while (off < end && row <= n) {
        size_t hlen = 0;
        int ph = decode(file.data + off, (size_t)(end - off), &hlen);
        int type = (int)ival(at(ph, 1, 1));
        int64_t size = ival(at(ph, 1, 3));
        const uint8_t *p = file.data + off + hlen, *pend = p + size;
        if (type == 2) { /* the dictionary page: PLAIN byte arrays */
            CHECK(dict == NULL);
            int64_t nd = ival(at(ph, 2, 7, 1));
            CHECK(nd > 0 && nd < (int64_t)n);
            ndict = nd > 0 && nd < (int64_t)n ? (size_t)nd : 0;
            dict = malloc((ndict ? ndict : 1) * sizeof *dict);
            for (size_t i = 0; i < ndict && p + 4 <= pend; i++) {
                uint32_t len;
                memcpy(&len, p, 4);
                dict[i] = (lake_str){(const char *)p + 4, len};
                p += 4 + len;
            }
        } else {
            size_t k = (size_t)ival(at(ph, 2, 5, 1)), nn = 0;
            int enc = (int)ival(at(ph, 2, 5, 2));
            by_enc[enc & 15]++;
            CHECK(row + k <= n);
            uint32_t llen;
            memcpy(&llen, p, 4);
            CHECK_EQ_INT(rle_decode(p + 4, p + 4 + llen, 1, lv, k), k);
            p += 4 + llen;
            for (size_t i = 0; i < k; i++)
                nn += lv[i];
            if (enc == 8) { /* RLE_DICTIONARY */
                int bw = *p++;
                CHECK_EQ_INT(rle_decode(p, pend, bw, ix, nn), nn);
            }
            for (size_t i = 0, v = 0; i < k && row + i < n; i++) {
                const lake_str *w = &want[row + i];
                if (!lv[i]) {
                    CHECK(w->ptr == NULL);
                    continue;
                }
                lake_str got = {0};
                if (enc == 8) {
                    CHECK(ix[v] < ndict);
                    if (ix[v] < ndict)
                        got = dict[ix[v]];
                    v++;
                } else {
                    CHECK_EQ_INT(enc, 0); /* PLAIN */
                    uint32_t len;
                    memcpy(&len, p, 4);
                    got = (lake_str){(const char *)p + 4, len};
                    p += 4 + len;
                }
                CHECK(w->ptr != NULL);
                if (w->ptr)
                    CHECK_EQ_MEM(got.ptr, got.len, w->ptr, w->len);
            }
            row += k;
        }
        off += (int64_t)hlen + size;
    }
    CHECK_EQ_INT(off, end);
    CHECK_EQ_INT(row, n);
    free(dict);
    free(lv);
    free(ix);
}

static lake_rc keep_bytes(void *ud, const void *data, size_t len, lake_error *err) {
    (void)err;
    lake_buf_append(ud, data, len);
    return LAKE_OK;
}

UNIT_TEST(parquet_dictionary_overflow_across_slices) {
    /* 30,000 rows of 8 values (the first page chooses a dictionary), then distinct 40-byte
     * values: the dictionary passes 1 MiB after about 24,000 of them and the rest of the chunk
     * is PLAIN. Every 13th row is null. */
    size_t n = 80000;
    static const char *const few[] = {"free", "paid", "F", "M", "NextSong", "Home", "", "x"};
    char *text = malloc(n * 48);
    lake_str *want = calloc(n, sizeof *want);
    lake_col s, id;
    lake_col_init(&s, "s", LAKE_T_STRING);
    lake_col_init(&id, "id", LAKE_T_INT64);
    for (size_t i = 0; i < n; i++) {
        lake_col_push_i64(&id, (int64_t)i);
        if (i % 13 == 7) {
            lake_col_push_null(&s);
            continue;
        }
        if (i < 30000) {
            want[i] = (lake_str){few[i % 8], (uint32_t)strlen(few[i % 8])};
        } else {
            char *t = text + i * 48;
            int len = snprintf(t, 48, "distinct-value-%08zu-abcdefghijklmnop", i * 7919);
            want[i] = (lake_str){t, (uint32_t)len};
        }
        lake_col_push_str(&s, want[i].ptr, want[i].len);
    }
    const lake_col *cols[] = {&s, &id};
    pq_options o;
    pq_options_default(&o);
    o.codec = LAKE_CODEC_NONE;
    lake_error err = {0};
    lake_buf whole;
    lake_buf_init(&whole);
    CHECK_EQ_INT(pq_write_table(cols, 2, NULL, n, &o, &whole, &err), LAKE_OK);

    /* The same rows in slices of 777, each from its own copy of the rows, then one row group. */
    lake_buf_free(&file);
    lake_col ps, pid;
    lake_col_init(&ps, "s", LAKE_T_STRING);
    lake_col_init(&pid, "id", LAKE_T_INT64);
    const lake_col *part[] = {&ps, &pid};
    pq_stream *st = NULL;
    CHECK_EQ_INT(pq_stream_open(cols, 2, &o, keep_bytes, &file, &st, &err), LAKE_OK);
    for (size_t i = 0; i < n; i++) {
        lake_col_push_from(&ps, &s, i);
        lake_col_push_from(&pid, &id, i);
        if (ps.len == 777 || i + 1 == n) {
            CHECK_EQ_INT(pq_stream_append(st, part, NULL, ps.len, &err), LAKE_OK);
            lake_col_clear(&ps);
            lake_col_clear(&pid);
        }
    }
    CHECK_EQ_INT(pq_stream_end_row_group(st, &err), LAKE_OK);
    CHECK_EQ_INT(pq_stream_close(st, NULL, &err), LAKE_OK);
    CHECK_EQ_MEM(file.data, file.len, whole.data, whole.len);

    int r = footer();
    CHECK_EQ_INT(count(at(r, 1, 4)), 1); /* one row group */
    int md = at(r, 5, 4, 0, 1, 0, 3);
    CHECK(at(md, 1, 11) >= 0); /* a dictionary page */
    int by_enc[16] = {0};
    read_string_chunk(md, want, n, by_enc);
    printf("  %d dictionary pages, %d PLAIN pages after the fallback\n", by_enc[8], by_enc[0]);
    CHECK(by_enc[8] >= 2); /* dictionary pages across several slices before the fallback */
    CHECK(by_enc[0] >= 1); /* PLAIN pages after it */
    r = footer();
    md = at(r, 5, 4, 0, 1, 0, 3);
    /* encoding_stats: the dictionary page, then data pages per encoding, as counted */
    int es = at(md, 1, 13);
    int found_dict = 0, found_plain = 0;
    for (int e = 0; e < count(es); e++) {
        int pe = at(es, 1, e);
        if (ival(at(pe, 1, 1)) == 0 && ival(at(pe, 1, 2)) == 8)
            found_dict = (int)ival(at(pe, 1, 3));
        if (ival(at(pe, 1, 1)) == 0 && ival(at(pe, 1, 2)) == 0)
            found_plain = (int)ival(at(pe, 1, 3));
    }
    CHECK_EQ_INT(found_dict, by_enc[8]);
    CHECK_EQ_INT(found_plain, by_enc[0]);
    lake_col_free(&ps);
    lake_col_free(&pid);
    lake_col_free(&s);
    lake_col_free(&id);
    lake_buf_free(&whole);
    lake_buf_free(&file);
    free(want);
    free(text);
}
