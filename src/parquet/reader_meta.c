/* FileMetaData decoder and validator (field ids from apache/parquet-format parquet.thrift).
 *
 * Decoding copies every string into the result's arena, so the metadata outlives the file bytes.
 * Validation then checks what decoding alone cannot: the schema tree against num_children, the
 * column chunks against the leaves, and offsets and sizes against the file. */
#include "lake/pqread.h"

#include "parquet/reader_thrift.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* More decoded structure than this is refused rather than allocated (the list-size check already
 * ties allocations to the footer's size; this caps the factor). */
#define PQ_READ_MAX_ALLOC ((size_t)1 << 30)

typedef struct {
    pq_td d;
    lake_arena *arena;
    size_t allocated;
} reader;

#define AT(r, name) ((r)->d.field = (name))

static void *ralloc(reader *r, size_t count, size_t size) {
    if (count == 0)
        return NULL;
    size_t n = count * size; /* count <= footer bytes and size is small: no overflow */
    if (n > PQ_READ_MAX_ALLOC - r->allocated) {
        r->d.rc = lake_error_set(r->d.err, LAKE_ERR_LIMIT,
                                 "footer decodes to more than %zu MiB of metadata",
                                 PQ_READ_MAX_ALLOC >> 20);
        return NULL;
    }
    r->allocated += n;
    void *p = lake_arena_alloc(r->arena, n);
    memset(p, 0, n);
    return p;
}

static lake_rc read_str(reader *r, uint8_t t, pq_str *out) {
    const uint8_t *p;
    size_t n;
    if (pq_td_binary(&r->d, t, &p, &n))
        return r->d.rc;
    out->ptr = lake_arena_strndup(r->arena, (const char *)p, n);
    out->len = n;
    return LAKE_OK;
}

/* Reads a list header and allocates room for its elements. */
static lake_rc read_list(reader *r, uint8_t t, uint8_t want, void **items, size_t size,
                         size_t *count) {
    uint8_t et;
    uint32_t n;
    if (pq_td_list(&r->d, t, &et, &n))
        return r->d.rc;
    if (n && et != want && !(want == PQ_TC_I32 && (et == PQ_TC_BYTE || et == PQ_TC_I16)))
        return pq_td_fail(&r->d, "list of %s where a list of %s belongs", pq_td_type_name(et),
                          pq_td_type_name(want));
    *items = ralloc(r, n, size);
    if (r->d.rc)
        return r->d.rc;
    *count = n;
    return LAKE_OK;
}

/* Fields of a struct: `for (FIELDS(r, s, id, t)) switch (id) {...}` style loop helpers. */
static bool next_field(reader *r, pq_td_struct *s, const char *name, int16_t *id, uint8_t *t) {
    AT(r, name);
    if (pq_td_field(&r->d, s, id, t))
        return false;
    return *t != PQ_TC_STOP;
}

/* An empty marker struct (StringType, MicroSeconds, TypeDefinedOrder ...): fields are skipped. */
static lake_rc skip_struct_value(reader *r, uint8_t t, const char *name) {
    AT(r, name);
    if (t != PQ_TC_STRUCT)
        return pq_td_fail(&r->d, "expected struct, found %s", pq_td_type_name(t));
    return pq_td_skip(&r->d, t);
}

/* ---- logical types ---- */

static lake_rc read_time_unit(reader *r, int *unit) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    int members = 0;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (next_field(r, &s, "TimeUnit", &id, &t)) {
        if (skip_struct_value(r, t, "TimeUnit"))
            return r->d.rc;
        *unit = id >= 1 && id <= 3 ? id : PQ_UNIT_NONE;
        members++;
    }
    if (!r->d.rc && members != 1)
        return pq_td_fail(&r->d, "TimeUnit union has %d members", members);
    return r->d.rc;
}

/* TimestampType and TimeType share their layout. */
static lake_rc read_time_type(reader *r, pq_logical *lt, const char *name) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (next_field(r, &s, name, &id, &t)) {
        if (id == 1)
            pq_td_bool(&r->d, t, false, &lt->adjusted_to_utc);
        else if (id == 2 && t == PQ_TC_STRUCT)
            read_time_unit(r, &lt->unit);
        else if (id == 2)
            pq_td_fail(&r->d, "unit is a %s, expected struct", pq_td_type_name(t));
        else
            pq_td_skip(&r->d, t);
    }
    return r->d.rc;
}

static lake_rc read_int_type(reader *r, pq_logical *lt) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (next_field(r, &s, "IntType", &id, &t)) {
        int8_t bw;
        if (id == 1 && !pq_td_i8(&r->d, t, &bw))
            lt->bit_width = bw;
        else if (id == 2)
            pq_td_bool(&r->d, t, false, &lt->is_signed);
        else if (id != 1)
            pq_td_skip(&r->d, t);
    }
    return r->d.rc;
}

static lake_rc read_decimal_type(reader *r, pq_logical *lt) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (next_field(r, &s, "DecimalType", &id, &t)) {
        if (id == 1)
            pq_td_i32(&r->d, t, &lt->scale);
        else if (id == 2)
            pq_td_i32(&r->d, t, &lt->precision);
        else
            pq_td_skip(&r->d, t);
    }
    return r->d.rc;
}

static lake_rc read_logical(reader *r, pq_logical *lt) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    int members = 0;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (next_field(r, &s, "LogicalType", &id, &t)) {
        if (++members > 1)
            return pq_td_fail(&r->d, "LogicalType union has more than one member");
        if (t != PQ_TC_STRUCT)
            return pq_td_fail(&r->d, "LogicalType member %d is a %s, expected struct", id,
                              pq_td_type_name(t));
        bool known = (id >= 1 && id <= 8) || (id >= 10 && id <= 19);
        lt->kind = known ? (pq_logical_kind)id : PQ_LT_OTHER;
        lt->other_id = known ? 0 : id;
        if (id == PQ_LT_TIMESTAMP)
            read_time_type(r, lt, "TimestampType");
        else if (id == PQ_LT_TIME)
            read_time_type(r, lt, "TimeType");
        else if (id == PQ_LT_INTEGER)
            read_int_type(r, lt);
        else if (id == PQ_LT_DECIMAL)
            read_decimal_type(r, lt);
        else
            pq_td_skip(&r->d, t);
    }
    return r->d.rc;
}

/* ---- schema ---- */

static lake_rc read_schema_elem(reader *r, pq_schema_elem *e) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    bool has_name = false;
    e->type = e->type_length = e->repetition = e->num_children = e->converted_type = -1;
    e->scale = e->precision = e->field_id = -1;
    e->leaf_index = -1;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (next_field(r, &s, "SchemaElement", &id, &t)) {
        switch (id) {
        case 1:
            AT(r, "SchemaElement.type");
            if (!pq_td_i32(&r->d, t, &e->type) && (e->type < 0 || e->type > 7))
                pq_td_fail(&r->d, "unknown physical type %d", e->type);
            break;
        case 2:
            AT(r, "SchemaElement.type_length");
            pq_td_i32(&r->d, t, &e->type_length);
            break;
        case 3:
            AT(r, "SchemaElement.repetition_type");
            if (!pq_td_i32(&r->d, t, &e->repetition) && (e->repetition < 0 || e->repetition > 3))
                pq_td_fail(&r->d, "unknown repetition type %d", e->repetition);
            break;
        case 4:
            AT(r, "SchemaElement.name");
            has_name = !read_str(r, t, &e->name);
            break;
        case 5:
            AT(r, "SchemaElement.num_children");
            if (!pq_td_i32(&r->d, t, &e->num_children) && e->num_children < 0)
                pq_td_fail(&r->d, "negative num_children %d", e->num_children);
            break;
        case 6:
            AT(r, "SchemaElement.converted_type");
            if (!pq_td_i32(&r->d, t, &e->converted_type) && e->converted_type < 0)
                pq_td_fail(&r->d, "negative converted_type %d", e->converted_type);
            break;
        case 7:
            AT(r, "SchemaElement.scale");
            pq_td_i32(&r->d, t, &e->scale);
            break;
        case 8:
            AT(r, "SchemaElement.precision");
            pq_td_i32(&r->d, t, &e->precision);
            break;
        case 9:
            AT(r, "SchemaElement.field_id");
            e->has_field_id = !pq_td_i32(&r->d, t, &e->field_id);
            break;
        case 10:
            AT(r, "SchemaElement.logicalType");
            if (t != PQ_TC_STRUCT)
                pq_td_fail(&r->d, "expected struct, found %s", pq_td_type_name(t));
            else
                read_logical(r, &e->logical);
            break;
        default:
            pq_td_skip(&r->d, t);
        }
        if (r->d.rc)
            return r->d.rc;
    }
    if (!r->d.rc && !has_name)
        return pq_td_fail(&r->d, "schema element without a name");
    return r->d.rc;
}

/* ---- statistics, key/value, column chunks ---- */

static lake_rc read_stats(reader *r, pq_stats *st) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    bool b;
    st->present = true;
    st->null_count = st->distinct_count = st->nan_count = -1;
    st->min_exact = st->max_exact = -1;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (next_field(r, &s, "Statistics", &id, &t)) {
        switch (id) {
        case 1:
            AT(r, "Statistics.max");
            read_str(r, t, &st->max);
            break;
        case 2:
            AT(r, "Statistics.min");
            read_str(r, t, &st->min);
            break;
        case 3:
            AT(r, "Statistics.null_count");
            pq_td_i64(&r->d, t, &st->null_count);
            break;
        case 4:
            AT(r, "Statistics.distinct_count");
            pq_td_i64(&r->d, t, &st->distinct_count);
            break;
        case 5:
            AT(r, "Statistics.max_value");
            read_str(r, t, &st->max_value);
            break;
        case 6:
            AT(r, "Statistics.min_value");
            read_str(r, t, &st->min_value);
            break;
        case 7:
            AT(r, "Statistics.is_max_value_exact");
            if (!pq_td_bool(&r->d, t, false, &b))
                st->max_exact = b;
            break;
        case 8:
            AT(r, "Statistics.is_min_value_exact");
            if (!pq_td_bool(&r->d, t, false, &b))
                st->min_exact = b;
            break;
        case 9:
            AT(r, "Statistics.nan_count");
            pq_td_i64(&r->d, t, &st->nan_count);
            break;
        default:
            pq_td_skip(&r->d, t);
        }
        if (r->d.rc)
            return r->d.rc;
    }
    return r->d.rc;
}

static lake_rc read_kv_list(reader *r, uint8_t t, pq_kv **kv, size_t *n) {
    if (read_list(r, t, PQ_TC_STRUCT, (void **)kv, sizeof **kv, n))
        return r->d.rc;
    for (size_t i = 0; i < *n; i++) {
        pq_td_struct s;
        int16_t id;
        uint8_t ft;
        bool has_key = false;
        if (pq_td_struct_begin(&r->d, &s))
            return r->d.rc;
        while (next_field(r, &s, "KeyValue", &id, &ft)) {
            if (id == 1)
                has_key = !read_str(r, ft, &(*kv)[i].key);
            else if (id == 2)
                read_str(r, ft, &(*kv)[i].value);
            else
                pq_td_skip(&r->d, ft);
        }
        if (!r->d.rc && !has_key)
            return pq_td_fail(&r->d, "KeyValue without a key");
    }
    return r->d.rc;
}

static lake_rc read_enc_stats(reader *r, uint8_t t, pq_column_chunk *cc) {
    if (read_list(r, t, PQ_TC_STRUCT, (void **)&cc->enc_stats, sizeof *cc->enc_stats,
                  &cc->nenc_stats))
        return r->d.rc;
    for (size_t i = 0; i < cc->nenc_stats; i++) {
        pq_enc_stat *es = &cc->enc_stats[i];
        pq_td_struct s;
        int16_t id;
        uint8_t ft;
        unsigned seen = 0;
        if (pq_td_struct_begin(&r->d, &s))
            return r->d.rc;
        while (next_field(r, &s, "PageEncodingStats", &id, &ft)) {
            if (id >= 1 && id <= 3) {
                int32_t *dst = id == 1 ? &es->page_type : id == 2 ? &es->encoding : &es->count;
                pq_td_i32(&r->d, ft, dst);
                seen |= 1u << id;
            } else {
                pq_td_skip(&r->d, ft);
            }
        }
        if (!r->d.rc && seen != 0xe)
            return pq_td_fail(&r->d, "PageEncodingStats lacks a required field");
    }
    return r->d.rc;
}

/* Required ColumnMetaData fields, as bits of their ids. */
#define CMD_REQUIRED                                                                               \
    ((1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 9))

static lake_rc read_column_meta(reader *r, pq_column_chunk *cc) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    unsigned seen = 0;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (next_field(r, &s, "ColumnMetaData", &id, &t)) {
        if (id > 0 && id < 32)
            seen |= 1u << id;
        switch (id) {
        case 1:
            AT(r, "ColumnMetaData.type");
            pq_td_i32(&r->d, t, &cc->type);
            break;
        case 2:
            AT(r, "ColumnMetaData.encodings");
            if (!read_list(r, t, PQ_TC_I32, (void **)&cc->encodings, sizeof *cc->encodings,
                           &cc->nencodings))
                for (size_t i = 0; i < cc->nencodings && !r->d.rc; i++)
                    pq_td_i32(&r->d, PQ_TC_I32, &cc->encodings[i]);
            break;
        case 3:
            AT(r, "ColumnMetaData.path_in_schema");
            if (!read_list(r, t, PQ_TC_BINARY, (void **)&cc->path, sizeof *cc->path, &cc->npath))
                for (size_t i = 0; i < cc->npath && !r->d.rc; i++)
                    read_str(r, PQ_TC_BINARY, &cc->path[i]);
            break;
        case 4:
            AT(r, "ColumnMetaData.codec");
            pq_td_i32(&r->d, t, &cc->codec);
            break;
        case 5:
            AT(r, "ColumnMetaData.num_values");
            pq_td_i64(&r->d, t, &cc->num_values);
            break;
        case 6:
            AT(r, "ColumnMetaData.total_uncompressed_size");
            pq_td_i64(&r->d, t, &cc->total_uncompressed_size);
            break;
        case 7:
            AT(r, "ColumnMetaData.total_compressed_size");
            pq_td_i64(&r->d, t, &cc->total_compressed_size);
            break;
        case 8:
            AT(r, "ColumnMetaData.key_value_metadata");
            read_kv_list(r, t, &cc->kv, &cc->nkv);
            break;
        case 9:
            AT(r, "ColumnMetaData.data_page_offset");
            pq_td_i64(&r->d, t, &cc->data_page_offset);
            break;
        case 10:
            AT(r, "ColumnMetaData.index_page_offset");
            pq_td_i64(&r->d, t, &cc->index_page_offset);
            break;
        case 11:
            AT(r, "ColumnMetaData.dictionary_page_offset");
            pq_td_i64(&r->d, t, &cc->dictionary_page_offset);
            break;
        case 12:
            AT(r, "ColumnMetaData.statistics");
            if (t != PQ_TC_STRUCT)
                pq_td_fail(&r->d, "expected struct, found %s", pq_td_type_name(t));
            else
                read_stats(r, &cc->stats);
            break;
        case 13:
            AT(r, "ColumnMetaData.encoding_stats");
            read_enc_stats(r, t, cc);
            break;
        case 14:
            AT(r, "ColumnMetaData.bloom_filter_offset");
            pq_td_i64(&r->d, t, &cc->bloom_filter_offset);
            break;
        case 15:
            AT(r, "ColumnMetaData.bloom_filter_length");
            pq_td_i32(&r->d, t, &cc->bloom_filter_length);
            break;
        default:
            pq_td_skip(&r->d, t);
        }
        if (r->d.rc)
            return r->d.rc;
    }
    if (!r->d.rc && (seen & CMD_REQUIRED) != CMD_REQUIRED)
        return pq_td_fail(&r->d, "ColumnMetaData lacks required field %d",
                          __builtin_ctz(CMD_REQUIRED & ~seen));
    return r->d.rc;
}

static lake_rc read_column_chunk(reader *r, pq_column_chunk *cc) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    bool has_meta = false, encrypted = false;
    cc->index_page_offset = cc->dictionary_page_offset = cc->bloom_filter_offset = -1;
    cc->bloom_filter_length = -1;
    cc->offset_index_offset = cc->column_index_offset = -1;
    cc->offset_index_length = cc->column_index_length = -1;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (next_field(r, &s, "ColumnChunk", &id, &t)) {
        switch (id) {
        case 1:
            AT(r, "ColumnChunk.file_path");
            read_str(r, t, &cc->file_path);
            break;
        case 2:
            AT(r, "ColumnChunk.file_offset");
            pq_td_i64(&r->d, t, &cc->file_offset);
            break;
        case 3:
            AT(r, "ColumnChunk.meta_data");
            if (t != PQ_TC_STRUCT)
                pq_td_fail(&r->d, "expected struct, found %s", pq_td_type_name(t));
            else
                has_meta = !read_column_meta(r, cc);
            break;
        case 4:
            AT(r, "ColumnChunk.offset_index_offset");
            pq_td_i64(&r->d, t, &cc->offset_index_offset);
            break;
        case 5:
            AT(r, "ColumnChunk.offset_index_length");
            pq_td_i32(&r->d, t, &cc->offset_index_length);
            break;
        case 6:
            AT(r, "ColumnChunk.column_index_offset");
            pq_td_i64(&r->d, t, &cc->column_index_offset);
            break;
        case 7:
            AT(r, "ColumnChunk.column_index_length");
            pq_td_i32(&r->d, t, &cc->column_index_length);
            break;
        case 8:
        case 9:
            encrypted = true;
            pq_td_skip(&r->d, t);
            break;
        default:
            pq_td_skip(&r->d, t);
        }
        if (r->d.rc)
            return r->d.rc;
    }
    if (!has_meta) {
        if (encrypted)
            return r->d.rc = lake_error_set(r->d.err, LAKE_ERR_UNSUPPORTED,
                                            "encrypted column chunks are not supported");
        return pq_td_fail(&r->d, "column chunk without meta_data");
    }
    return LAKE_OK;
}

static lake_rc read_row_group(reader *r, pq_row_group *rg) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    unsigned seen = 0;
    rg->file_offset = rg->total_compressed_size = -1;
    rg->ordinal = -1;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (next_field(r, &s, "RowGroup", &id, &t)) {
        if (id > 0 && id < 32)
            seen |= 1u << id;
        int16_t ord;
        switch (id) {
        case 1:
            AT(r, "RowGroup.columns");
            if (!read_list(r, t, PQ_TC_STRUCT, (void **)&rg->columns, sizeof *rg->columns,
                           &rg->ncolumns))
                for (size_t i = 0; i < rg->ncolumns && !r->d.rc; i++)
                    read_column_chunk(r, &rg->columns[i]);
            break;
        case 2:
            AT(r, "RowGroup.total_byte_size");
            pq_td_i64(&r->d, t, &rg->total_byte_size);
            break;
        case 3:
            AT(r, "RowGroup.num_rows");
            pq_td_i64(&r->d, t, &rg->num_rows);
            break;
        case 4: {
            AT(r, "RowGroup.sorting_columns");
            uint8_t et;
            uint32_t n;
            if (!pq_td_list(&r->d, t, &et, &n)) {
                rg->nsorting_columns = n;
                for (uint32_t i = 0; i < n && !r->d.rc; i++)
                    pq_td_skip(&r->d, et);
            }
            break;
        }
        case 5:
            AT(r, "RowGroup.file_offset");
            pq_td_i64(&r->d, t, &rg->file_offset);
            break;
        case 6:
            AT(r, "RowGroup.total_compressed_size");
            pq_td_i64(&r->d, t, &rg->total_compressed_size);
            break;
        case 7:
            AT(r, "RowGroup.ordinal");
            if (!pq_td_i16(&r->d, t, &ord))
                rg->ordinal = ord;
            break;
        default:
            pq_td_skip(&r->d, t);
        }
        if (r->d.rc)
            return r->d.rc;
    }
    unsigned req = (1u << 1) | (1u << 2) | (1u << 3);
    if (!r->d.rc && (seen & req) != req)
        return pq_td_fail(&r->d, "RowGroup lacks required field %d", __builtin_ctz(req & ~seen));
    return r->d.rc;
}

static lake_rc read_column_orders(reader *r, uint8_t t, pq_file_meta *m) {
    if (read_list(r, t, PQ_TC_STRUCT, (void **)&m->column_orders, sizeof *m->column_orders,
                  &m->ncolumn_orders))
        return r->d.rc;
    for (size_t i = 0; i < m->ncolumn_orders; i++) {
        pq_td_struct s;
        int16_t id;
        uint8_t ft;
        if (pq_td_struct_begin(&r->d, &s))
            return r->d.rc;
        while (next_field(r, &s, "ColumnOrder", &id, &ft)) {
            m->column_orders[i] = id;
            skip_struct_value(r, ft, "ColumnOrder");
        }
    }
    return r->d.rc;
}

static lake_rc read_file_meta(reader *r, pq_file_meta *m) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    unsigned seen = 0;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (next_field(r, &s, "FileMetaData", &id, &t)) {
        if (id > 0 && id < 32)
            seen |= 1u << id;
        switch (id) {
        case 1:
            AT(r, "FileMetaData.version");
            pq_td_i32(&r->d, t, &m->version);
            break;
        case 2:
            AT(r, "FileMetaData.schema");
            if (!read_list(r, t, PQ_TC_STRUCT, (void **)&m->schema, sizeof *m->schema, &m->nschema))
                for (size_t i = 0; i < m->nschema && !r->d.rc; i++)
                    read_schema_elem(r, &m->schema[i]);
            break;
        case 3:
            AT(r, "FileMetaData.num_rows");
            pq_td_i64(&r->d, t, &m->num_rows);
            break;
        case 4:
            AT(r, "FileMetaData.row_groups");
            if (!read_list(r, t, PQ_TC_STRUCT, (void **)&m->row_groups, sizeof *m->row_groups,
                           &m->nrow_groups))
                for (size_t i = 0; i < m->nrow_groups && !r->d.rc; i++)
                    read_row_group(r, &m->row_groups[i]);
            break;
        case 5:
            AT(r, "FileMetaData.key_value_metadata");
            read_kv_list(r, t, &m->kv, &m->nkv);
            break;
        case 6:
            AT(r, "FileMetaData.created_by");
            read_str(r, t, &m->created_by);
            break;
        case 7:
            AT(r, "FileMetaData.column_orders");
            read_column_orders(r, t, m);
            break;
        default:
            pq_td_skip(&r->d, t);
        }
        if (r->d.rc)
            return r->d.rc;
    }
    if (r->d.rc)
        return r->d.rc;
    AT(r, NULL);
    unsigned req = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4);
    if ((seen & req) != req)
        return pq_td_fail(&r->d, "FileMetaData lacks required field %d",
                          __builtin_ctz(req & ~seen));
    if (r->d.p != r->d.end)
        return pq_td_fail(&r->d, "%zu bytes follow FileMetaData inside the footer length",
                          (size_t)(r->d.end - r->d.p));
    return LAKE_OK;
}

/* ---- validation ---- */

#define SCHEMA_MAX_DEPTH 64

static const char *elem_name(const pq_schema_elem *e) {
    return e->name.ptr ? e->name.ptr : "?";
}

static lake_rc walk_schema(reader *r, pq_file_meta *m, size_t parent, size_t *next, int depth) {
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
            char *p = ralloc(r, n + 1, 1);
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

static lake_rc check_schema(reader *r, pq_file_meta *m) {
    if (m->nschema == 0)
        return lake_error_set(r->d.err, LAKE_ERR_PARSE, "the schema is empty");
    pq_schema_elem *root = &m->schema[0];
    if (root->num_children < 0 || root->type >= 0)
        return lake_error_set(r->d.err, LAKE_ERR_PARSE,
                              "the schema root (%s) is not a group with num_children",
                              elem_name(root));
    m->leaves = ralloc(r, m->nschema, sizeof *m->leaves);
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
    if (!cc->file_path.ptr) {
        int64_t start = cc->data_page_offset;
        if (cc->dictionary_page_offset > 0) { /* some writers put 0 for "none" */
            if (cc->dictionary_page_offset >= cc->data_page_offset)
                return chunk_fail(x,
                                  "dictionary_page_offset %lld is not before data_page_offset "
                                  "%lld",
                                  (long long)cc->dictionary_page_offset,
                                  (long long)cc->data_page_offset);
            start = cc->dictionary_page_offset;
        }
        if (check_region(x, "column chunk at", start, cc->total_compressed_size) ||
            check_region(x, "data_page_offset", cc->data_page_offset, -1))
            return LAKE_ERR_PARSE;
        if (cc->total_compressed_size <= cc->data_page_offset - start)
            return chunk_fail(x, "data_page_offset %lld lies past the chunk's %lld bytes",
                              (long long)cc->data_page_offset,
                              (long long)cc->total_compressed_size);
        if (cc->index_page_offset >= 0 &&
            check_region(x, "index_page_offset", cc->index_page_offset, -1))
            return LAKE_ERR_PARSE;
        if (cc->bloom_filter_offset >= 0 &&
            check_region(x, "bloom_filter_offset", cc->bloom_filter_offset,
                         cc->bloom_filter_length))
            return LAKE_ERR_PARSE;
        if (cc->offset_index_offset >= 0 &&
            check_region(x, "offset_index_offset", cc->offset_index_offset,
                         cc->offset_index_length))
            return LAKE_ERR_PARSE;
        if (cc->column_index_offset >= 0 &&
            check_region(x, "column_index_offset", cc->column_index_offset,
                         cc->column_index_length))
            return LAKE_ERR_PARSE;
    }
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

static lake_rc check_row_groups(reader *r, pq_file_meta *m) {
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

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

lake_rc pq_read_footer(const uint8_t *file, size_t len, pq_file_meta **out, lake_error *err) {
    *out = NULL;
    if (len < 12)
        return lake_error_set(err, LAKE_ERR_PARSE,
                              "file is %zu bytes, too short for Parquet (at least 12)", len);
    if (memcmp(file, "PAR1", 4) != 0)
        return lake_error_set(err, LAKE_ERR_PARSE,
                              "not a Parquet file: no magic PAR1 at the start");
    if (memcmp(file + len - 4, "PARE", 4) == 0)
        return lake_error_set(err, LAKE_ERR_UNSUPPORTED,
                              "encrypted footer (magic PARE) is not supported");
    if (memcmp(file + len - 4, "PAR1", 4) != 0)
        return lake_error_set(err, LAKE_ERR_PARSE,
                              "no magic PAR1 at the end (truncated or not a Parquet file)");
    uint32_t flen = le32(file + len - 8);
    if ((uint64_t)flen > len - 12)
        return lake_error_set(err, LAKE_ERR_PARSE,
                              "footer length %u exceeds file size %zu (at most %zu fits)", flen,
                              len, len - 12);
    pq_file_meta *m = lake_xcalloc(1, sizeof *m);
    m->arena = lake_arena_create(64 * 1024);
    m->file_size = len;
    m->footer_len = flen;
    m->footer_offset = len - 8 - flen;
    reader r = {.arena = m->arena};
    pq_td_init(&r.d, file + m->footer_offset, flen, m->footer_offset, "footer", err);
    lake_rc rc = read_file_meta(&r, m);
    if (!rc)
        rc = check_schema(&r, m);
    if (!rc)
        rc = check_row_groups(&r, m);
    if (rc) {
        pq_file_meta_free(m);
        return rc;
    }
    *out = m;
    return LAKE_OK;
}

void pq_file_meta_free(pq_file_meta *m) {
    if (!m)
        return;
    lake_arena_free(m->arena);
    free(m);
}

/* ---- page headers ---- */

typedef struct {
    int32_t type, uncompressed, compressed, crc;
    bool has_crc;
    int32_t num_values; /* data page or dictionary page */
    bool has_body;
} page_header;

static lake_rc read_page_body(reader *r, uint8_t t, const char *name, page_header *h) {
    pq_td_struct s;
    int16_t id;
    uint8_t ft;
    AT(r, name);
    if (t != PQ_TC_STRUCT)
        return pq_td_fail(&r->d, "expected struct, found %s", pq_td_type_name(t));
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    bool has_count = false;
    while (next_field(r, &s, name, &id, &ft)) {
        if (id == 1)
            has_count = !pq_td_i32(&r->d, ft, &h->num_values);
        else
            pq_td_skip(&r->d, ft);
    }
    if (!r->d.rc && !has_count)
        return pq_td_fail(&r->d, "%s lacks num_values", name);
    if (!r->d.rc && h->num_values < 0)
        return pq_td_fail(&r->d, "negative num_values %d", h->num_values);
    h->has_body = true;
    return r->d.rc;
}

static lake_rc read_page_header(reader *r, page_header *h) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    unsigned seen = 0;
    memset(h, 0, sizeof *h);
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (next_field(r, &s, "PageHeader", &id, &t)) {
        if (id > 0 && id < 32)
            seen |= 1u << id;
        switch (id) {
        case 1:
            AT(r, "PageHeader.type");
            pq_td_i32(&r->d, t, &h->type);
            break;
        case 2:
            AT(r, "PageHeader.uncompressed_page_size");
            pq_td_i32(&r->d, t, &h->uncompressed);
            break;
        case 3:
            AT(r, "PageHeader.compressed_page_size");
            pq_td_i32(&r->d, t, &h->compressed);
            break;
        case 4:
            AT(r, "PageHeader.crc");
            h->has_crc = !pq_td_i32(&r->d, t, &h->crc);
            break;
        case 5:
            read_page_body(r, t, "DataPageHeader", h);
            break;
        case 7:
            read_page_body(r, t, "DictionaryPageHeader", h);
            break;
        case 8:
            read_page_body(r, t, "DataPageHeaderV2", h);
            break;
        default:
            pq_td_skip(&r->d, t);
        }
        if (r->d.rc)
            return r->d.rc;
    }
    if (r->d.rc)
        return r->d.rc;
    unsigned req = (1u << 1) | (1u << 2) | (1u << 3);
    if ((seen & req) != req)
        return pq_td_fail(&r->d, "PageHeader lacks required field %d", __builtin_ctz(req & ~seen));
    if (h->uncompressed < 0 || h->compressed < 0)
        return pq_td_fail(&r->d, "negative page size");
    int want = h->type == 0 ? 5 : h->type == 2 ? 7 : h->type == 3 ? 8 : 0;
    if (want && !(seen & (1u << want)))
        return pq_td_fail(&r->d, "%s page without its header", pq_page_type_name(h->type));
    return LAKE_OK;
}

static lake_rc scan_fail(lake_error *err, int64_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static lake_rc scan_fail(lake_error *err, int64_t off, const char *fmt, ...) {
    char detail[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return lake_error_set(err, LAKE_ERR_PARSE, "page at byte %lld: %s", (long long)off, detail);
}

lake_rc pq_scan_chunk(const uint8_t *file, size_t len, const pq_column_chunk *cc,
                      pq_chunk_scan *out, lake_error *err) {
    memset(out, 0, sizeof *out);
    if (cc->file_path.ptr)
        return lake_error_set(err, LAKE_ERR_UNSUPPORTED, "column chunk lives in file %s",
                              cc->file_path.ptr);
    int64_t start =
        cc->dictionary_page_offset > 0 ? cc->dictionary_page_offset : cc->data_page_offset;
    if (start < 0 || cc->total_compressed_size < 0 || (uint64_t)start > len ||
        (uint64_t)cc->total_compressed_size > len - (uint64_t)start)
        return lake_error_set(err, LAKE_ERR_PARSE, "column chunk lies outside the file");
    int64_t end = start + cc->total_compressed_size, pos = start;
    while (pos < end) {
        reader r = {0};
        page_header h;
        pq_td_init(&r.d, file + pos, (size_t)(end - pos), (uint64_t)pos, "page header", err);
        if (read_page_header(&r, &h))
            return r.d.rc;
        int64_t body = pos + (int64_t)pq_td_pos(&r.d);
        if (h.compressed > end - body)
            return scan_fail(err, pos, "%d bytes of page data run past the chunk end %lld",
                             h.compressed, (long long)end);
        if (h.has_crc) {
            uint32_t crc = (uint32_t)crc32(0L, file + body, (uInt)h.compressed);
            if (crc != (uint32_t)h.crc)
                return scan_fail(err, pos, "CRC mismatch: header says %08x, data has %08x",
                                 (uint32_t)h.crc, crc);
            out->crc_pages++;
        }
        if (h.type == 2) {
            if (out->pages)
                return scan_fail(err, pos, "dictionary page is not the first page of the chunk");
            out->has_dictionary = true;
            out->dict_entries = h.num_values;
            out->dict_compressed_size = h.compressed;
            out->dict_uncompressed_size = h.uncompressed;
            out->dict_header_size = body - pos;
        } else if (h.type == 0 || h.type == 3) {
            if (pos < cc->data_page_offset)
                return scan_fail(err, pos, "data page before data_page_offset %lld",
                                 (long long)cc->data_page_offset);
            out->data_pages++;
            out->data_pages_v2 += h.type == 3;
            out->values += h.num_values;
        }
        out->pages++;
        pos = body + h.compressed;
    }
    if (out->values != cc->num_values)
        return lake_error_set(err, LAKE_ERR_PARSE,
                              "data pages hold %lld values, the column chunk says %lld",
                              (long long)out->values, (long long)cc->num_values);
    return LAKE_OK;
}
