/* pq-roundtrip: writes a random table with pq_write_table and the values a reader must get back.
 *
 *   pq-roundtrip OUT.parquet OUT.json [--seed N] [--rows N] [--codec C] [--level N]
 *                [--timestamp-type micros|millis|int96] [--row-group-bytes N] [--page-rows N]
 *                [--page-bytes N] [--no-dictionary] [--no-delta] [--no-page-index] [--no-crc]
 *                [--no-spark-metadata] [--shuffle] [--slices N] [--drift]
 *
 * The table has one column of every lake type plus low-cardinality strings (level, gender,
 * location, user_agent). Values cover nulls in every position, empty and long strings, multi-byte
 * UTF-8, INT32/INT64 extremes, NaN, +-0.0, +-inf, subnormals and timestamps before 1970.
 * OUT.json is {"columns":[{"name","type"}],"rows":[[...]]}: int32 as numbers, int64 and
 * timestamps (microseconds, as the reader must return them after the unit conversion) as
 * decimal strings, doubles as numbers or "NaN", "Infinity", "-Infinity", "-0". Exit status 0 on
 * success, 1 on a writer error, 2 on bad usage. Used by tests/e2e/parquet_props.test.mjs.
 *
 * --slices N writes the file through pq_stream_append, N rows at a time (row groups ended by
 * pq_stream_end_row_group where the sum of pq_stream_row_bytes reaches the row group size), and
 * fails (status 1) unless the bytes equal pq_write_table's. --drift adds a string column "drift"
 * whose first 30,000 values take 8 values and the rest are distinct 40-byte values, so that a
 * chunk of more than about 55,000 rows starts with a dictionary that overflows mid-chunk. */
#include "lake/parquet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rnd(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t n) {
    return n ? rnd() % n : 0;
}

enum {
    C_I32,
    C_I64ID,
    C_I64,
    C_F64,
    C_STR,
    C_TS,
    C_LEVEL,
    C_GENDER,
    C_LOC,
    C_UA,
    NCOLS,
    C_DRIFT = NCOLS
};

static const char *const names[NCOLS + 1] = {
    "i32", "id", "i64", "f64", "str", "ts", "level", "gender", "location", "user_agent", "drift"};
static const lake_type types[NCOLS + 1] = {
    LAKE_T_INT32,  LAKE_T_INT64,  LAKE_T_INT64,  LAKE_T_DOUBLE, LAKE_T_STRING, LAKE_T_TIMESTAMP_US,
    LAKE_T_STRING, LAKE_T_STRING, LAKE_T_STRING, LAKE_T_STRING, LAKE_T_STRING};

static const char *const pieces[] = {"a",  "Z",  "é", "ß", "日本", "🎵",    "\"", "\\", "/", " ",
                                     "\t", "\n", "~", "ÿ", "Ω",    "\x7f", "0",  "'",  "%", "😀"};

/* A random valid UTF-8 string of about len bytes, in the arena. */
static lake_str rand_str(lake_arena *a, size_t len) {
    char *buf = lake_arena_alloc(a, len + 8);
    size_t n = 0;
    while (n < len) {
        const char *p = pieces[below(sizeof pieces / sizeof pieces[0])];
        size_t k = strlen(p);
        if (n + k > len + 4)
            break;
        memcpy(buf + n, p, k);
        n += k;
    }
    return (lake_str){buf, (uint32_t)n};
}

static int64_t pick_i64(void) {
    static const int64_t special[] = {INT64_MIN, INT64_MAX, 0, -1, 1, INT64_MIN + 1, INT64_MAX - 1};
    if (below(8) == 0)
        return special[below(sizeof special / sizeof special[0])];
    return (int64_t)rnd() >> below(60);
}

static int32_t pick_i32(void) {
    static const int32_t special[] = {INT32_MIN, INT32_MAX, 0, -1, 1};
    switch (below(4)) {
    case 0:
        return special[below(sizeof special / sizeof special[0])];
    case 1:
        return (int32_t)below(10);
    default:
        return (int32_t)(uint32_t)rnd();
    }
}

static double pick_f64(void) {
    static const double special[] = {
        0.0, -0.0, INFINITY, -INFINITY, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308,
        1.0, -1.5};
    switch (below(6)) {
    case 0:
        return special[below(sizeof special / sizeof special[0])];
    case 1:
        return NAN;
    case 2:
        return (double)below(5) / 4.0;
    default: {
        uint64_t bits = rnd();
        double d;
        memcpy(&d, &bits, 8);
        return isnan(d) ? 3.25 : d;
    }
    }
}

static void json_str(FILE *f, const char *p, size_t n) {
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void json_value(FILE *f, const lake_col *c, size_t r, pq_ts_type ts) {
    if (!c->valid[r]) {
        fputs("null", f);
        return;
    }
    switch (c->type) {
    case LAKE_T_INT32:
        fprintf(f, "%d", c->v.i32[r]);
        break;
    case LAKE_T_INT64:
        fprintf(f, "\"%lld\"", (long long)c->v.i64[r]);
        break;
    case LAKE_T_TIMESTAMP_US: {
        int64_t us = c->v.i64[r];
        if (ts == PQ_TS_MILLIS)
            us = floor_div(us, 1000) * 1000;
        fprintf(f, "\"%lld\"", (long long)us);
        break;
    }
    case LAKE_T_DOUBLE: {
        double d = c->v.f64[r];
        if (isnan(d))
            fputs("\"NaN\"", f);
        else if (isinf(d))
            fputs(d > 0 ? "\"Infinity\"" : "\"-Infinity\"", f);
        else if (d == 0 && signbit(d))
            fputs("\"-0\"", f);
        else
            fprintf(f, "%.17g", d);
        break;
    }
    case LAKE_T_STRING:
        json_str(f, c->v.str[r].ptr, c->v.str[r].len);
        break;
    }
}

static int usage(void) {
    fprintf(stderr, "usage: pq-roundtrip OUT.parquet OUT.json [--seed N] [--rows N] [--codec C] "
                    "[--level N] [--timestamp-type T] [--row-group-bytes N] [--page-rows N] "
                    "[--page-bytes N] [--no-dictionary] [--no-delta] [--no-page-index] "
                    "[--no-crc] [--no-spark-metadata] [--shuffle] [--slices N] [--drift]\n");
    return 2;
}

static double null_rate(void) {
    static const double rates[] = {0.0, 0.02, 0.3, 0.9, 1.0};
    return rates[below(sizeof rates / sizeof rates[0])];
}

static void fill(lake_col *cols, size_t nrows, lake_arena *a) {
    static const char *const levels[] = {"free", "paid"};
    static const char *const genders[] = {"F", "M"};
    char *loc[64]; /* in the arena: the columns keep pointers to the bytes */
    lake_str uas[12];
    for (int i = 0; i < 64; i++) {
        loc[i] = lake_arena_alloc(a, 48);
        snprintf(loc[i], 48, "City %d-Ville, ST-%c%c", i * 37, 'A' + i % 26, 'A' + (i * 7) % 26);
    }
    for (int i = 0; i < 12; i++)
        uas[i] = rand_str(a, 60 + below(80));
    double rate[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        rate[c] = null_rate();
    int64_t id = (int64_t)below(1000), ts = -86400000000LL * 400 + (int64_t)below(1000000);
    int i64_mode = (int)below(3);
    for (size_t r = 0; r < nrows; r++) {
        for (int c = 0; c < NCOLS; c++) {
            bool edge = (r == 0 || r + 1 == nrows) && below(3) == 0;
            if (edge || (double)below(1000000) < rate[c] * 1000000.0) {
                lake_col_push_null(&cols[c]);
                continue;
            }
            switch (c) {
            case C_I32:
                lake_col_push_i32(&cols[c], pick_i32());
                break;
            case C_I64ID:
                /* unsigned: wraps around in mode 2, which makes huge deltas */
                id = (int64_t)((uint64_t)id + (i64_mode == 2 ? rnd() >> 2 : 1 + below(3)));
                lake_col_push_i64(&cols[c], id);
                break;
            case C_I64:
                lake_col_push_i64(&cols[c], i64_mode == 0 ? (int64_t)below(20) : pick_i64());
                break;
            case C_F64:
                lake_col_push_f64(&cols[c], pick_f64());
                break;
            case C_STR: {
                size_t len = below(10) == 0 ? 0 : below(20) == 0 ? 300 + below(6000) : below(24);
                lake_str s = rand_str(a, len);
                lake_col_push_str(&cols[c], s.ptr, s.len);
                break;
            }
            case C_TS:
                ts += (int64_t)below(5000000000ULL);
                lake_col_push_i64(&cols[c], ts);
                break;
            case C_LEVEL:
                lake_col_push_str(&cols[c], levels[below(2)], 4);
                break;
            case C_GENDER:
                lake_col_push_str(&cols[c], genders[below(2)], 1);
                break;
            case C_LOC: {
                const char *s = loc[below(64)];
                lake_col_push_str(&cols[c], s, (uint32_t)strlen(s));
                break;
            }
            case C_UA: {
                lake_str s = uas[below(12)];
                lake_col_push_str(&cols[c], s.ptr, s.len);
                break;
            }
            }
        }
    }
}

static size_t slices;
static bool drift;

/* The drift column: 8 values for the first 30,000 rows, then distinct ones; nulls now and then. */
static void fill_drift(lake_col *c, size_t nrows, lake_arena *a) {
    for (size_t r = 0; r < nrows; r++) {
        if (below(17) == 0) {
            lake_col_push_null(c);
            continue;
        }
        char *t = lake_arena_alloc(a, 48);
        int len = r < 30000 ? snprintf(t, 48, "value %zu", r % 8)
                            : snprintf(t, 48, "distinct %012zu ÿ-abcdefghijklmn", r * 7919);
        lake_col_push_str(c, t, (uint32_t)len);
    }
}

static lake_rc to_buf(void *ud, const void *data, size_t len, lake_error *err) {
    (void)err;
    lake_buf_append(ud, data, len);
    return LAKE_OK;
}

/* The file written through pq_stream_append, `slices` rows at a time. */
static lake_rc write_sliced(const lake_col *const *cols, size_t ncols, const uint32_t *rows,
                            size_t nrows, const pq_options *o, lake_buf *out, lake_error *err) {
    pq_stream *s = NULL;
    lake_rc rc = pq_stream_open(cols, ncols, o, to_buf, out, &s, err);
    if (rc)
        return rc;
    uint64_t limit = (uint64_t)pq_stream_row_group_bytes(s), acc = 0;
    size_t begin = 0;
    for (size_t i = 0; !rc && i < nrows; i++) {
        acc += pq_stream_row_bytes(s, cols, rows ? rows[i] : i);
        bool end = acc >= limit || i + 1 == nrows;
        if (end || i + 1 - begin == slices) {
            if (rows) {
                rc = pq_stream_append(s, cols, rows + begin, i + 1 - begin, err);
            } else {
                uint32_t *ids = lake_xmalloc((i + 1 - begin) * sizeof *ids);
                for (size_t k = begin; k <= i; k++)
                    ids[k - begin] = (uint32_t)k;
                rc = pq_stream_append(s, cols, ids, i + 1 - begin, err);
                free(ids);
            }
            begin = i + 1;
        }
        if (!rc && end) {
            rc = pq_stream_end_row_group(s, err);
            acc = 0;
        }
    }
    if (rc) {
        pq_stream_free(s);
        return rc;
    }
    return pq_stream_close(s, NULL, err);
}

static int parse_args(int argc, char **argv, pq_options *o, uint64_t *seed, size_t *nrows,
                      bool *shuffle) {
    lake_error err = {0};
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int64_t n;
        if (!strcmp(a, "--no-dictionary"))
            o->dictionary = false;
        else if (!strcmp(a, "--no-delta"))
            o->delta = false;
        else if (!strcmp(a, "--no-page-index"))
            o->page_index = false;
        else if (!strcmp(a, "--no-crc"))
            o->page_crc = false;
        else if (!strcmp(a, "--no-spark-metadata"))
            o->spark_metadata = PQ_SPARK_NEVER;
        else if (!strcmp(a, "--shuffle"))
            *shuffle = true;
        else if (!strcmp(a, "--drift"))
            drift = true;
        else if (!v)
            return usage();
        else if (i++, !strcmp(a, "--seed"))
            *seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--rows"))
            *nrows = (size_t)strtoull(v, NULL, 10);
        else if (!strcmp(a, "--slices") && (slices = (size_t)strtoull(v, NULL, 10)) > 0)
            continue;
        else if (!strcmp(a, "--level"))
            o->level = atoi(v);
        else if (!strcmp(a, "--codec") && !pq_codec_parse(v, &o->codec, &err))
            continue;
        else if (!strcmp(a, "--spark-metadata") &&
                 !pq_parse_spark_mode(v, &o->spark_metadata, &err))
            continue;
        else if (!strcmp(a, "--timestamp-type") &&
                 !pq_parse_timestamp_type(v, &o->timestamp_type, &err))
            continue;
        else if (!strcmp(a, "--row-group-bytes") && !pq_parse_size(v, 1, INT64_MAX, &n, &err))
            o->row_group_bytes = n;
        else if (!strcmp(a, "--page-rows") && !pq_parse_size(v, 1, INT32_MAX, &n, &err))
            o->page_rows = (size_t)n;
        else if (!strcmp(a, "--page-bytes") && !pq_parse_size(v, 1, INT32_MAX, &n, &err))
            o->page_bytes = (size_t)n;
        else {
            if (err.msg[0])
                fprintf(stderr, "pq-roundtrip: %s\n", err.msg);
            return usage();
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    pq_options o;
    uint64_t seed = 1;
    size_t nrows = 100;
    bool shuffle = false;
    pq_options_default(&o);
    if (argc < 3)
        return usage();
    int rc = parse_args(argc, argv, &o, &seed, &nrows, &shuffle);
    if (rc)
        return rc;
    rng_state = seed * 0x2545F4914F6CDD1DULL + 17;
    lake_arena *a = lake_arena_create(0);
    int ncols = NCOLS + (drift ? 1 : 0);
    lake_col cols[NCOLS + 1];
    const lake_col *ptrs[NCOLS + 1];
    for (int c = 0; c < ncols; c++) {
        lake_col_init(&cols[c], names[c], types[c]);
        ptrs[c] = &cols[c];
    }
    fill(cols, nrows, a);
    if (drift)
        fill_drift(&cols[C_DRIFT], nrows, a);
    uint32_t *rows = NULL;
    if (shuffle) {
        rows = lake_xmalloc((nrows ? nrows : 1) * sizeof *rows);
        for (size_t i = 0; i < nrows; i++)
            rows[i] = (uint32_t)i;
        for (size_t i = nrows; i > 1; i--) {
            size_t j = below(i);
            uint32_t t = rows[i - 1];
            rows[i - 1] = rows[j];
            rows[j] = t;
        }
    }
    lake_buf file;
    lake_error err = {0};
    lake_buf_init(&file);
    if (pq_write_table(ptrs, (size_t)ncols, rows, nrows, &o, &file, &err)) {
        fprintf(stderr, "pq-roundtrip: %s\n", err.msg);
        return 1;
    }
    if (slices) {
        lake_buf sliced;
        lake_buf_init(&sliced);
        if (write_sliced(ptrs, (size_t)ncols, rows, nrows, &o, &sliced, &err)) {
            fprintf(stderr, "pq-roundtrip: in slices: %s\n", err.msg);
            return 1;
        }
        if (sliced.len != file.len || memcmp(sliced.data, file.data, file.len) != 0) {
            fprintf(stderr, "pq-roundtrip: the file written in slices of %zu rows differs\n",
                    slices);
            return 1;
        }
        lake_buf_free(&sliced);
    }
    FILE *pf = fopen(argv[1], "wb"), *jf = fopen(argv[2], "w");
    if (!pf || !jf || fwrite(file.data, 1, file.len, pf) != file.len) {
        perror("pq-roundtrip: writing output");
        return 1;
    }
    fputs("{\"columns\":[", jf);
    for (int c = 0; c < ncols; c++)
        fprintf(jf, "%s{\"name\":\"%s\",\"type\":\"%s\"}", c ? "," : "", names[c],
                types[c] == LAKE_T_TIMESTAMP_US ? "timestamp" : lake_type_name(types[c]));
    fputs("],\"rows\":[", jf);
    for (size_t i = 0; i < nrows; i++) {
        size_t r = rows ? rows[i] : i;
        fputs(i ? ",\n[" : "\n[", jf);
        for (int c = 0; c < ncols; c++) {
            if (c)
                fputc(',', jf);
            json_value(jf, &cols[c], r, o.timestamp_type);
        }
        fputc(']', jf);
    }
    fputs("]}\n", jf);
    if (fclose(pf) || fclose(jf)) {
        perror("pq-roundtrip: closing output");
        return 1;
    }
    for (int c = 0; c < ncols; c++)
        lake_col_free(&cols[c]);
    free(rows);
    lake_buf_free(&file);
    lake_arena_free(a);
    return 0;
}
