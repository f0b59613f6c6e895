/* FileMetaData validation: what decoding each structure alone cannot see. The schema tree must
 * match num_children (and gets its levels, leaf indices and dotted paths here), every row group
 * must have one column chunk per leaf with the leaf's path and type, and offsets and sizes must
 * lie inside the file's data area. */
#include "parquet/read/reader_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SCHEMA_MAX_DEPTH 64

static const char *elem_name(const pq_schema_elem *e) {
    return e->name.ptr ? e->name.ptr : "?";
}

static lake_rc walk_schema(pq_meta_reader *r, pq_file_meta *m, size_t parent, size_t *next,
                           int depth) {
    const pq_schema_elem *pe = &m->schema[parent];
    if (depth > SCHEMA_MAX_DEPTH)
        return lake_error_set(r->d.err, LAKE_ERR_PARSE, "schema nested deeper than %d levels",
                              SCHEMA_MAX_DEPTH);
    for (int32_t c = 0; c < pe->num_children; c++) {
        if (*next >= m->nschema)
            return lake_error_set(r->d.err, LAKE_ERR_PARSE,
                                  "schema element %zu (%s) declares %d children but the schema "
                                  "ends after %zu elements",
                                  parent, elem_name(pe), pe->num_children, m->nschema);
        size_t i = (*next)++;
        pq_schema_elem *e = &m->schema[i];
        if (e->repetition < 0)
            return lake_error_set(r->d.err, LAKE_ERR_PARSE,
                                  "schema element %zu (%s) has no repetition_type", i,
                                  elem_name(e));
        e->max_def = pe->max_def + (e->repetition != 0);
        e->max_rep = pe->max_rep + (e->repetition == 2);
        if (parent == 0) {
            e->path = e->name;
        } else {
            size_t n = pe->path.len + 1 + e->name.len;
            char *p = pq_meta_alloc(r, n + 1, 1);
            if (!p)
                return r->d.rc;
            memcpy(p, pe->path.ptr, pe->path.len);
            p[pe->path.len] = '.';
            memcpy(p + pe->path.len + 1, e->name.ptr, e->name.len);
            e->path.ptr = p;
            e->path.len = n;
        }
        bool group = e->type < 0 || e->num_children > 0;
        if (group && e->type >= 0)
            return lake_error_set(r->d.err, LAKE_ERR_PARSE,
                                  "schema element %zu (%s) has both a type and %d children", i,
                                  elem_name(e), e->num_children);
        if (group) {
            if (e->num_children < 0)
                return lake_error_set(r->d.err, LAKE_ERR_PARSE,
                                      "schema element %zu (%s) has neither a type nor children", i,
                                      elem_name(e));
            lake_rc rc = walk_schema(r, m, i, next, depth + 1);
            if (rc)
                return rc;
        } else {
            if (e->type == PQ_TYPE_FIXED_LEN_BYTE_ARRAY && e->type_length <= 0)
                return lake_error_set(r->d.err, LAKE_ERR_PARSE,
                                      "schema element %zu (%s) is FIXED_LEN_BYTE_ARRAY without a "
                                      "positive type_length",
                                      i, elem_name(e));
            e->leaf_index = (int32_t)m->nleaves;
            m->leaves[m->nleaves++] = i;
        }
    }
    return LAKE_OK;
}

static lake_rc check_schema(pq_meta_reader *r, pq_file_meta *m) {
    if (m->nschema == 0)
        return lake_error_set(r->d.err, LAKE_ERR_PARSE, "the schema is empty");
    pq_schema_elem *root = &m->schema[0];
    if (root->num_children < 0 || root->type >= 0)
        return lake_error_set(r->d.err, LAKE_ERR_PARSE,
                              "the schema root (%s) is not a group with num_children",
                              elem_name(root));
    m->leaves = pq_meta_alloc(r, m->nschema, sizeof *m->leaves);
    if (r->d.rc)
        return r->d.rc;
    size_t next = 1;
    lake_rc rc = walk_schema(r, m, 0, &next, 1);
    if (rc)
        return rc;
    if (next != m->nschema)
        return lake_error_set(r->d.err, LAKE_ERR_PARSE,
                              "schema has %zu elements but its tree from the root covers %zu",
                              m->nschema, next);
    if (m->ncolumn_orders && m->ncolumn_orders != m->nleaves)
        return lake_error_set(r->d.err, LAKE_ERR_PARSE, "%zu column orders for %zu leaf columns",
                              m->ncolumn_orders, m->nleaves);
    return LAKE_OK;
}

/* Size a PLAIN statistics value of this leaf must have; 0 = variable. */
static size_t stat_width(const pq_schema_elem *e) {
    static const size_t widths[] = {1, 4, 8, 12, 4, 8, 0, 0};
    if (e->type == PQ_TYPE_FIXED_LEN_BYTE_ARRAY)
        return e->type_length > 0 ? (size_t)e->type_length : 0;
    return widths[e->type];
}

static bool path_matches(const pq_column_chunk *cc, const pq_schema_elem *leaf) {
    size_t pos = 0;
    for (size_t k = 0; k < cc->npath; k++) {
        const pq_str *c = &cc->path[k];
        if (k && (pos >= leaf->path.len || leaf->path.ptr[pos++] != '.'))
            return false;
        if (c->len > leaf->path.len - pos || memcmp(leaf->path.ptr + pos, c->ptr, c->len))
            return false;
        pos += c->len;
    }
    return pos == leaf->path.len;
}

typedef struct {
    size_t g, c;
    const char *name;
    uint64_t data_end; /* footer offset: pages and indexes lie in [4, data_end) */
    lake_error *err;
} chunk_ctx;

static lake_rc chunk_fail(const chunk_ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static lake_rc chunk_fail(const chunk_ctx *x, const char *fmt, ...) {
    char detail[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return lake_error_set(x->err, LAKE_ERR_PARSE, "row group %zu, column %zu (%s): %s", x->g, x->c,
                          x->name, detail);
}

/* off..off+size must lie in the data area; size < 0 means "unknown length". */
static lake_rc check_region(const chunk_ctx *x, const char *what, int64_t off, int64_t size) {
    if (off < 4 || (uint64_t)off >= x->data_end)
        return chunk_fail(x, "%s %lld outside the data area [4, %llu)", what, (long long)off,
                          (unsigned long long)x->data_end);
    if (size >= 0 && (uint64_t)size > x->data_end - (uint64_t)off)
        return chunk_fail(x, "%s %lld plus length %lld runs past the data area end %llu", what,
                          (long long)off, (long long)size, (unsigned long long)x->data_end);
    return LAKE_OK;
}

static lake_rc check_stat(const chunk_ctx *x, const pq_schema_elem *leaf, const char *what,
                          const pq_str *v) {
    size_t w = stat_width(leaf);
    if (v->ptr && w && v->len != w)
        return chunk_fail(x, "statistics %s has %zu bytes, a %s value has %zu", what, v->len,
                          pq_type_name(leaf->type), w);
    return LAKE_OK;
}

/* Where a chunk's pages lie. A chunk without values may have no data page, and then writers put
 * 0 in data_page_offset: parquet-cpp (Arrow 17) writes an empty chunk as its dictionary page
 * alone, or as nothing at all (column_chunk_key_value_metadata.parquet of parquet-testing). */
static lake_rc check_pages(const chunk_ctx *x, const pq_column_chunk *cc) {
    bool no_data_page = cc->num_values == 0 && cc->data_page_offset == 0;
    bool dict = cc->dictionary_page_offset > 0; /* some writers put 0 for "none" */
    if (no_data_page && !dict) {
        if (cc->total_compressed_size != 0)
            return chunk_fail(x, "%lld bytes but neither a data page nor a dictionary page offset",
                              (long long)cc->total_compressed_size);
        return LAKE_OK;
    }
    if (no_data_page)
        return check_region(x, "column chunk at", cc->dictionary_page_offset,
                            cc->total_compressed_size);
    int64_t start = dict ? cc->dictionary_page_offset : cc->data_page_offset;
    if (dict && cc->dictionary_page_offset >= cc->data_page_offset)
        return chunk_fail(x, "dictionary_page_offset %lld is not before data_page_offset %lld",
                          (long long)cc->dictionary_page_offset, (long long)cc->data_page_offset);
    if (check_region(x, "column chunk at", start, cc->total_compressed_size) ||
        check_region(x, "data_page_offset", cc->data_page_offset, -1))
        return LAKE_ERR_PARSE;
    if (cc->total_compressed_size <= cc->data_page_offset - start)
        return chunk_fail(x, "data_page_offset %lld lies past the chunk's %lld bytes",
                          (long long)cc->data_page_offset, (long long)cc->total_compressed_size);
    return LAKE_OK;
}

/* The page index and bloom filter, where the chunk names them. index_page_offset is not among
 * them: parquet.thrift keeps it, but no writer writes index pages and no reader reads them, and
 * parquet-cpp 1.3 wrote 0 there (nan_in_stats.parquet): it is shown as written, never judged. */
static lake_rc check_indexes(const chunk_ctx *x, const pq_column_chunk *cc) {
    if (cc->bloom_filter_offset >= 0 &&
        check_region(x, "bloom_filter_offset", cc->bloom_filter_offset, cc->bloom_filter_length))
        return LAKE_ERR_PARSE;
    if (cc->offset_index_offset >= 0 &&
        check_region(x, "offset_index_offset", cc->offset_index_offset, cc->offset_index_length))
        return LAKE_ERR_PARSE;
    if (cc->column_index_offset >= 0 &&
        check_region(x, "column_index_offset", cc->column_index_offset, cc->column_index_length))
        return LAKE_ERR_PARSE;
    return LAKE_OK;
}

static lake_rc check_chunk(const chunk_ctx *x, const pq_column_chunk *cc,
                           const pq_schema_elem *leaf, const pq_row_group *rg) {
    if (!path_matches(cc, leaf))
        return chunk_fail(x, "path_in_schema does not match the schema leaf %s", leaf->path.ptr);
    if (cc->type != leaf->type)
        return chunk_fail(x, "type %s differs from the schema's %s", pq_type_name(cc->type),
                          pq_type_name(leaf->type));
    if (cc->num_values < 0 || cc->total_compressed_size < 0 || cc->total_uncompressed_size < 0)
        return chunk_fail(x, "negative num_values or size");
    if (leaf->max_rep == 0 && cc->num_values != rg->num_rows)
        return chunk_fail(x, "num_values %lld differs from the row group's %lld rows",
                          (long long)cc->num_values, (long long)rg->num_rows);
    if (!cc->file_path.ptr && (check_pages(x, cc) || check_indexes(x, cc)))
        return LAKE_ERR_PARSE;
    const pq_stats *st = &cc->stats;
    if (check_stat(x, leaf, "min", &st->min) || check_stat(x, leaf, "max", &st->max) ||
        check_stat(x, leaf, "min_value", &st->min_value) ||
        check_stat(x, leaf, "max_value", &st->max_value))
        return LAKE_ERR_PARSE;
    if (st->null_count < -1 || st->nan_count < -1 || st->distinct_count < -1)
        return chunk_fail(x, "negative count in statistics");
    if (st->null_count > cc->num_values)
        return chunk_fail(x, "null_count %lld exceeds num_values %lld", (long long)st->null_count,
                          (long long)cc->num_values);
    return LAKE_OK;
}

static lake_rc check_row_groups(pq_meta_reader *r, pq_file_meta *m) {
    lake_error *err = r->d.err;
    int64_t rows = 0;
    for (size_t g = 0; g < m->nrow_groups; g++) {
        const pq_row_group *rg = &m->row_groups[g];
        if (rg->num_rows < 0 || rg->total_byte_size < 0)
            return lake_error_set(err, LAKE_ERR_PARSE, "row group %zu: negative num_rows or size",
                                  g);
        if (rg->num_rows > INT64_MAX - rows)
            return lake_error_set(err, LAKE_ERR_PARSE, "row group %zu: row count overflows", g);
        rows += rg->num_rows;
        if (rg->ncolumns != m->nleaves)
            return lake_error_set(err, LAKE_ERR_PARSE,
                                  "row group %zu has %zu column chunks, the schema %zu leaf "
                                  "columns",
                                  g, rg->ncolumns, m->nleaves);
        for (size_t c = 0; c < rg->ncolumns; c++) {
            const pq_schema_elem *leaf = &m->schema[m->leaves[c]];
            chunk_ctx x = {g, c, leaf->path.ptr, m->footer_offset, err};
            if (check_chunk(&x, &rg->columns[c], leaf, rg))
                return LAKE_ERR_PARSE;
        }
    }
    if (rows != m->num_rows)
        return lake_error_set(err, LAKE_ERR_PARSE,
                              "num_rows %lld differs from the %lld rows of the row groups",
                              (long long)m->num_rows, (long long)rows);
    return LAKE_OK;
}

lake_rc pq_meta_check(pq_meta_reader *r, pq_file_meta *m) {
    lake_rc rc = check_schema(r, m);
    if (!rc)
        rc = check_row_groups(r, m);
    return rc;
}
