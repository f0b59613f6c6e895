/* pq_write_table and the codec options: one whole Parquet file per call. */
#include "lake/parquet.h"

#include "parquet/footer.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Row groups are cut by row count so every column agrees on the boundaries before encoding;
 * a million rows keeps a group within a few hundred MB for lake's widest tables. */
#define PQ_ROW_GROUP_ROWS (1u << 20)

void pq_options_default(pq_options *o) {
    o->codec = PQ_CODEC_SNAPPY;
    o->level = 0;
    o->created_by = NULL;
}

static const struct {
    const char *name;
    pq_codec codec;
} codec_names[] = {
    {"snappy", PQ_CODEC_SNAPPY}, {"none", PQ_CODEC_NONE}, {"uncompressed", PQ_CODEC_NONE},
    {"gzip", PQ_CODEC_GZIP},     {"zstd", PQ_CODEC_ZSTD}, {"lz4_raw", PQ_CODEC_LZ4_RAW},
};

lake_rc pq_codec_parse(const char *name, pq_codec *out, lake_error *err) {
    for (size_t i = 0; name && i < sizeof codec_names / sizeof codec_names[0]; i++) {
        if (strcasecmp(name, codec_names[i].name) == 0) {
            *out = codec_names[i].codec;
            return LAKE_OK;
        }
    }
    return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                          "unknown codec '%s' (expected snappy, none, uncompressed, gzip, zstd or "
                          "lz4_raw)",
                          name ? name : "");
}

const char *pq_codec_file_tag(pq_codec c) {
    switch (c) {
    case PQ_CODEC_SNAPPY:
        return "snappy";
    case PQ_CODEC_GZIP:
        return "gz";
    case PQ_CODEC_ZSTD:
        return "zstd";
    case PQ_CODEC_LZ4_RAW:
        return "lz4raw";
    case PQ_CODEC_NONE:
        break;
    }
    return NULL;
}

static lake_codec block_codec(pq_codec c) {
    switch (c) {
    case PQ_CODEC_SNAPPY:
        return LAKE_CODEC_SNAPPY;
    case PQ_CODEC_GZIP:
        return LAKE_CODEC_GZIP;
    case PQ_CODEC_ZSTD:
        return LAKE_CODEC_ZSTD;
    case PQ_CODEC_LZ4_RAW:
        return LAKE_CODEC_LZ4_RAW;
    case PQ_CODEC_NONE:
        break;
    }
    return LAKE_CODEC_NONE;
}

static lake_rc check_column(const lake_col *c, size_t i, size_t need, lake_error *err) {
    if (!c || !c->name || !c->name[0])
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "parquet: column %zu has no name", i);
    if ((unsigned)c->type > LAKE_T_TIMESTAMP_US)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "parquet: column %s has unknown type %d",
                              c->name, (int)c->type);
    if (c->len < need)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "parquet: column %s has %zu rows, row %zu is asked for", c->name,
                              c->len, need - 1);
    return LAKE_OK;
}

/* Rejects what would make an invalid file rather than a bad one: unnamed or short columns,
 * duplicate names, out-of-range row indices, more rows than a page header can count. */
static lake_rc check_args(const lake_col *const *cols, size_t ncols, const uint32_t *rows,
                          size_t nrows, const pq_options *opt, lake_error *err) {
    if (ncols == 0)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "parquet: a file needs a column");
    if (nrows > INT32_MAX)
        return lake_error_set(err, LAKE_ERR_LIMIT, "parquet: %zu rows exceed 2^31 - 1", nrows);
    if ((unsigned)opt->codec > PQ_CODEC_LZ4_RAW)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "parquet: unknown codec %d",
                              (int)opt->codec);
    size_t need = rows ? 0 : nrows; /* rows every column must have */
    for (size_t i = 0; rows && i < nrows; i++)
        if ((size_t)rows[i] + 1 > need)
            need = (size_t)rows[i] + 1;
    for (size_t i = 0; i < ncols; i++) {
        lake_rc rc = check_column(cols[i], i, need, err);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(cols[i]->name, cols[j]->name) == 0)
                return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                                      "parquet: column name %s appears twice", cols[i]->name);
    }
    return LAKE_OK;
}

/* Encodes every column of rows[begin..end) and turns chunk offsets into file offsets. */
static lake_rc write_row_group(const lake_col *const *cols, size_t ncols, const uint32_t *rows,
                               size_t begin, size_t end, const pq_options *opt, size_t file_start,
                               pq_scratch *sc, lake_buf *out, pq_rowgroup *rg, lake_error *err) {
    rg->num_rows = (int64_t)(end - begin);
    for (size_t i = 0; i < ncols; i++) {
        pq_chunk *ch = &rg->chunks[i];
        int64_t base = (int64_t)(out->len - file_start);
        lake_rc rc = pq_chunk_encode(cols[i], rows, begin, end, block_codec(opt->codec), opt->level,
                                     sc, out, ch, err);
        if (rc)
            return lake_error_prefix(err, "parquet: column %s: ", cols[i]->name);
        ch->data_page_offset += base;
        if (ch->dict_page_offset >= 0)
            ch->dict_page_offset += base;
    }
    return LAKE_OK;
}

static void write_footer(const lake_col *const *cols, size_t ncols, size_t nrows,
                         const pq_rowgroup *rgs, size_t nrg, const pq_options *opt, lake_buf *out) {
    size_t footer_start = out->len;
    char *dflt = lake_xasprintf("lake version %s (build unknown)", LAKE_VERSION);
    pq_footer_write(out, cols, ncols, (int64_t)nrows, rgs, nrg, opt->codec,
                    opt->created_by ? opt->created_by : dflt);
    free(dflt);
    uint32_t len = (uint32_t)(out->len - footer_start);
    uint8_t le[4] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16), (uint8_t)(len >> 24)};
    lake_buf_append(out, le, 4);
    lake_buf_append(out, "PAR1", 4);
}

lake_rc pq_write_table(const lake_col *const *cols, size_t ncols, const uint32_t *rows,
                       size_t nrows, const pq_options *opt, lake_buf *out, lake_error *err) {
    pq_options defaults;
    pq_scratch sc;
    size_t file_start = out->len;
    size_t nrg = (nrows + PQ_ROW_GROUP_ROWS - 1) / PQ_ROW_GROUP_ROWS;
    pq_rowgroup *rgs = NULL;
    pq_chunk *chunks = NULL;
    lake_rc rc;
    if (!opt) {
        pq_options_default(&defaults);
        opt = &defaults;
    }
    rc = check_args(cols, ncols, rows, nrows, opt, err);
    if (rc)
        return rc;
    pq_scratch_init(&sc);
    rgs = lake_xcalloc(nrg ? nrg : 1, sizeof *rgs);
    chunks = lake_xcalloc((nrg ? nrg : 1) * ncols, sizeof *chunks);
    lake_buf_append(out, "PAR1", 4);
    for (size_t g = 0; g < nrg; g++) {
        size_t begin = g * PQ_ROW_GROUP_ROWS;
        size_t end = begin + PQ_ROW_GROUP_ROWS < nrows ? begin + PQ_ROW_GROUP_ROWS : nrows;
        rgs[g].chunks = chunks + g * ncols;
        rc =
            write_row_group(cols, ncols, rows, begin, end, opt, file_start, &sc, out, &rgs[g], err);
        if (rc)
            goto out;
    }
    write_footer(cols, ncols, nrows, rgs, nrg, opt, out);
out:
    if (rc)
        lake_buf_resize(out, file_start);
    free(chunks);
    free(rgs);
    pq_scratch_free(&sc);
    return rc;
}
