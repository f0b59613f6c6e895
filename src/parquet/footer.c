/* FileMetaData encoder (field ids from parquet.thrift). */
#include "parquet/footer.h"

#include "parquet/thrift.h"

/* Parquet Type values. */
enum { PQ_T_INT32 = 1, PQ_T_INT64 = 2, PQ_T_DOUBLE = 5, PQ_T_BYTE_ARRAY = 6 };
/* ConvertedType values. */
enum { PQ_CT_UTF8 = 0, PQ_CT_TIMESTAMP_MICROS = 10 };
enum { PQ_OPTIONAL = 1 };

int32_t pq_codec_thrift(pq_codec c) {
    switch (c) {
    case PQ_CODEC_NONE:
        return 0;
    case PQ_CODEC_SNAPPY:
        return 1;
    case PQ_CODEC_GZIP:
        return 2;
    case PQ_CODEC_ZSTD:
        return 6;
    case PQ_CODEC_LZ4_RAW:
        return 7;
    }
    return 0;
}

static int32_t physical_type(lake_type t) {
    switch (t) {
    case LAKE_T_INT32:
        return PQ_T_INT32;
    case LAKE_T_INT64:
    case LAKE_T_TIMESTAMP_US:
        return PQ_T_INT64;
    case LAKE_T_DOUBLE:
        return PQ_T_DOUBLE;
    case LAKE_T_STRING:
        return PQ_T_BYTE_ARRAY;
    }
    return PQ_T_BYTE_ARRAY;
}

/* Both annotations are written: LogicalType for current readers, ConvertedType because the format
 * asks writers to keep it for readers that predate LogicalType. */
static void write_leaf(pq_tc *w, const lake_col *c) {
    pq_tc_struct_begin(w);
    pq_tc_field_i32(w, 1, physical_type(c->type));
    pq_tc_field_i32(w, 3, PQ_OPTIONAL);
    pq_tc_field_string(w, 4, c->name);
    if (c->type == LAKE_T_STRING) {
        pq_tc_field_i32(w, 6, PQ_CT_UTF8);
        pq_tc_field_struct(w, 10);      /* LogicalType */
        pq_tc_field_empty_struct(w, 1); /* STRING */
        pq_tc_struct_end(w);
    } else if (c->type == LAKE_T_TIMESTAMP_US) {
        pq_tc_field_i32(w, 6, PQ_CT_TIMESTAMP_MICROS);
        pq_tc_field_struct(w, 10);      /* LogicalType */
        pq_tc_field_struct(w, 8);       /* TIMESTAMP */
        pq_tc_field_bool(w, 1, 1);      /* isAdjustedToUTC */
        pq_tc_field_struct(w, 2);       /* unit: TimeUnit */
        pq_tc_field_empty_struct(w, 2); /* MICROS */
        pq_tc_struct_end(w);
        pq_tc_struct_end(w);
        pq_tc_struct_end(w);
    }
    pq_tc_struct_end(w);
}

/* Spark names the root "spark_schema"; readers ignore the root's name. */
static void write_schema(pq_tc *w, const lake_col *const *cols, size_t ncols) {
    pq_tc_field_list(w, 2, PQ_TC_STRUCT, ncols + 1);
    pq_tc_struct_begin(w);
    pq_tc_field_string(w, 4, "spark_schema");
    pq_tc_field_i32(w, 5, (int32_t)ncols);
    pq_tc_struct_end(w);
    for (size_t i = 0; i < ncols; i++)
        write_leaf(w, cols[i]);
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

/* encoding_stats lets readers see that no page falls back to PLAIN once dictionaries exist. */
static void write_encoding_stats(pq_tc *w, const pq_chunk *ch) {
    pq_tc_field_list(w, 13, PQ_TC_STRUCT, 1);
    pq_tc_struct_begin(w);
    pq_tc_field_i32(w, 1, PQ_PAGE_DATA);
    pq_tc_field_i32(w, 2, PQ_ENC_PLAIN);
    pq_tc_field_i32(w, 3, ch->data_pages);
    pq_tc_struct_end(w);
}

static void write_column_chunk(pq_tc *w, const lake_col *c, const pq_chunk *ch, pq_codec codec) {
    pq_tc_struct_begin(w);
    pq_tc_field_i64(w, 2, 0); /* file_offset: 0 = no ColumnMetaData outside the footer */
    pq_tc_field_struct(w, 3); /* meta_data */
    pq_tc_field_i32(w, 1, physical_type(c->type));
    write_encodings(w, ch->encodings);
    pq_tc_field_list(w, 3, PQ_TC_BINARY, 1);
    pq_tc_elem_string(w, c->name);
    pq_tc_field_i32(w, 4, pq_codec_thrift(codec));
    pq_tc_field_i64(w, 5, ch->num_values);
    pq_tc_field_i64(w, 6, ch->uncompressed_size);
    pq_tc_field_i64(w, 7, ch->compressed_size);
    pq_tc_field_i64(w, 9, ch->data_page_offset);
    if (ch->dict_page_offset >= 0)
        pq_tc_field_i64(w, 11, ch->dict_page_offset);
    pq_stats_write(&ch->stats, w, 12);
    write_encoding_stats(w, ch);
    pq_tc_struct_end(w);
    pq_tc_struct_end(w);
}

static int64_t chunk_start(const pq_chunk *ch) {
    return ch->dict_page_offset >= 0 ? ch->dict_page_offset : ch->data_page_offset;
}

static void write_row_group(pq_tc *w, const lake_col *const *cols, size_t ncols,
                            const pq_rowgroup *rg, int16_t ordinal, pq_codec codec) {
    int64_t raw = 0, comp = 0;
    pq_tc_struct_begin(w);
    pq_tc_field_list(w, 1, PQ_TC_STRUCT, ncols);
    for (size_t i = 0; i < ncols; i++) {
        write_column_chunk(w, cols[i], &rg->chunks[i], codec);
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

void pq_footer_write(lake_buf *out, const lake_col *const *cols, size_t ncols, int64_t num_rows,
                     const pq_rowgroup *rgs, size_t nrg, pq_codec codec, const char *created_by) {
    pq_tc w;
    pq_tc_init(&w, out);
    pq_tc_struct_begin(&w);
    pq_tc_field_i32(&w, 1, 1); /* version: only format-1 features (data page v1) */
    write_schema(&w, cols, ncols);
    pq_tc_field_i64(&w, 3, num_rows);
    pq_tc_field_list(&w, 4, PQ_TC_STRUCT, nrg);
    for (size_t g = 0; g < nrg; g++)
        write_row_group(&w, cols, ncols, &rgs[g], (int16_t)g, codec);
    pq_tc_field_string(&w, 6, created_by);
    pq_tc_field_list(&w, 7, PQ_TC_STRUCT, ncols);
    for (size_t i = 0; i < ncols; i++) {
        pq_tc_struct_begin(&w);
        pq_tc_field_empty_struct(&w, 1); /* TYPE_ORDER */
        pq_tc_struct_end(&w);
    }
    pq_tc_struct_end(&w);
}
