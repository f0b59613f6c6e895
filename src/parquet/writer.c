/* pq_write_table and the option parsers: one whole Parquet file per call. */
#include "lake/parquet.h"

#include "lake/codec.h"
#include "parquet/footer.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void pq_options_default(pq_options *o) {
    memset(o, 0, sizeof *o);
    o->codec = PQ_CODEC_SNAPPY;
    o->level = 0;
    o->created_by = NULL;
    o->row_group_bytes = PQ_DEFAULT_ROW_GROUP_BYTES;
    o->page_bytes = PQ_DEFAULT_PAGE_BYTES;
    o->page_rows = PQ_DEFAULT_PAGE_ROWS;
    o->timestamp_type = PQ_TS_MICROS;
    o->dictionary = true;
    o->delta = true;
    o->page_index = true;
    o->page_crc = true;
    o->spark_metadata = true;
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

lake_rc pq_parse_timestamp_type(const char *name, pq_ts_type *out, lake_error *err) {
    static const struct {
        const char *name;
        pq_ts_type t;
    } names[] = {{"micros", PQ_TS_MICROS}, {"millis", PQ_TS_MILLIS}, {"int96", PQ_TS_INT96}};
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].t;
            return LAKE_OK;
        }
    }
    return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                          "unknown timestamp type '%s' (expected micros, millis or int96)",
                          name ? name : "");
}

lake_rc pq_parse_size(const char *text, int64_t min, int64_t max, int64_t *out, lake_error *err) {
    static const struct {
        const char *suffix;
        int shift;
    } units[] = {{"", 0},    {"b", 0},    {"k", 10}, {"kb", 10}, {"kib", 10}, {"m", 20},
                 {"mb", 20}, {"mib", 20}, {"g", 30}, {"gb", 30}, {"gib", 30}};
    const char *p = text ? text : "";
    char *end = NULL;
    if (!isdigit((unsigned char)*p))
        goto bad;
    errno = 0;
    unsigned long long v = strtoull(p, &end, 10);
    if (errno)
        goto bad;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(end, units[i].suffix) != 0)
            continue;
        if (v > (unsigned long long)INT64_MAX >> units[i].shift)
            goto bad;
        int64_t n = (int64_t)(v << units[i].shift);
        if (n < min || n > max)
            return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                                  "size '%s' is outside %lld..%lld bytes", p, (long long)min,
                                  (long long)max);
        *out = n;
        return LAKE_OK;
    }
bad:
    return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                          "bad size '%s' (expected bytes, optionally with k, m or g, e.g. 128m)",
                          p);
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

lake_rc pq_options_check(const pq_options *opt, lake_error *err) {
    if ((unsigned)opt->codec > PQ_CODEC_LZ4_RAW)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "parquet: unknown codec %d",
                              (int)opt->codec);
    if ((unsigned)opt->timestamp_type > PQ_TS_INT96)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "parquet: unknown timestamp type %d",
                              (int)opt->timestamp_type);
    if (opt->row_group_bytes < 0 || opt->page_bytes > INT32_MAX || opt->page_rows > INT32_MAX)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "parquet: row group or page size out of range");
    lake_rc rc = lake_codec_check_level(block_codec(opt->codec), opt->level, err);
    if (rc)
        return lake_error_prefix(err, "parquet: ");
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
    lake_rc rc = pq_options_check(opt, err);
    if (rc)
        return rc;
    size_t need = rows ? 0 : nrows; /* rows every column must have */
    for (size_t i = 0; rows && i < nrows; i++)
        if ((size_t)rows[i] + 1 > need)
            need = (size_t)rows[i] + 1;
    for (size_t i = 0; i < ncols; i++) {
        rc = check_column(cols[i], i, need, err);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(cols[i]->name, cols[j]->name) == 0)
                return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                                      "parquet: column name %s appears twice", cols[i]->name);
    }
    return LAKE_OK;
}

/* State of one pq_write_table call. */
typedef struct {
    const pq_coldesc *cols;
    size_t ncols;
    const uint32_t *rows;
    size_t nrows;
    const pq_options *opt;
    pq_enc_opts enc;
    int64_t row_group_bytes;
    size_t file_start;
    lake_buf *out;
    pq_scratch sc;
    pq_rowgroup *rgs;
    size_t nrg, rg_cap;
} pq_file;

/* PLAIN size of row pos over all columns: what sizes a row group, like parquet-java's estimate
 * of buffered data, before compression. */
static uint64_t row_bytes(const pq_file *f, size_t pos) {
    size_t r = f->rows ? f->rows[pos] : pos;
    uint64_t n = 0;
    for (size_t i = 0; i < f->ncols; i++) {
        const lake_col *c = f->cols[i].col;
        if (!c->valid[r])
            continue;
        switch (f->cols[i].phys) {
        case PQ_PHYS_INT32:
            n += 4;
            break;
        case PQ_PHYS_INT64:
        case PQ_PHYS_DOUBLE:
            n += 8;
            break;
        case PQ_PHYS_INT96:
            n += 12;
            break;
        case PQ_PHYS_BYTE_ARRAY:
            n += 4 + (uint64_t)c->v.str[r].len;
            break;
        }
    }
    return n;
}

/* The end of the row group starting at begin: once its rows reach row_group_bytes. */
static size_t row_group_end(const pq_file *f, size_t begin) {
    uint64_t acc = 0;
    size_t pos = begin;
    while (pos < f->nrows && acc < (uint64_t)f->row_group_bytes)
        acc += row_bytes(f, pos++);
    return pos;
}

static pq_rowgroup *new_row_group(pq_file *f) {
    if (f->nrg == f->rg_cap) {
        f->rg_cap = f->rg_cap ? f->rg_cap * 2 : 4;
        f->rgs = lake_xrealloc(f->rgs, f->rg_cap * sizeof *f->rgs);
    }
    pq_rowgroup *rg = &f->rgs[f->nrg++];
    rg->num_rows = 0;
    rg->chunks = lake_xcalloc(f->ncols, sizeof *rg->chunks);
    for (size_t i = 0; i < f->ncols; i++)
        pq_chunk_init(&rg->chunks[i]);
    return rg;
}

/* Encodes every column of rows[begin..end) and turns chunk offsets into file offsets. */
static lake_rc write_row_group(pq_file *f, size_t begin, size_t end, lake_error *err) {
    pq_rowgroup *rg = new_row_group(f);
    rg->num_rows = (int64_t)(end - begin);
    for (size_t i = 0; i < f->ncols; i++) {
        pq_chunk *ch = &rg->chunks[i];
        int64_t base = (int64_t)(f->out->len - f->file_start);
        lake_rc rc =
            pq_chunk_encode(&f->cols[i], f->rows, begin, end, &f->enc, &f->sc, f->out, ch, err);
        if (rc)
            return lake_error_prefix(err, "parquet: column %s: ", f->cols[i].col->name);
        ch->data_page_offset += base;
        if (ch->dict_page_offset >= 0)
            ch->dict_page_offset += base;
        for (size_t p = 0; p < ch->npages; p++)
            ch->pages[p].offset += base;
    }
    return LAKE_OK;
}

/* The page index goes between the last row group and the footer, as parquet-java lays it out:
 * every ColumnIndex, then every OffsetIndex. A chunk of a single data page gets none: its index
 * would only repeat the chunk statistics, and in the many one-row files of a finely partitioned
 * table it would be a fifth of the file. */
static void write_page_index(pq_file *f) {
    for (size_t g = 0; g < f->nrg; g++)
        for (size_t i = 0; i < f->ncols; i++) {
            pq_chunk *ch = &f->rgs[g].chunks[i];
            if (!ch->column_index || ch->npages < 2)
                continue;
            size_t at = f->out->len;
            pq_column_index_write(f->out, ch);
            ch->column_index_offset = (int64_t)(at - f->file_start);
            ch->column_index_length = (int32_t)(f->out->len - at);
        }
    for (size_t g = 0; g < f->nrg; g++)
        for (size_t i = 0; i < f->ncols; i++) {
            pq_chunk *ch = &f->rgs[g].chunks[i];
            if (ch->npages < 2)
                continue;
            size_t at = f->out->len;
            pq_offset_index_write(f->out, ch);
            ch->offset_index_offset = (int64_t)(at - f->file_start);
            ch->offset_index_length = (int32_t)(f->out->len - at);
        }
}

static void write_footer(pq_file *f) {
    size_t footer_start = f->out->len;
    char *dflt = lake_xasprintf("lake version %s (build unknown)", LAKE_VERSION);
    pq_footer_write(f->out, f->cols, f->ncols, (int64_t)f->nrows, f->rgs, f->nrg, f->opt,
                    f->opt->created_by ? f->opt->created_by : dflt);
    free(dflt);
    uint32_t len = (uint32_t)(f->out->len - footer_start);
    uint8_t le[4] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16), (uint8_t)(len >> 24)};
    lake_buf_append(f->out, le, 4);
    lake_buf_append(f->out, "PAR1", 4);
}

static void file_init(pq_file *f, const pq_coldesc *cols, size_t ncols, const uint32_t *rows,
                      size_t nrows, const pq_options *opt, lake_buf *out) {
    memset(f, 0, sizeof *f);
    f->cols = cols;
    f->ncols = ncols;
    f->rows = rows;
    f->nrows = nrows;
    f->opt = opt;
    f->out = out;
    f->file_start = out->len;
    f->row_group_bytes = opt->row_group_bytes ? opt->row_group_bytes : PQ_DEFAULT_ROW_GROUP_BYTES;
    f->enc.codec = block_codec(opt->codec);
    f->enc.level = opt->level;
    f->enc.page_bytes = opt->page_bytes ? opt->page_bytes : PQ_DEFAULT_PAGE_BYTES;
    f->enc.page_rows = opt->page_rows ? opt->page_rows : PQ_DEFAULT_PAGE_ROWS;
    f->enc.dictionary = opt->dictionary;
    f->enc.delta = opt->delta;
    f->enc.crc = opt->page_crc;
    f->enc.header_stats = !opt->page_index;
    pq_scratch_init(&f->sc, f->enc.page_rows);
}

static void file_free(pq_file *f) {
    for (size_t g = 0; g < f->nrg; g++) {
        for (size_t i = 0; i < f->ncols; i++)
            pq_chunk_free(&f->rgs[g].chunks[i]);
        free(f->rgs[g].chunks);
    }
    free(f->rgs);
    pq_scratch_free(&f->sc);
}

lake_rc pq_write_table(const lake_col *const *cols, size_t ncols, const uint32_t *rows,
                       size_t nrows, const pq_options *opt, lake_buf *out, lake_error *err) {
    pq_options defaults;
    pq_file f;
    pq_coldesc *descs = NULL;
    lake_rc rc;
    if (!opt) {
        pq_options_default(&defaults);
        opt = &defaults;
    }
    rc = check_args(cols, ncols, rows, nrows, opt, err);
    if (rc)
        return rc;
    descs = lake_xmalloc(ncols * sizeof *descs);
    for (size_t i = 0; i < ncols; i++)
        pq_coldesc_init(&descs[i], cols[i], opt->timestamp_type);
    file_init(&f, descs, ncols, rows, nrows, opt, out);
    lake_buf_append(out, "PAR1", 4);
    for (size_t begin = 0; begin < nrows;) {
        size_t end = row_group_end(&f, begin);
        rc = write_row_group(&f, begin, end, err);
        if (rc)
            goto out;
        begin = end;
    }
    if (opt->page_index)
        write_page_index(&f);
    write_footer(&f);
out:
    if (rc)
        lake_buf_resize(out, f.file_start);
    file_free(&f);
    free(descs);
    return rc;
}
