/* The inspection report as one JSON document: field names and order are a stable interface
 * (tests compare them with DuckDB's parquet_metadata()), so keep both. */
#include "inspect/inspect_render.h"
#include "json/emit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Parquet strings need not be UTF-8: those that are not are shown byte by byte as Latin-1. */
#define INSPECT_STR_FLAGS (LJ_EMIT_NL_TAB | LJ_EMIT_DEL | LJ_EMIT_LATIN1)

static void json_str(lake_buf *b, const void *p, size_t n) {
    lj_emit_string(b, p, n, INSPECT_STR_FLAGS);
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
    lj_emit_i64(b, v);
}

/* An optional number: null when absent (< 0). */
static void json_opt(lake_buf *b, bool *first, const char *k, int64_t v) {
    json_key(b, first, k);
    if (v < 0)
        lake_buf_puts(b, "null");
    else
        lj_emit_i64(b, v);
}

void inspect_hex(lake_buf *b, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        lake_buf_printf(b, "%02x", p[i]);
}

void inspect_json_value(lake_buf *b, const pq_value *v) {
    switch (v->kind) {
    case PQ_VAL_BOOL:
        lake_buf_puts(b, v->i ? "true" : "false");
        break;
    case PQ_VAL_INT:
        lj_emit_i64(b, v->i);
        break;
    case PQ_VAL_UINT:
        lj_emit_u64(b, v->u);
        break;
    case PQ_VAL_DOUBLE:
        if (isnan(v->d)) {
            lake_buf_puts(b, "\"NaN\"");
        } else if (isinf(v->d)) {
            lake_buf_puts(b, v->d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        } else {
            lj_emit_double(b, v->d);
        }
        break;
    case PQ_VAL_STRING:
        json_str(b, v->p, v->n);
        break;
    case PQ_VAL_BYTES:
        lake_buf_puts(b, "{\"hex\":\"");
        inspect_hex(b, v->p, v->n);
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
    inspect_json_value(b, &v);
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

static void json_file(lake_buf *b, const lake_inspect_file *fv) {
    const pq_file_meta *m = fv->meta;
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

void lake_inspect_json(const lake_inspect_report *r, lake_buf *out) {
    lake_buf_puts(out, "{\"path\":");
    json_cstr(out, r->path);
    lake_buf_puts(out, ",\"files\":[");
    for (size_t i = 0; i < r->nfiles; i++) {
        if (i)
            lake_buf_putc(out, ',');
        json_file(out, &r->files[i]);
    }
    lake_buf_printf(out,
                    "],\"totals\":{\"files\":%zu,\"rows\":%llu,\"row_groups\":%llu,"
                    "\"compressed_size\":%llu,\"uncompressed_size\":%llu,"
                    "\"file_size\":%llu}}\n",
                    r->nfiles, (unsigned long long)r->rows, (unsigned long long)r->row_groups,
                    (unsigned long long)r->compressed, (unsigned long long)r->uncompressed,
                    (unsigned long long)r->bytes);
}
