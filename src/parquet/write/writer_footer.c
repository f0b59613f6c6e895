/* FileMetaData and page index encoders (field ids from parquet.thrift). */
#include "parquet/write/writer_footer.h"

#include "parquet/write/writer_thrift.h"

/* ConvertedType values. */
enum { PQ_CT_UTF8 = 0, PQ_CT_TIMESTAMP_MILLIS = 9, PQ_CT_TIMESTAMP_MICROS = 10 };
enum { PQ_OPTIONAL = 1 };

int32_t pq_codec_thrift(lake_codec c) {
    switch (c) {
    case LAKE_CODEC_NONE:
        return 0;
    case LAKE_CODEC_SNAPPY:
        return 1;
    case LAKE_CODEC_GZIP:
        return 2;
    case LAKE_CODEC_ZSTD:
        return 6;
    case LAKE_CODEC_LZ4_RAW:
        return 7;
    }
    return 0;
}

/* TIMESTAMP(isAdjustedToUTC=true, unit) where unit is the TimeUnit field id (1 MILLIS, 2 MICROS).
 */
static void write_timestamp_type(pq_tc *w, int16_t unit) {
    pq_tc_field_struct(w, 10);         /* LogicalType */
    pq_tc_field_struct(w, 8);          /* TIMESTAMP */
    pq_tc_field_bool(w, 1, 1);         /* isAdjustedToUTC */
    pq_tc_field_struct(w, 2);          /* unit: TimeUnit */
    pq_tc_field_empty_struct(w, unit); /* MILLIS or MICROS */
    pq_tc_struct_end(w);
    pq_tc_struct_end(w);
    pq_tc_struct_end(w);
}

/* Both annotations are written: LogicalType for current readers, ConvertedType because the format
 * asks writers to keep it for readers that predate LogicalType. INT96 has neither. */
static void write_leaf(pq_tc *w, const pq_coldesc *d) {
    pq_tc_struct_begin(w);
    pq_tc_field_i32(w, 1, d->phys);
    pq_tc_field_i32(w, 3, PQ_OPTIONAL);
    pq_tc_field_string(w, 4, d->col->name);
    if (d->col->type == LAKE_T_STRING) {
        pq_tc_field_i32(w, 6, PQ_CT_UTF8);
        pq_tc_field_struct(w, 10);      /* LogicalType */
        pq_tc_field_empty_struct(w, 1); /* STRING */
        pq_tc_struct_end(w);
    } else if (d->col->type == LAKE_T_TIMESTAMP_US && d->ts == PQ_TS_MICROS) {
        pq_tc_field_i32(w, 6, PQ_CT_TIMESTAMP_MICROS);
        write_timestamp_type(w, 2);
    } else if (d->col->type == LAKE_T_TIMESTAMP_US && d->ts == PQ_TS_MILLIS) {
        pq_tc_field_i32(w, 6, PQ_CT_TIMESTAMP_MILLIS);
        write_timestamp_type(w, 1);
    }
    pq_tc_struct_end(w);
}

/* Spark names the root "spark_schema"; readers ignore the root's name. */
static void write_schema(pq_tc *w, const pq_coldesc *cols, size_t ncols) {
    pq_tc_field_list(w, 2, PQ_TC_STRUCT, ncols + 1);
    pq_tc_struct_begin(w);
    pq_tc_field_string(w, 4, "spark_schema");
    pq_tc_field_i32(w, 5, (int32_t)ncols);
    pq_tc_struct_end(w);
    for (size_t i = 0; i < ncols; i++)
        write_leaf(w, &cols[i]);
}

static void write_encodings(pq_tc *w, uint32_t mask) {
    size_t n = 0;
    for (int e = 0; e < 32; e++)
        n += (mask >> e) & 1;
    pq_tc_field_list(w, 2, PQ_TC_I32, n);
    for (int e = 0; e < 32; e++)
        if ((mask >> e) & 1)
            pq_tc_elem_i32(w, e);
}

static void encoding_stat(pq_tc *w, int32_t page_type, int32_t enc, int32_t count) {
    pq_tc_struct_begin(w);
    pq_tc_field_i32(w, 1, page_type);
    pq_tc_field_i32(w, 2, enc);
    pq_tc_field_i32(w, 3, count);
    pq_tc_struct_end(w);
}

/* encoding_stats tells readers whether every data page of a chunk with a dictionary is
 * dictionary encoded (parquet-java's dictionary filter, Arrow, Trino use it for that only). A chunk
 * without a dictionary page gets none: readers then fall back to the encodings list, which gives
 * the same answer (not dictionary encoded), and one-row partition files save 9 bytes a column. */
static void write_encoding_stats(pq_tc *w, const pq_chunk *ch) {
    size_t n = ch->dict_page_offset >= 0;
    for (int e = 0; e < 16; e++)
        n += ch->pages_by_enc[e] > 0;
    pq_tc_field_list(w, 13, PQ_TC_STRUCT, n);
    if (ch->dict_page_offset >= 0)
        encoding_stat(w, PQ_PAGE_DICTIONARY, PQ_ENC_PLAIN, 1);
    for (int e = 0; e < 16; e++)
        if (ch->pages_by_enc[e] > 0)
            encoding_stat(w, PQ_PAGE_DATA, e, ch->pages_by_enc[e]);
}

static void write_column_chunk(pq_tc *w, const pq_coldesc *d, const pq_chunk *ch,
                               lake_codec codec) {
    pq_tc_struct_begin(w);
    pq_tc_field_i64(w, 2, 0); /* file_offset: deprecated; 0 = no ColumnMetaData outside */
    pq_tc_field_struct(w, 3); /* meta_data */
    pq_tc_field_i32(w, 1, d->phys);
    write_encodings(w, ch->encodings);
    pq_tc_field_list(w, 3, PQ_TC_BINARY, 1);
    pq_tc_elem_string(w, d->col->name);
    pq_tc_field_i32(w, 4, pq_codec_thrift(codec));
    pq_tc_field_i64(w, 5, ch->num_values);
    pq_tc_field_i64(w, 6, ch->uncompressed_size);
    pq_tc_field_i64(w, 7, ch->compressed_size);
    pq_tc_field_i64(w, 9, ch->data_page_offset);
    if (ch->dict_page_offset >= 0)
        pq_tc_field_i64(w, 11, ch->dict_page_offset);
    pq_stats_write(&ch->stats, w, 12);
    if (ch->dict_page_offset >= 0)
        write_encoding_stats(w, ch);
    pq_tc_struct_end(w);
    if (ch->offset_index_offset >= 0) {
        pq_tc_field_i64(w, 4, ch->offset_index_offset);
        pq_tc_field_i32(w, 5, ch->offset_index_length);
    }
    if (ch->column_index_offset >= 0) {
        pq_tc_field_i64(w, 6, ch->column_index_offset);
        pq_tc_field_i32(w, 7, ch->column_index_length);
    }
    pq_tc_struct_end(w);
}

static int64_t chunk_start(const pq_chunk *ch) {
    return ch->dict_page_offset >= 0 ? ch->dict_page_offset : ch->data_page_offset;
}

static void write_row_group(pq_tc *w, const pq_coldesc *cols, size_t ncols, const pq_rowgroup *rg,
                            int16_t ordinal, lake_codec codec) {
    int64_t raw = 0, comp = 0;
    pq_tc_struct_begin(w);
    pq_tc_field_list(w, 1, PQ_TC_STRUCT, ncols);
    for (size_t i = 0; i < ncols; i++) {
        write_column_chunk(w, &cols[i], &rg->chunks[i], codec);
        raw += rg->chunks[i].uncompressed_size;
        comp += rg->chunks[i].compressed_size;
    }
    pq_tc_field_i64(w, 2, raw);
    pq_tc_field_i64(w, 3, rg->num_rows);
    pq_tc_field_i64(w, 5, chunk_start(&rg->chunks[0]));
    pq_tc_field_i64(w, 6, comp);
    pq_tc_field_i16(w, 7, ordinal);
    pq_tc_struct_end(w);
}

static void json_string(lake_buf *out, const char *s) {
    lake_buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            lake_buf_putc(out, '\\');
            lake_buf_putc(out, *p);
        } else if (*p < 0x20) {
            lake_buf_printf(out, "\\u%04x", *p);
        } else {
            lake_buf_putc(out, *p);
        }
    }
    lake_buf_putc(out, '"');
}

static const char *spark_type(lake_type t) {
    switch (t) {
    case LAKE_T_INT32:
        return "integer";
    case LAKE_T_INT64:
        return "long";
    case LAKE_T_DOUBLE:
        return "double";
    case LAKE_T_STRING:
        return "string";
    case LAKE_T_TIMESTAMP_US:
        return "timestamp";
    }
    return "string";
}

/* Spark's StructField parser accepts a field without "metadata" (DataType.parseStructField has
 * a case for it), and every file of a one-row partition carries this JSON, so it is left out. */
void pq_spark_schema_json(const pq_coldesc *cols, size_t ncols, lake_buf *out) {
    lake_buf_puts(out, "{\"type\":\"struct\",\"fields\":[");
    for (size_t i = 0; i < ncols; i++) {
        lake_buf_puts(out, i ? ",{\"name\":" : "{\"name\":");
        json_string(out, cols[i].col->name);
        lake_buf_puts(out, ",\"type\":\"");
        lake_buf_puts(out, spark_type(cols[i].col->type));
        lake_buf_puts(out, "\",\"nullable\":true}");
    }
    lake_buf_puts(out, "]}");
}

/* auto: the JSON goes in when it is at most 1/20 of the column data (the compressed chunks). */
static bool spark_json_wanted(const pq_options *opt, const pq_rowgroup *rgs, size_t nrg,
                              size_t ncols, size_t json_len) {
    if (opt->spark_metadata != PQ_SPARK_AUTO)
        return opt->spark_metadata == PQ_SPARK_ALWAYS;
    int64_t data = 0;
    for (size_t g = 0; g < nrg; g++)
        for (size_t i = 0; i < ncols; i++)
            data += rgs[g].chunks[i].compressed_size;
    return (int64_t)json_len * 20 <= data;
}

/* At most the length of pq_spark_schema_json's output: its fixed parts and the names. */
static size_t spark_json_min_len(const pq_coldesc *cols, size_t ncols) {
    size_t n = sizeof "{\"type\":\"struct\",\"fields\":[]}" - 1;
    for (size_t i = 0; i < ncols; i++)
        n += sizeof "{\"name\":\"\",\"type\":\"int\",\"nullable\":true}" - 1 +
             strlen(cols[i].col->name);
    return n;
}

static void write_key_value(pq_tc *w, const pq_coldesc *cols, size_t ncols, const pq_rowgroup *rgs,
                            size_t nrg, const pq_options *opt) {
    /* A one-row file has far less column data than 20 times the JSON: decided without it. */
    if (!spark_json_wanted(opt, rgs, nrg, ncols, spark_json_min_len(cols, ncols)))
        return;
    lake_buf json;
    lake_buf_init(&json);
    pq_spark_schema_json(cols, ncols, &json);
    if (!spark_json_wanted(opt, rgs, nrg, ncols, json.len)) {
        lake_buf_free(&json);
        return;
    }
    pq_tc_field_list(w, 5, PQ_TC_STRUCT, 1);
    pq_tc_struct_begin(w);
    pq_tc_field_string(w, 1, PQ_SPARK_SCHEMA_KEY);
    pq_tc_field_binary(w, 2, json.data, json.len);
    pq_tc_struct_end(w);
    lake_buf_free(&json);
}

void pq_footer_write(lake_buf *out, const pq_coldesc *cols, size_t ncols, int64_t num_rows,
                     const pq_rowgroup *rgs, size_t nrg, const pq_options *opt,
                     const char *created_by) {
    pq_tc w;
    pq_tc_init(&w, out);
    pq_tc_struct_begin(&w);
    pq_tc_field_i32(&w, 1, 1); /* version: the format asks for 1 (data page v1 only here) */
    write_schema(&w, cols, ncols);
    pq_tc_field_i64(&w, 3, num_rows);
    pq_tc_field_list(&w, 4, PQ_TC_STRUCT, nrg);
    for (size_t g = 0; g < nrg; g++)
        write_row_group(&w, cols, ncols, &rgs[g], (int16_t)g, opt->codec);
    if (opt->spark_metadata != PQ_SPARK_NEVER)
        write_key_value(&w, cols, ncols, rgs, nrg, opt);
    pq_tc_field_string(&w, 6, created_by);
    pq_tc_field_list(&w, 7, PQ_TC_STRUCT, ncols);
    for (size_t i = 0; i < ncols; i++) {
        pq_tc_struct_begin(&w);
        pq_tc_field_empty_struct(&w, 1); /* TYPE_ORDER */
        pq_tc_struct_end(&w);
    }
    pq_tc_struct_end(&w);
}

/* Bounds of null pages are empty, and the buffer may never have been allocated. */
static const uint8_t *bound_at(const pq_chunk *ch, uint32_t off) {
    return ch->bounds.data ? ch->bounds.data + off : (const uint8_t *)"";
}

void pq_column_index_write(lake_buf *out, const pq_chunk *ch) {
    pq_tc w;
    pq_tc_init(&w, out);
    pq_tc_struct_begin(&w);
    pq_tc_field_list(&w, 1, PQ_TC_TRUE, ch->npages);
    for (size_t i = 0; i < ch->npages; i++)
        pq_tc_elem_bool(&w, ch->pages[i].null_page);
    pq_tc_field_list(&w, 2, PQ_TC_BINARY, ch->npages);
    for (size_t i = 0; i < ch->npages; i++)
        pq_tc_elem_binary(&w, bound_at(ch, ch->pages[i].min_off), ch->pages[i].min_len);
    pq_tc_field_list(&w, 3, PQ_TC_BINARY, ch->npages);
    for (size_t i = 0; i < ch->npages; i++)
        pq_tc_elem_binary(&w, bound_at(ch, ch->pages[i].max_off), ch->pages[i].max_len);
    pq_tc_field_i32(&w, 4, ch->boundary_order);
    pq_tc_field_list(&w, 5, PQ_TC_I64, ch->npages);
    for (size_t i = 0; i < ch->npages; i++)
        pq_tc_elem_i64(&w, ch->pages[i].null_count);
    if (ch->phys == PQ_PHYS_DOUBLE) {
        pq_tc_field_list(&w, 8, PQ_TC_I64, ch->npages);
        for (size_t i = 0; i < ch->npages; i++)
            pq_tc_elem_i64(&w, ch->pages[i].nan_count);
    }
    pq_tc_struct_end(&w);
}

void pq_offset_index_write(lake_buf *out, const pq_chunk *ch) {
    pq_tc w;
    pq_tc_init(&w, out);
    pq_tc_struct_begin(&w);
    pq_tc_field_list(&w, 1, PQ_TC_STRUCT, ch->npages);
    for (size_t i = 0; i < ch->npages; i++) {
        pq_tc_struct_begin(&w);
        pq_tc_field_i64(&w, 1, ch->pages[i].offset);
        pq_tc_field_i32(&w, 2, ch->pages[i].size);
        pq_tc_field_i64(&w, 3, ch->pages[i].first_row);
        pq_tc_struct_end(&w);
    }
    pq_tc_struct_end(&w);
}
