/* FileMetaData decoder (field ids from apache/parquet-format parquet.thrift).
 *
 * Decoding copies every string into the result's arena, so the metadata outlives the file bytes.
 * Each structure is checked on its own here (required fields, value types, enum ranges); what
 * ties them together is checked in reader_check.c. */
#include "parquet/read/reader_decode.h"

#include <string.h>

/* More decoded structure than this is refused rather than allocated (the list-size check already
 * ties allocations to the footer's size; this caps the factor). */
#define PQ_READ_MAX_ALLOC ((size_t)1 << 30)

#define AT(r, name) ((r)->d.field = (name))

/* The fields of struct `name` with their wire types (arrays indexed by field id, parquet.thrift):
 * a field that comes with another type is skipped, as Thrift's generated readers do. */
#define NEXT_FIELD(r, s, name, wire, id, t)                                                        \
    pq_td_next_known(&(r)->d, &(s), name, wire, sizeof wire, id, t)

enum {
    W_BOOL = PQ_TC_TRUE,
    W_I8 = PQ_TC_BYTE,
    W_I16 = PQ_TC_I16,
    W_I32 = PQ_TC_I32,
    W_I64 = PQ_TC_I64,
    W_BIN = PQ_TC_BINARY,
    W_LIST = PQ_TC_LIST,
    W_STRUCT = PQ_TC_STRUCT
};
static const uint8_t time_type_wire[] = {[1] = W_BOOL, [2] = W_STRUCT};
static const uint8_t int_type_wire[] = {[1] = W_I8, [2] = W_BOOL};
static const uint8_t decimal_wire[] = {[1] = W_I32, [2] = W_I32};
static const uint8_t schema_wire[] = {
    [1] = W_I32, [2] = W_I32, [3] = W_I32, [4] = W_BIN, [5] = W_I32,
    [6] = W_I32, [7] = W_I32, [8] = W_I32, [9] = W_I32, [10] = W_STRUCT};
static const uint8_t stats_wire[] = {
    [1] = W_BIN, [2] = W_BIN,  [3] = W_I64,  [4] = W_I64, [5] = W_BIN,
    [6] = W_BIN, [7] = W_BOOL, [8] = W_BOOL, [9] = W_I64};
static const uint8_t kv_wire[] = {[1] = W_BIN, [2] = W_BIN};
static const uint8_t enc_stats_wire[] = {[1] = W_I32, [2] = W_I32, [3] = W_I32};
static const uint8_t column_meta_wire[] = {
    [1] = W_I32,  [2] = W_LIST,    [3] = W_LIST,  [4] = W_I32,  [5] = W_I64,
    [6] = W_I64,  [7] = W_I64,     [8] = W_LIST,  [9] = W_I64,  [10] = W_I64,
    [11] = W_I64, [12] = W_STRUCT, [13] = W_LIST, [14] = W_I64, [15] = W_I32};
static const uint8_t column_chunk_wire[] = {
    [1] = W_BIN, [2] = W_I64, [3] = W_STRUCT, [4] = W_I64, [5] = W_I32,
    [6] = W_I64, [7] = W_I32, [8] = W_STRUCT, [9] = W_BIN};
static const uint8_t row_group_wire[] = {
    [1] = W_LIST, [2] = W_I64, [3] = W_I64, [4] = W_LIST, [5] = W_I64, [6] = W_I64, [7] = W_I16};
static const uint8_t file_meta_wire[] = {
    [1] = W_I32, [2] = W_LIST, [3] = W_I64,    [4] = W_LIST, [5] = W_LIST,
    [6] = W_BIN, [7] = W_LIST, [8] = W_STRUCT, [9] = W_BIN};

/* Members of a union of structs (LogicalType, TimeUnit, ColumnOrder): a member that is not a
 * struct is skipped, as Thrift's readers skip a field of an unexpected type. */
static bool next_member(pq_meta_reader *r, pq_td_struct *s, const char *name, int16_t *id,
                        uint8_t *t) {
    while (pq_td_next_field(&r->d, s, name, id, t)) {
        if (*t == PQ_TC_STRUCT)
            return true;
        if (pq_td_skip(&r->d, *t))
            return false;
    }
    return false;
}

void *pq_meta_alloc(pq_meta_reader *r, size_t count, size_t size) {
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

static lake_rc read_str(pq_meta_reader *r, uint8_t t, pq_str *out) {
    const uint8_t *p;
    size_t n;
    if (pq_td_binary(&r->d, t, &p, &n))
        return r->d.rc;
    out->ptr = lake_arena_strndup(r->arena, (const char *)p, n);
    out->len = n;
    return LAKE_OK;
}

/* Reads a list header and allocates room for its elements. */
static lake_rc read_list(pq_meta_reader *r, uint8_t t, uint8_t want, void **items, size_t size,
                         size_t *count) {
    uint8_t et;
    uint32_t n;
    if (pq_td_list(&r->d, t, &et, &n))
        return r->d.rc;
    if (n && et != want && !(want == PQ_TC_I32 && (et == PQ_TC_BYTE || et == PQ_TC_I16)))
        return pq_td_fail(&r->d, "list of %s where a list of %s belongs", pq_td_type_name(et),
                          pq_td_type_name(want));
    *items = pq_meta_alloc(r, n, size);
    if (r->d.rc)
        return r->d.rc;
    *count = n;
    return LAKE_OK;
}

/* An empty marker struct (StringType, MicroSeconds, TypeDefinedOrder ...): fields are skipped. */
static lake_rc skip_struct_value(pq_meta_reader *r, uint8_t t, const char *name) {
    AT(r, name);
    return pq_td_skip(&r->d, t);
}

/* ---- logical types ---- */

static lake_rc read_time_unit(pq_meta_reader *r, int *unit) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    int members = 0;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (next_member(r, &s, "TimeUnit", &id, &t)) {
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
static lake_rc read_time_type(pq_meta_reader *r, pq_logical *lt, const char *name) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (NEXT_FIELD(r, s, name, time_type_wire, &id, &t)) {
        if (id == 1)
            pq_td_bool(&r->d, t, false, &lt->adjusted_to_utc);
        else if (id == 2)
            read_time_unit(r, &lt->unit);
        else
            pq_td_skip(&r->d, t);
    }
    return r->d.rc;
}

static lake_rc read_int_type(pq_meta_reader *r, pq_logical *lt) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (NEXT_FIELD(r, s, "IntType", int_type_wire, &id, &t)) {
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

static lake_rc read_decimal_type(pq_meta_reader *r, pq_logical *lt) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (NEXT_FIELD(r, s, "DecimalType", decimal_wire, &id, &t)) {
        if (id == 1)
            pq_td_i32(&r->d, t, &lt->scale);
        else if (id == 2)
            pq_td_i32(&r->d, t, &lt->precision);
        else
            pq_td_skip(&r->d, t);
    }
    return r->d.rc;
}

static lake_rc read_logical(pq_meta_reader *r, pq_logical *lt) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    int members = 0;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (next_member(r, &s, "LogicalType", &id, &t)) {
        if (++members > 1)
            return pq_td_fail(&r->d, "LogicalType union has more than one member");
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

static lake_rc read_schema_elem(pq_meta_reader *r, pq_schema_elem *e) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    bool has_name = false;
    e->type = e->type_length = e->repetition = e->num_children = e->converted_type = -1;
    e->scale = e->precision = e->field_id = -1;
    e->leaf_index = -1;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (NEXT_FIELD(r, s, "SchemaElement", schema_wire, &id, &t)) {
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
            read_logical(r, &e->logical);
            break;
        default:
            pq_td_skip(&r->d, t);
        }
        if (r->d.rc)
            return r->d.rc;
    }
    if (!r->d.rc && !has_name)
        return pq_td_missing(&r->d, &s, 4, "SchemaElement.name");
    return r->d.rc;
}

/* ---- statistics, key/value, column chunks ---- */

static lake_rc read_stats(pq_meta_reader *r, pq_stats *st) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    bool b;
    st->present = true;
    st->null_count = st->distinct_count = st->nan_count = -1;
    st->min_exact = st->max_exact = -1;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (NEXT_FIELD(r, s, "Statistics", stats_wire, &id, &t)) {
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

static lake_rc read_kv_list(pq_meta_reader *r, uint8_t t, pq_kv **kv, size_t *n) {
    if (read_list(r, t, PQ_TC_STRUCT, (void **)kv, sizeof **kv, n))
        return r->d.rc;
    for (size_t i = 0; i < *n; i++) {
        pq_td_struct s;
        int16_t id;
        uint8_t ft;
        bool has_key = false;
        if (pq_td_struct_begin(&r->d, &s))
            return r->d.rc;
        while (NEXT_FIELD(r, s, "KeyValue", kv_wire, &id, &ft)) {
            if (id == 1)
                has_key = !read_str(r, ft, &(*kv)[i].key);
            else if (id == 2)
                read_str(r, ft, &(*kv)[i].value);
            else
                pq_td_skip(&r->d, ft);
        }
        if (!r->d.rc && !has_key)
            return pq_td_missing(&r->d, &s, 1, "KeyValue.key");
    }
    return r->d.rc;
}

static lake_rc read_enc_stats(pq_meta_reader *r, uint8_t t, pq_column_chunk *cc) {
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
        while (NEXT_FIELD(r, s, "PageEncodingStats", enc_stats_wire, &id, &ft)) {
            if (id >= 1 && id <= 3) {
                int32_t *dst = id == 1 ? &es->page_type : id == 2 ? &es->encoding : &es->count;
                pq_td_i32(&r->d, ft, dst);
                seen |= 1u << id;
            } else {
                pq_td_skip(&r->d, ft);
            }
        }
        static const char *const names[] = {NULL, "PageEncodingStats.page_type",
                                            "PageEncodingStats.encoding",
                                            "PageEncodingStats.count"};
        if (!r->d.rc && seen != 0xe) {
            int missing = __builtin_ctz(0xe & ~seen);
            return pq_td_missing(&r->d, &s, (int16_t)missing, names[missing]);
        }
    }
    return r->d.rc;
}

/* "ColumnMetaData.codec" for a required field's id, for messages. */
static const char *cmd_field_name(int id) {
    static const char *const names[] = {NULL,
                                        "ColumnMetaData.type",
                                        "ColumnMetaData.encodings",
                                        "ColumnMetaData.path_in_schema",
                                        "ColumnMetaData.codec",
                                        "ColumnMetaData.num_values",
                                        "ColumnMetaData.total_uncompressed_size",
                                        "ColumnMetaData.total_compressed_size",
                                        NULL,
                                        "ColumnMetaData.data_page_offset"};
    return id > 0 && id < 10 && names[id] ? names[id] : "ColumnMetaData";
}

/* Required ColumnMetaData fields, as bits of their ids. */
#define CMD_REQUIRED                                                                               \
    ((1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 9))

static lake_rc read_column_meta(pq_meta_reader *r, pq_column_chunk *cc) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    unsigned seen = 0;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (NEXT_FIELD(r, s, "ColumnMetaData", column_meta_wire, &id, &t)) {
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
    if (!r->d.rc && (seen & CMD_REQUIRED) != CMD_REQUIRED) {
        int missing = __builtin_ctz(CMD_REQUIRED & ~seen);
        return pq_td_missing(&r->d, &s, (int16_t)missing, cmd_field_name(missing));
    }
    return r->d.rc;
}

static lake_rc read_column_chunk(pq_meta_reader *r, pq_column_chunk *cc) {
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
    while (NEXT_FIELD(r, s, "ColumnChunk", column_chunk_wire, &id, &t)) {
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
    if (!has_meta && encrypted)
        return r->d.rc = lake_error_set(r->d.err, LAKE_ERR_UNSUPPORTED,
                                        "encrypted Parquet is not supported: a column chunk's "
                                        "metadata is encrypted (ColumnChunk.crypto_metadata)");
    if (!has_meta)
        return pq_td_missing(&r->d, &s, 3, "ColumnChunk.meta_data");
    return LAKE_OK;
}

static lake_rc read_row_group(pq_meta_reader *r, pq_row_group *rg) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    unsigned seen = 0;
    rg->file_offset = rg->total_compressed_size = -1;
    rg->ordinal = -1;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (NEXT_FIELD(r, s, "RowGroup", row_group_wire, &id, &t)) {
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
    static const char *const names[] = {NULL, "RowGroup.columns", "RowGroup.total_byte_size",
                                        "RowGroup.num_rows"};
    if (!r->d.rc && (seen & req) != req) {
        int missing = __builtin_ctz(req & ~seen);
        return pq_td_missing(&r->d, &s, (int16_t)missing, names[missing]);
    }
    return r->d.rc;
}

static lake_rc read_column_orders(pq_meta_reader *r, uint8_t t, pq_file_meta *m) {
    if (read_list(r, t, PQ_TC_STRUCT, (void **)&m->column_orders, sizeof *m->column_orders,
                  &m->ncolumn_orders))
        return r->d.rc;
    for (size_t i = 0; i < m->ncolumn_orders; i++) {
        pq_td_struct s;
        int16_t id;
        uint8_t ft;
        if (pq_td_struct_begin(&r->d, &s))
            return r->d.rc;
        while (next_member(r, &s, "ColumnOrder", &id, &ft)) {
            m->column_orders[i] = id;
            skip_struct_value(r, ft, "ColumnOrder");
        }
    }
    return r->d.rc;
}

lake_rc pq_meta_decode(pq_meta_reader *r, pq_file_meta *m) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    unsigned seen = 0;
    if (pq_td_struct_begin(&r->d, &s))
        return r->d.rc;
    while (NEXT_FIELD(r, s, "FileMetaData", file_meta_wire, &id, &t)) {
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
    /* A plaintext footer of an encrypted file: its signature (nonce and tag) follows it. */
    if (seen & (1u << 8))
        return r->d.rc = lake_error_set(r->d.err, LAKE_ERR_UNSUPPORTED,
                                        "encrypted Parquet is not supported: the footer is "
                                        "plaintext but the file is encrypted "
                                        "(FileMetaData.encryption_algorithm)");
    static const char *const names[] = {NULL, "FileMetaData.version", "FileMetaData.schema",
                                        "FileMetaData.num_rows", "FileMetaData.row_groups"};
    unsigned req = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4);
    if ((seen & req) != req) {
        int missing = __builtin_ctz(req & ~seen);
        return pq_td_missing(&r->d, &s, (int16_t)missing, names[missing]);
    }
    if (r->d.p != r->d.end)
        return pq_td_fail(&r->d, "%zu bytes follow FileMetaData inside the footer length",
                          (size_t)(r->d.end - r->d.p));
    return LAKE_OK;
}
