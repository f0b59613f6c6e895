/* The inspection report as readable text: aligned tables of the schema and of each row group's
 * column chunks, with values shortened for a terminal. */
#include "inspect/inspect_render.h"
#include "json/emit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A value shortened for a table cell: control characters escaped, long strings cut. */
static void text_value(lake_buf *b, const pq_schema_elem *leaf, const pq_str *s) {
    if (!s->ptr) {
        lake_buf_putc(b, '-');
        return;
    }
    pq_value v;
    pq_value_decode(leaf, (const uint8_t *)s->ptr, s->len, &v);
    switch (v.kind) {
    case PQ_VAL_STRING:
    case PQ_VAL_BYTES: {
        size_t n = v.n < 24 ? v.n : 24;
        if (v.kind == PQ_VAL_BYTES) {
            lake_buf_puts(b, "0x");
            inspect_hex(b, v.p, n);
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
        lj_emit_double(b, v.d);
        break;
    default: {
        lake_buf tmp;
        lake_buf_init(&tmp);
        inspect_json_value(&tmp, &v);
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

static void text_file(lake_buf *b, const lake_inspect_file *fv) {
    const pq_file_meta *m = fv->meta;
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

void lake_inspect_text(const lake_inspect_report *r, lake_buf *out) {
    for (size_t i = 0; i < r->nfiles; i++) {
        if (i)
            lake_buf_putc(out, '\n');
        text_file(out, &r->files[i]);
    }
    if (r->single)
        return;
    lake_buf_printf(out,
                    "\ntotal: %zu files, %llu rows, %llu row groups, %llu bytes "
                    "(%llu compressed, %llu uncompressed column data)\n",
                    r->nfiles, (unsigned long long)r->rows, (unsigned long long)r->row_groups,
                    (unsigned long long)r->bytes, (unsigned long long)r->compressed,
                    (unsigned long long)r->uncompressed);
}
