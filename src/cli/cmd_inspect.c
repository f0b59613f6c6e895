/* lake inspect: the metadata of a Parquet file or of every Parquet file of a table directory, as a
 * readable report or (--json) one JSON document. Files are read through the store interface, so
 * any store backend works; every footer is decoded and validated by lake/pqread.h, and every
 * column chunk's page headers are walked (dictionary size, CRCs). */
#include "cli/cli.h"
#include "lake/common.h"
#include "lake/pqread.h"
#include "lake/store.h"

#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cli_inspect(int argc, char **argv);

static const char inspect_usage[] =
    "usage: lake inspect PATH [--json]\n"
    "\n"
    "Shows the metadata of a Parquet file, or of every *.parquet file below a table directory\n"
    "(sorted by path; names starting with '_' or '.' are skipped, as Spark does), with totals:\n"
    "schema with physical and logical types, row groups, and per column chunk its encodings,\n"
    "codec, compressed and uncompressed sizes, statistics and dictionary page. PATH may be a\n"
    "local path or a store URL (s3://bucket/prefix). Corrupt or truncated files are refused\n"
    "with a message naming the file (exit 1).\n"
    "\n"
    "      --json   one JSON document instead of the report\n"
    "  -h, --help   show this help\n";

typedef struct {
    uint64_t files, rows, row_groups, compressed, uncompressed, bytes;
} totals;

typedef struct {
    const char *name; /* path shown for the file */
    const uint8_t *data;
    size_t len;
    const pq_file_meta *m;
    pq_chunk_scan *scans; /* per row group and column, row-major */
} file_view;

/* ---- JSON output ---- */

static void json_str(lake_buf *b, const void *p, size_t n) {
    const uint8_t *s = p;
    bool utf8 = pq_utf8_valid(s, n);
    lake_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c == '"' || c == '\\') {
            lake_buf_putc(b, '\\');
            lake_buf_putc(b, c);
        } else if (c == '\n') {
            lake_buf_puts(b, "\\n");
        } else if (c == '\t') {
            lake_buf_puts(b, "\\t");
        } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8)) {
            lake_buf_printf(b, "\\u%04x", c); /* invalid UTF-8: bytes read as Latin-1 */
        } else {
            lake_buf_putc(b, c);
        }
    }
    lake_buf_putc(b, '"');
}

static void json_cstr(lake_buf *b, const char *s) {
    json_str(b, s, strlen(s));
}

static void json_pqstr(lake_buf *b, const pq_str *s) {
    if (s->ptr)
        json_str(b, s->ptr, s->len);
    else
        lake_buf_puts(b, "null");
}

static void json_key(lake_buf *b, bool *first, const char *k) {
    if (!*first)
        lake_buf_putc(b, ',');
    *first = false;
    json_cstr(b, k);
    lake_buf_putc(b, ':');
}

static void json_i64(lake_buf *b, bool *first, const char *k, int64_t v) {
    json_key(b, first, k);
    lake_buf_printf(b, "%lld", (long long)v);
}

/* An optional number: null when absent (< 0). */
static void json_opt(lake_buf *b, bool *first, const char *k, int64_t v) {
    json_key(b, first, k);
    if (v < 0)
        lake_buf_puts(b, "null");
    else
        lake_buf_printf(b, "%lld", (long long)v);
}

/* Shortest %.*g that reads back as the same double. */
static void fmt_double(char *buf, size_t size, double d) {
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

static void hex(lake_buf *b, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        lake_buf_printf(b, "%02x", p[i]);
}

static void json_value(lake_buf *b, const pq_value *v) {
    char num[40];
    switch (v->kind) {
    case PQ_VAL_BOOL:
        lake_buf_puts(b, v->i ? "true" : "false");
        break;
    case PQ_VAL_INT:
        lake_buf_printf(b, "%lld", (long long)v->i);
        break;
    case PQ_VAL_UINT:
        lake_buf_printf(b, "%llu", (unsigned long long)v->u);
        break;
    case PQ_VAL_DOUBLE:
        if (isnan(v->d)) {
            lake_buf_puts(b, "\"NaN\"");
        } else if (isinf(v->d)) {
            lake_buf_puts(b, v->d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        } else {
            fmt_double(num, sizeof num, v->d);
            lake_buf_puts(b, num);
        }
        break;
    case PQ_VAL_STRING:
        json_str(b, v->p, v->n);
        break;
    case PQ_VAL_BYTES:
        lake_buf_puts(b, "{\"hex\":\"");
        hex(b, v->p, v->n);
        lake_buf_puts(b, "\"}");
        break;
    default: /* timestamp, date, time, decimal, uuid: their text */
        json_cstr(b, v->text);
    }
}

/* "min": value (and "min_raw" for timestamps, dates and times). */
static void json_stat_value(lake_buf *b, bool *first, const char *k, const pq_schema_elem *leaf,
                            const pq_str *s) {
    if (!s->ptr)
        return;
    pq_value v;
    pq_value_decode(leaf, (const uint8_t *)s->ptr, s->len, &v);
    json_key(b, first, k);
    json_value(b, &v);
    if (v.has_raw) {
        char rk[32];
        snprintf(rk, sizeof rk, "%s_raw", k);
        json_i64(b, first, rk, v.i);
    }
}

static void json_bool3(lake_buf *b, bool *first, const char *k, int8_t v) {
    json_key(b, first, k);
    lake_buf_puts(b, v < 0 ? "null" : v ? "true" : "false");
}

static void json_stats(lake_buf *b, const pq_stats *st, const pq_schema_elem *leaf) {
    if (!st->present) {
        lake_buf_puts(b, "null");
        return;
    }
    bool f = true;
    lake_buf_putc(b, '{');
    json_opt(b, &f, "null_count", st->null_count);
    json_opt(b, &f, "distinct_count", st->distinct_count);
    json_opt(b, &f, "nan_count", st->nan_count);
    /* min/max: min_value/max_value (the column order's bounds); the legacy signed-order fields
     * come separately, as DuckDB's stats_min/stats_max do. */
    json_stat_value(b, &f, "min", leaf, &st->min_value);
    json_stat_value(b, &f, "max", leaf, &st->max_value);
    json_bool3(b, &f, "min_exact", st->min_exact);
    json_bool3(b, &f, "max_exact", st->max_exact);
    json_stat_value(b, &f, "legacy_min", leaf, &st->min);
    json_stat_value(b, &f, "legacy_max", leaf, &st->max);
    lake_buf_putc(b, '}');
}

static void json_kvs(lake_buf *b, const pq_kv *kv, size_t n) {
    lake_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        bool f = true;
        lake_buf_puts(b, i ? ",{" : "{");
        json_key(b, &f, "key");
        json_pqstr(b, &kv[i].key);
        json_key(b, &f, "value");
        json_pqstr(b, &kv[i].value);
        lake_buf_putc(b, '}');
    }
    lake_buf_putc(b, ']');
}

static void json_schema_elem(lake_buf *b, const pq_schema_elem *e) {
    char lt[128];
    bool f = true;
    lake_buf_putc(b, '{');
    json_key(b, &f, "name");
    json_pqstr(b, &e->name);
    json_key(b, &f, "path");
    json_pqstr(b, &e->path);
    json_key(b, &f, "physical_type");
    if (e->type < 0)
        lake_buf_puts(b, "null");
    else
        json_cstr(b, pq_type_name(e->type));
    json_opt(b, &f, "type_length", e->type_length);
    json_key(b, &f, "repetition");
    if (e->repetition < 0)
        lake_buf_puts(b, "null");
    else
        json_cstr(b, pq_repetition_name(e->repetition));
    json_opt(b, &f, "num_children", e->num_children);
    json_key(b, &f, "converted_type");
    if (e->converted_type < 0)
        lake_buf_puts(b, "null");
    else
        json_cstr(b, pq_converted_type_name(e->converted_type));
    json_key(b, &f, "logical_type");
    if (e->logical.kind == PQ_LT_NONE)
        lake_buf_puts(b, "null");
    else
        json_cstr(b, pq_logical_format(&e->logical, lt, sizeof lt));
    json_opt(b, &f, "scale", e->scale);
    json_opt(b, &f, "precision", e->precision);
    json_key(b, &f, "field_id");
    if (e->has_field_id)
        lake_buf_printf(b, "%d", e->field_id);
    else
        lake_buf_puts(b, "null");
    json_opt(b, &f, "max_definition_level", e->type < 0 && e->repetition < 0 ? -1 : e->max_def);
    json_opt(b, &f, "max_repetition_level", e->type < 0 && e->repetition < 0 ? -1 : e->max_rep);
    lake_buf_putc(b, '}');
}

static void json_chunk(lake_buf *b, const pq_column_chunk *cc, const pq_schema_elem *leaf,
                       const pq_chunk_scan *sc) {
    char lt[128];
    bool f = true;
    lake_buf_putc(b, '{');
    json_key(b, &f, "path");
    json_pqstr(b, &leaf->path);
    json_key(b, &f, "path_in_schema");
    lake_buf_putc(b, '[');
    for (size_t i = 0; i < cc->npath; i++) {
        if (i)
            lake_buf_putc(b, ',');
        json_pqstr(b, &cc->path[i]);
    }
    lake_buf_putc(b, ']');
    json_key(b, &f, "physical_type");
    json_cstr(b, pq_type_name(cc->type));
    json_key(b, &f, "logical_type");
    if (leaf->logical.kind == PQ_LT_NONE)
        lake_buf_puts(b, "null");
    else
        json_cstr(b, pq_logical_format(&leaf->logical, lt, sizeof lt));
    json_key(b, &f, "codec");
    json_cstr(b, pq_codec_name(cc->codec));
    json_key(b, &f, "encodings");
    lake_buf_putc(b, '[');
    for (size_t i = 0; i < cc->nencodings; i++) {
        if (i)
            lake_buf_putc(b, ',');
        json_cstr(b, pq_encoding_name(cc->encodings[i]));
    }
    lake_buf_putc(b, ']');
    json_i64(b, &f, "num_values", cc->num_values);
    json_i64(b, &f, "compressed_size", cc->total_compressed_size);
    json_i64(b, &f, "uncompressed_size", cc->total_uncompressed_size);
    json_i64(b, &f, "file_offset", cc->file_offset);
    json_i64(b, &f, "data_page_offset", cc->data_page_offset);
    json_opt(b, &f, "dictionary_page_offset", cc->dictionary_page_offset);
    json_opt(b, &f, "index_page_offset", cc->index_page_offset);
    json_key(b, &f, "statistics");
    json_stats(b, &cc->stats, leaf);
    json_key(b, &f, "encoding_stats");
    lake_buf_putc(b, '[');
    for (size_t i = 0; i < cc->nenc_stats; i++) {
        const pq_enc_stat *es = &cc->enc_stats[i];
        lake_buf_printf(b, "%s{\"page_type\":", i ? "," : "");
        json_cstr(b, pq_page_type_name(es->page_type));
        lake_buf_puts(b, ",\"encoding\":");
        json_cstr(b, pq_encoding_name(es->encoding));
        lake_buf_printf(b, ",\"count\":%d}", es->count);
    }
    lake_buf_putc(b, ']');
    json_key(b, &f, "pages");
    lake_buf_printf(b, "{\"count\":%u,\"data_pages\":%u,\"data_pages_v2\":%u,\"crc_checked\":%u}",
                    sc->pages, sc->data_pages, sc->data_pages_v2, sc->crc_pages);
    json_key(b, &f, "dictionary");
    if (sc->has_dictionary)
        lake_buf_printf(b,
                        "{\"entries\":%d,\"compressed_size\":%lld,\"uncompressed_size\":%lld,"
                        "\"header_size\":%lld}",
                        sc->dict_entries, (long long)sc->dict_compressed_size,
                        (long long)sc->dict_uncompressed_size, (long long)sc->dict_header_size);
    else
        lake_buf_puts(b, "null");
    json_opt(b, &f, "bloom_filter_offset", cc->bloom_filter_offset);
    json_opt(b, &f, "bloom_filter_length", cc->bloom_filter_length);
    json_opt(b, &f, "offset_index_offset", cc->offset_index_offset);
    json_opt(b, &f, "offset_index_length", cc->offset_index_length);
    json_opt(b, &f, "column_index_offset", cc->column_index_offset);
    json_opt(b, &f, "column_index_length", cc->column_index_length);
    json_key(b, &f, "key_value_metadata");
    json_kvs(b, cc->kv, cc->nkv);
    lake_buf_putc(b, '}');
}

static void json_file(lake_buf *b, const file_view *fv) {
    const pq_file_meta *m = fv->m;
    bool f = true;
    lake_buf_putc(b, '{');
    json_key(b, &f, "path");
    json_cstr(b, fv->name);
    json_i64(b, &f, "file_size", (int64_t)m->file_size);
    json_i64(b, &f, "footer_length", m->footer_len);
    json_i64(b, &f, "version", m->version);
    json_i64(b, &f, "num_rows", m->num_rows);
    json_key(b, &f, "created_by");
    json_pqstr(b, &m->created_by);
    json_key(b, &f, "key_value_metadata");
    json_kvs(b, m->kv, m->nkv);
    json_key(b, &f, "schema");
    lake_buf_putc(b, '[');
    for (size_t i = 0; i < m->nschema; i++) {
        if (i)
            lake_buf_putc(b, ',');
        json_schema_elem(b, &m->schema[i]);
    }
    lake_buf_putc(b, ']');
    json_key(b, &f, "column_orders");
    lake_buf_putc(b, '[');
    for (size_t i = 0; i < m->ncolumn_orders; i++) {
        int32_t o = m->column_orders[i];
        lake_buf_printf(b, "%s\"%s\"", i ? "," : "",
                        o == 1   ? "TYPE_ORDER"
                        : o == 2 ? "IEEE_754_TOTAL_ORDER"
                        : o == 3 ? "INT96_TIMESTAMP_ORDER"
                                 : "UNKNOWN");
    }
    lake_buf_putc(b, ']');
    json_key(b, &f, "row_groups");
    lake_buf_putc(b, '[');
    for (size_t g = 0; g < m->nrow_groups; g++) {
        const pq_row_group *rg = &m->row_groups[g];
        bool rf = true;
        lake_buf_puts(b, g ? ",{" : "{");
        json_opt(b, &rf, "ordinal", rg->ordinal);
        json_i64(b, &rf, "num_rows", rg->num_rows);
        json_i64(b, &rf, "total_byte_size", rg->total_byte_size);
        json_opt(b, &rf, "total_compressed_size", rg->total_compressed_size);
        json_opt(b, &rf, "file_offset", rg->file_offset);
        json_key(b, &rf, "columns");
        lake_buf_putc(b, '[');
        for (size_t c = 0; c < rg->ncolumns; c++) {
            if (c)
                lake_buf_putc(b, ',');
            json_chunk(b, &rg->columns[c], &m->schema[m->leaves[c]],
                       &fv->scans[g * m->nleaves + c]);
        }
        lake_buf_puts(b, "]}");
    }
    lake_buf_puts(b, "]}");
}

/* ---- human output ---- */

/* A value shortened for a table cell: control characters escaped, long strings cut. */
static void text_value(lake_buf *b, const pq_schema_elem *leaf, const pq_str *s) {
    if (!s->ptr) {
        lake_buf_putc(b, '-');
        return;
    }
    pq_value v;
    pq_value_decode(leaf, (const uint8_t *)s->ptr, s->len, &v);
    char num[40];
    switch (v.kind) {
    case PQ_VAL_STRING:
    case PQ_VAL_BYTES: {
        size_t n = v.n < 24 ? v.n : 24;
        if (v.kind == PQ_VAL_BYTES) {
            lake_buf_puts(b, "0x");
            hex(b, v.p, n);
        } else {
            while (n < v.n && n > 0 && (v.p[n] & 0xc0) == 0x80)
                n--; /* do not cut a UTF-8 sequence */
            lake_buf_putc(b, '"');
            for (size_t i = 0; i < n; i++) {
                if (v.p[i] < 0x20 || v.p[i] == 0x7f || v.p[i] == '"' || v.p[i] == '\\')
                    lake_buf_printf(b, "\\x%02x", v.p[i]);
                else
                    lake_buf_putc(b, v.p[i]);
            }
            lake_buf_putc(b, '"');
        }
        if (n < v.n)
            lake_buf_puts(b, "...");
        break;
    }
    case PQ_VAL_DOUBLE:
        fmt_double(num, sizeof num, v.d);
        lake_buf_puts(b, num);
        break;
    default: {
        lake_buf tmp;
        lake_buf_init(&tmp);
        json_value(&tmp, &v);
        lake_buf_putc(&tmp, 0);
        const char *t = (const char *)tmp.data;
        size_t n = strlen(t);
        if (n >= 2 && t[0] == '"') /* texts without JSON quotes */
            lake_buf_append(b, t + 1, n - 2);
        else
            lake_buf_puts(b, t);
        lake_buf_free(&tmp);
    }
    }
}

/* A table of text cells printed with aligned columns (numbers right-aligned). */
#define TBL_COLS 10
typedef struct {
    char **cells; /* rows * TBL_COLS */
    size_t rows, cap;
} table;

static void tbl_row(table *t, const char *const *cells) {
    if (t->rows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = lake_xrealloc(t->cells, t->cap * TBL_COLS * sizeof *t->cells);
    }
    for (int i = 0; i < TBL_COLS; i++)
        t->cells[t->rows * TBL_COLS + i] = lake_xstrdup(cells[i] ? cells[i] : "");
    t->rows++;
}

/* Display width, counted in code points (good enough for a terminal table). */
static size_t width(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static void tbl_print(lake_buf *b, table *t, const char *right, const char *indent) {
    size_t w[TBL_COLS] = {0};
    for (size_t r = 0; r < t->rows; r++)
        for (int i = 0; i < TBL_COLS; i++) {
            size_t n = width(t->cells[r * TBL_COLS + i]);
            w[i] = n > w[i] ? n : w[i];
        }
    for (size_t r = 0; r < t->rows; r++) {
        lake_buf_puts(b, indent);
        int last = TBL_COLS - 1;
        while (last > 0 && !*t->cells[r * TBL_COLS + last])
            last--;
        for (int i = 0; i <= last; i++) {
            const char *c = t->cells[r * TBL_COLS + i];
            int pad = (int)(w[i] - width(c));
            if (right[i] == 'r')
                lake_buf_printf(b, "%*s%s", pad, "", c);
            else
                lake_buf_printf(b, "%s%*s", c, i == last ? 0 : pad, "");
            if (i < last)
                lake_buf_puts(b, "  ");
        }
        lake_buf_putc(b, '\n');
        for (int i = 0; i < TBL_COLS; i++)
            free(t->cells[r * TBL_COLS + i]);
    }
    free(t->cells);
    memset(t, 0, sizeof *t);
}

static char *cell_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *cell_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    if (!s)
        s = lake_xstrdup("?");
    return s;
}

static void text_schema(lake_buf *b, const pq_file_meta *m) {
    table t = {0};
    char lt[128];
    const char *hdr[TBL_COLS] = {"column", "repetition", "physical", "logical", "converted"};
    tbl_row(&t, hdr);
    for (size_t i = 0; i < m->nschema; i++) {
        const pq_schema_elem *e = &m->schema[i];
        char *name = lake_xstrdup(i ? e->path.ptr : e->name.ptr);
        char *phys = e->type >= 0 ? lake_xstrdup(pq_type_name(e->type))
                                  : cell_printf("group(%d)", e->num_children);
        if (e->type == PQ_TYPE_FIXED_LEN_BYTE_ARRAY) {
            free(phys);
            phys = cell_printf("FIXED_LEN_BYTE_ARRAY(%d)", e->type_length);
        }
        const char *cells[TBL_COLS] = {
            name, e->repetition >= 0 ? pq_repetition_name(e->repetition) : "", phys,
            e->logical.kind ? pq_logical_format(&e->logical, lt, sizeof lt) : "",
            e->converted_type >= 0 ? pq_converted_type_name(e->converted_type) : ""};
        tbl_row(&t, cells);
        free(name);
        free(phys);
    }
    tbl_print(b, &t, "llll", "  ");
}

static void text_file(lake_buf *b, const file_view *fv) {
    const pq_file_meta *m = fv->m;
    lake_buf_printf(b, "%s\n", fv->name);
    lake_buf_printf(b, "  %llu bytes, %lld rows, %zu row group%s, footer %u bytes, version %d\n",
                    (unsigned long long)m->file_size, (long long)m->num_rows, m->nrow_groups,
                    m->nrow_groups == 1 ? "" : "s", m->footer_len, m->version);
    if (m->created_by.ptr)
        lake_buf_printf(b, "  created by: %s\n", m->created_by.ptr);
    for (size_t i = 0; i < m->nkv; i++)
        lake_buf_printf(b, "  metadata %s: %.*s%s\n", m->kv[i].key.ptr,
                        (int)(m->kv[i].value.len > 100 ? 100 : m->kv[i].value.len),
                        m->kv[i].value.ptr ? m->kv[i].value.ptr : "",
                        m->kv[i].value.len > 100 ? "..." : "");
    lake_buf_puts(b, "  schema:\n");
    text_schema(b, m);
    for (size_t g = 0; g < m->nrow_groups; g++) {
        const pq_row_group *rg = &m->row_groups[g];
        lake_buf_printf(b, "  row group %zu: %lld rows, %lld bytes uncompressed", g,
                        (long long)rg->num_rows, (long long)rg->total_byte_size);
        if (rg->total_compressed_size >= 0)
            lake_buf_printf(b, ", %lld compressed", (long long)rg->total_compressed_size);
        lake_buf_putc(b, '\n');
        table t = {0};
        const char *hdr[TBL_COLS] = {"column", "codec", "encodings", "compressed", "uncompressed",
                                     "values", "nulls", "min",       "max",        "dictionary"};
        tbl_row(&t, hdr);
        for (size_t c = 0; c < rg->ncolumns; c++) {
            const pq_column_chunk *cc = &rg->columns[c];
            const pq_schema_elem *leaf = &m->schema[m->leaves[c]];
            const pq_chunk_scan *sc = &fv->scans[g * m->nleaves + c];
            lake_buf enc, mn, mx;
            lake_buf_init(&enc);
            lake_buf_init(&mn);
            lake_buf_init(&mx);
            for (size_t i = 0; i < cc->nencodings; i++)
                lake_buf_printf(&enc, "%s%s", i ? "," : "", pq_encoding_name(cc->encodings[i]));
            const pq_str *smin = cc->stats.min_value.ptr ? &cc->stats.min_value : &cc->stats.min;
            const pq_str *smax = cc->stats.max_value.ptr ? &cc->stats.max_value : &cc->stats.max;
            text_value(&mn, leaf, smin);
            text_value(&mx, leaf, smax);
            lake_buf_putc(&enc, 0);
            lake_buf_putc(&mn, 0);
            lake_buf_putc(&mx, 0);
            char *comp = cell_printf("%lld", (long long)cc->total_compressed_size);
            char *raw = cell_printf("%lld", (long long)cc->total_uncompressed_size);
            char *vals = cell_printf("%lld", (long long)cc->num_values);
            char *nulls = cc->stats.null_count >= 0
                              ? cell_printf("%lld", (long long)cc->stats.null_count)
                              : lake_xstrdup("-");
            char *dict = sc->has_dictionary ? cell_printf("%d entr%s, %lld bytes", sc->dict_entries,
                                                          sc->dict_entries == 1 ? "y" : "ies",
                                                          (long long)sc->dict_compressed_size)
                                            : lake_xstrdup("-");
            const char *cells[TBL_COLS] = {
                leaf->path.ptr, pq_codec_name(cc->codec), (const char *)enc.data, comp, raw, vals,
                nulls,          (const char *)mn.data,    (const char *)mx.data,  dict};
            tbl_row(&t, cells);
            free(comp);
            free(raw);
            free(vals);
            free(nulls);
            free(dict);
            lake_buf_free(&enc);
            lake_buf_free(&mn);
            lake_buf_free(&mx);
        }
        tbl_print(b, &t, "lllrrrrlll", "    ");
    }
}

/* ---- driver ---- */

/* Reads, decodes and renders one file; on failure err holds the message (without the name). */
static lake_rc inspect_one(lake_store *st, const char *key, const char *name, bool json, bool first,
                           lake_buf *out, totals *tot, lake_error *err) {
    lake_buf data;
    lake_buf_init(&data);
    pq_file_meta *m = NULL;
    pq_chunk_scan *scans = NULL;
    lake_rc rc = lake_store_get(st, key, &data, err);
    if (rc)
        goto out;
    rc = pq_read_footer(data.data, data.len, &m, err);
    if (rc)
        goto out;
    scans = lake_xcalloc(m->nrow_groups * m->nleaves + 1, sizeof *scans);
    for (size_t g = 0; g < m->nrow_groups; g++)
        for (size_t c = 0; c < m->nleaves; c++) {
            const pq_column_chunk *cc = &m->row_groups[g].columns[c];
            if (cc->file_path.ptr)
                continue; /* data in another file: nothing to walk here */
            rc = pq_scan_chunk(data.data, data.len, cc, &scans[g * m->nleaves + c], err);
            if (rc) {
                lake_error_prefix(err, "row group %zu, column %zu (%s): ", g, c,
                                  m->schema[m->leaves[c]].path.ptr);
                goto out;
            }
        }
    file_view fv = {name, data.data, data.len, m, scans};
    if (json) {
        if (!first)
            lake_buf_putc(out, ',');
        json_file(out, &fv);
    } else {
        if (!first)
            lake_buf_putc(out, '\n');
        text_file(out, &fv);
    }
    tot->files++;
    tot->rows += (uint64_t)m->num_rows;
    tot->row_groups += m->nrow_groups;
    tot->bytes += m->file_size;
    for (size_t g = 0; g < m->nrow_groups; g++)
        for (size_t c = 0; c < m->row_groups[g].ncolumns; c++) {
            tot->compressed += (uint64_t)m->row_groups[g].columns[c].total_compressed_size;
            tot->uncompressed += (uint64_t)m->row_groups[g].columns[c].total_uncompressed_size;
        }
out:
    free(scans);
    pq_file_meta_free(m);
    lake_buf_free(&data);
    return rc;
}

static bool is_parquet_key(const char *key) {
    size_t n = strlen(key);
    if (n < 8 || strcmp(key + n - 8, ".parquet") != 0)
        return false;
    /* Spark skips names starting with '_' or '.' (_temporary/, _rejected/, .crc files). */
    for (const char *c = key; c; c = strchr(c, '/')) {
        if (*c == '/')
            c++;
        if (*c == '_' || *c == '.')
            return false;
    }
    return true;
}

/* Decides whether path names one file: local paths by stat, URLs by their ".parquet" suffix. */
static bool names_file(const char *path) {
    if (strstr(path, "://")) {
        size_t n = strlen(path);
        return n >= 8 && !strcmp(path + n - 8, ".parquet");
    }
    struct stat st;
    return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

static int inspect_main(const char *path, bool json) {
    lake_error err = {0};
    lake_store *st = NULL;
    lake_obj_list list = {0};
    lake_buf out;
    lake_buf_init(&out);
    totals tot = {0};
    char *dir = NULL;
    const char *failed = path;
    char *failed_buf = NULL;
    lake_rc rc;
    bool single = names_file(path);
    if (!single && !strstr(path, "://")) {
        struct stat sb;
        if (stat(path, &sb) != 0) {
            rc = lake_error_set(&err, LAKE_ERR_NOT_FOUND, "no such file or directory");
            goto out;
        }
    }
    if (json)
        lake_buf_puts(&out, "{\"path\":");
    if (json)
        json_cstr(&out, path);
    if (json)
        lake_buf_puts(&out, ",\"files\":[");
    if (single) {
        const char *slash = strrchr(path, '/');
        dir = slash ? lake_xstrndup(path, (size_t)(slash - path + (slash == path)))
                    : lake_xstrdup(".");
        rc = lake_store_open(dir, &st, &err);
        if (!rc)
            rc = inspect_one(st, slash ? slash + 1 : path, path, json, true, &out, &tot, &err);
    } else {
        rc = lake_store_open(path, &st, &err);
        if (!rc)
            rc = lake_store_list(st, "", &list, &err);
        for (size_t i = 0; !rc && i < list.n; i++) {
            if (!is_parquet_key(list.items[i].key))
                continue;
            free(failed_buf);
            size_t pl = strlen(path);
            failed = failed_buf = lake_xasprintf(
                "%s%s%s", path, pl && path[pl - 1] == '/' ? "" : "/", list.items[i].key);
            rc = inspect_one(st, list.items[i].key, failed, json, tot.files == 0, &out, &tot, &err);
        }
        if (!rc && tot.files == 0) {
            failed = path;
            rc = lake_error_set(&err, LAKE_ERR_NOT_FOUND, "no .parquet files found");
        }
    }
    if (rc)
        goto out;
    if (json) {
        lake_buf_printf(&out,
                        "],\"totals\":{\"files\":%llu,\"rows\":%llu,\"row_groups\":%llu,"
                        "\"compressed_size\":%llu,\"uncompressed_size\":%llu,"
                        "\"file_size\":%llu}}\n",
                        (unsigned long long)tot.files, (unsigned long long)tot.rows,
                        (unsigned long long)tot.row_groups, (unsigned long long)tot.compressed,
                        (unsigned long long)tot.uncompressed, (unsigned long long)tot.bytes);
    } else if (!single) {
        lake_buf_printf(&out,
                        "\ntotal: %llu files, %llu rows, %llu row groups, %llu bytes "
                        "(%llu compressed, %llu uncompressed column data)\n",
                        (unsigned long long)tot.files, (unsigned long long)tot.rows,
                        (unsigned long long)tot.row_groups, (unsigned long long)tot.bytes,
                        (unsigned long long)tot.compressed, (unsigned long long)tot.uncompressed);
    }
    fwrite(out.data, 1, out.len, stdout);
out:
    if (rc)
        fprintf(stderr, "lake inspect: %s: %s\n", failed, err.msg[0] ? err.msg : lake_strerror(rc));
    free(failed_buf);
    free(dir);
    lake_obj_list_free(&list);
    lake_store_close(st);
    lake_buf_free(&out);
    return rc ? 1 : 0;
}

static const struct option inspect_options[] = {
    {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};

int cli_inspect(int argc, char **argv) {
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", inspect_options, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(inspect_usage, stdout);
            return 0;
        case 'j':
            json = true;
            break;
        default:
            return cli_usage_error("inspect", "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("inspect", "expected exactly one PATH");
    return inspect_main(argv[optind], json);
}
