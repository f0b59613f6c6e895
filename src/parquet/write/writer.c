/* pq_write_stream (one Parquet file per call, streamed to a sink chunk by chunk), the pq_stream
 * API it is built on, and pq_write_table. The options' defaults and parsers are in
 * writer_options.c. */
#include "lake/parquet.h"

#include "lake/codec.h"
#include "base/tempfile.h"
#include "parquet/write/writer_footer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* A piece of a column's spilled pages in the temporary file. */
typedef struct {
    int64_t off, len;
} pq_extent;

/* One column's spilled pages of the open row group, in order. */
typedef struct {
    pq_extent *ext;
    size_t n, cap;
} col_spill;

/* State of one file. Each column's encoder (ce) holds the compressed pages of the open row group;
 * when the group ends, its chunks are written into buf one at a time and handed to the sink, so
 * buf never holds more than one chunk's pages (or the page index, or the footer); pos is the
 * file offset of buf's first byte. */
typedef struct {
    const pq_coldesc *cols;
    size_t ncols;
    const uint32_t *rows;
    size_t nrows;
    const pq_options *opt;
    pq_enc_opts enc;
    int64_t row_group_bytes;
    pq_sink_fn sink;
    void *sink_ud;
    lake_buf buf;
    int64_t pos;
    size_t peak; /* most bytes held at once: buf and the encoder's scratch, by capacity */
    pq_scratch sc;
    pq_colenc *ce;       /* one per column */
    int64_t spill_bytes; /* held compressed pages that make them spill; < 0 never */
    int spill_fd;        /* the temporary file, -1 until the first spill */
    int64_t spill_len;   /* bytes of the open row group's pages in it */
    uint64_t spilled;    /* bytes that went through it, over the file */
    col_spill *spill;    /* per column, where its spilled pages are */
    int64_t rg_rows;     /* rows added to the open row group (0: none is open) */
    pq_rowgroup *rgs;
    size_t nrg, rg_cap;
    int64_t total_rows; /* rows of the row groups written so far */
    pq_reuse *reuse;    /* where buf, sc and ce came from and go back to; NULL: owned */
} pq_file;

struct pq_reuse {
    lake_buf buf;
    pq_scratch sc;
    pq_colenc *ce; /* initialised encoders, nce of them */
    size_t nce;
    bool lent; /* a file has them */
};

pq_reuse *pq_reuse_create(void) {
    return lake_xcalloc(1, sizeof(pq_reuse));
}

void pq_reuse_free(pq_reuse *r) {
    if (!r)
        return;
    for (size_t i = 0; i < r->nce; i++)
        pq_colenc_free(&r->ce[i]);
    free(r->ce);
    pq_scratch_free(&r->sc);
    lake_buf_free(&r->buf);
    free(r);
}

/* The file's buffers and encoders: r's when it has them to lend, else new ones. */
static void borrow(pq_file *f, pq_reuse *r) {
    size_t n = f->ncols ? f->ncols : 1;
    if (!r || r->lent) {
        lake_buf_init(&f->buf);
        pq_scratch_init(&f->sc);
        f->ce = lake_xcalloc(n, sizeof *f->ce);
        for (size_t i = 0; i < f->ncols; i++)
            pq_colenc_init(&f->ce[i], f->cols[i].phys);
        return;
    }
    if (r->nce < n) {
        r->ce = lake_xrealloc(r->ce, n * sizeof *r->ce);
        for (size_t i = r->nce; i < n; i++)
            pq_colenc_init(&r->ce[i], PQ_PHYS_INT32);
        r->nce = n;
    }
    for (size_t i = 0; i < f->ncols; i++)
        pq_colenc_reuse(&r->ce[i], f->cols[i].phys);
    f->buf = r->buf;
    lake_buf_resize(&f->buf, 0);
    f->sc = r->sc;
    f->ce = r->ce;
    r->lent = true;
    f->reuse = r;
}

/* Gives borrowed buffers back (large ones freed), or frees the file's own. */
static void give_back(pq_file *f) {
    pq_reuse *r = f->reuse;
    if (!r) {
        for (size_t i = 0; f->ce && i < f->ncols; i++)
            pq_colenc_free(&f->ce[i]);
        free(f->ce);
        pq_scratch_free(&f->sc);
        lake_buf_free(&f->buf);
        return;
    }
    if (f->buf.cap > ((size_t)1 << 20))
        lake_buf_free(&f->buf);
    r->buf = f->buf;
    r->sc = f->sc;
    r->lent = false;
    f->reuse = NULL;
}

/* File offset of the next byte produced. */
static int64_t file_pos(const pq_file *f) {
    return f->pos + (int64_t)f->buf.len;
}

/* Hands what buf holds to the sink. */
static void note_held(pq_file *f) {
    size_t held = f->buf.cap + pq_scratch_bytes(&f->sc);
    for (size_t i = 0; i < f->ncols; i++)
        held += pq_colenc_bytes(&f->ce[i]);
    if (held > f->peak)
        f->peak = held;
}

/* Hands what buf holds to the sink. */
static lake_rc emit(pq_file *f, lake_error *err) {
    note_held(f);
    if (f->buf.len == 0)
        return LAKE_OK;
    lake_rc rc = f->sink(f->sink_ud, f->buf.data, f->buf.len, err);
    f->pos += (int64_t)f->buf.len;
    lake_buf_resize(&f->buf, 0);
    return rc;
}

/* PLAIN size of row r of c. */
static uint64_t value_bytes(pq_phys phys, const lake_col *c, size_t r) {
    if (!c->valid[r])
        return 0;
    switch (phys) {
    case PQ_PHYS_INT32:
        return 4;
    case PQ_PHYS_INT64:
    case PQ_PHYS_DOUBLE:
        return 8;
    case PQ_PHYS_INT96:
        return 12;
    default:
        return 4 + (uint64_t)c->v.str[r].len;
    }
}

/* PLAIN size of row pos over all columns: what sizes a row group, like parquet-java's estimate
 * of buffered data, before compression. */
static uint64_t row_bytes(const pq_file *f, size_t pos) {
    size_t r = f->rows ? f->rows[pos] : pos;
    uint64_t n = 0;
    for (size_t i = 0; i < f->ncols; i++)
        n += value_bytes(f->cols[i].phys, f->cols[i].col, r);
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

static lake_rc pwrite_all(int fd, const uint8_t *p, size_t len, int64_t off, lake_error *err) {
    while (len) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return lake_error_set(err, LAKE_ERR_IO, "parquet: writing a temporary file: %s",
                                  n < 0 ? strerror(errno) : "no space written");
        p += n;
        off += n;
        len -= (size_t)n;
    }
    return LAKE_OK;
}

/* Moves every column's held pages to the temporary file once they pass spill_bytes, so the
 * pages of a row group larger than that are not all held in memory. */
static lake_rc maybe_spill(pq_file *f, lake_error *err) {
    if (f->spill_bytes < 0)
        return LAKE_OK;
    int64_t held = 0;
    for (size_t i = 0; i < f->ncols; i++)
        held += (int64_t)f->ce[i].data.len;
    if (held <= f->spill_bytes)
        return LAKE_OK;
    note_held(f);
    if (f->spill_fd < 0 && (f->spill_fd = lake_temp_fd(err)) < 0)
        return lake_error_prefix(err, "parquet: pages: ");
    for (size_t i = 0; i < f->ncols; i++) {
        pq_colenc *e = &f->ce[i];
        if (e->data.len == 0)
            continue;
        lake_rc rc = pwrite_all(f->spill_fd, e->data.data, e->data.len, f->spill_len, err);
        if (rc)
            return rc;
        col_spill *sp = &f->spill[i];
        if (sp->n == sp->cap) {
            sp->cap = sp->cap ? sp->cap * 2 : 4;
            sp->ext = lake_xrealloc(sp->ext, sp->cap * sizeof *sp->ext);
        }
        sp->ext[sp->n++] = (pq_extent){f->spill_len, (int64_t)e->data.len};
        f->spill_len += (int64_t)e->data.len;
        f->spilled += e->data.len;
        e->spilled += (int64_t)e->data.len;
        if (e->data.cap > ((size_t)1 << 20))
            lake_buf_free(&e->data); /* give large buffers back */
        else
            lake_buf_resize(&e->data, 0);
    }
    return LAKE_OK;
}

/* Copies column i's spilled pages back from the temporary file to the sink, 1 MiB at a time. */
static lake_rc unspill(pq_file *f, size_t i, lake_error *err) {
    const size_t piece = (size_t)1 << 20;
    col_spill *sp = &f->spill[i];
    for (size_t x = 0; x < sp->n; x++) {
        int64_t off = sp->ext[x].off, left = sp->ext[x].len;
        while (left > 0) {
            size_t n = (size_t)left < piece ? (size_t)left : piece, at = f->buf.len;
            lake_buf_resize(&f->buf, at + n);
            ssize_t got = pread(f->spill_fd, f->buf.data + at, n, (off_t)off);
            if (got < 0 && errno == EINTR) {
                lake_buf_resize(&f->buf, at);
                continue;
            }
            if (got != (ssize_t)n)
                return lake_error_set(err, LAKE_ERR_IO, "parquet: reading a temporary file: %s",
                                      got < 0 ? strerror(errno) : "short read");
            off += (int64_t)n;
            left -= (int64_t)n;
            lake_rc rc = emit(f, err);
            if (rc)
                return rc;
        }
    }
    sp->n = 0;
    return LAKE_OK;
}

/* Ends column i's chunk of the open row group: its pages go into buf, the dictionary page first
 * (then the spilled pages, then the held ones), chunk offsets become file offsets, and buf goes
 * to the sink. */
static lake_rc finish_chunk(pq_file *f, pq_rowgroup *rg, size_t i, lake_error *err) {
    pq_chunk *ch = &rg->chunks[i];
    int64_t base = file_pos(f); /* chunk offsets count from the chunk's first byte */
    pq_colenc *e = &f->ce[i];
    lake_rc rc = pq_colenc_finish(e, &f->enc, &f->sc, &f->buf, ch, err);
    if (rc)
        return lake_error_prefix(err, "parquet: column %s: ", f->cols[i].col->name);
    if (f->spill[i].n > 0 && (rc = unspill(f, i, err)) != LAKE_OK)
        return rc;
    lake_buf_append(&f->buf, e->data.data, e->data.len);
    lake_buf_resize(&e->data, 0);
    e->spilled = 0;
    ch->data_page_offset += base;
    if (ch->dict_page_offset >= 0)
        ch->dict_page_offset += base;
    for (size_t p = 0; p < ch->npages; p++)
        ch->pages[p].offset += base;
    return emit(f, err);
}

static lake_rc add_rows(pq_file *f, size_t i, size_t begin, size_t end, lake_error *err) {
    lake_rc rc = pq_colenc_add(&f->ce[i], &f->cols[i], f->rows, begin, end, &f->enc, &f->sc, err);
    if (rc)
        return lake_error_prefix(err, "parquet: column %s: ", f->cols[i].col->name);
    return LAKE_OK;
}

/* Adds rows[begin..end) of the bound columns to the open row group (opening one). Their pages
 * are encoded and compressed as they fill; the rows are not needed after the call. */
static lake_rc append_rows(pq_file *f, size_t begin, size_t end, lake_error *err) {
    for (size_t i = 0; i < f->ncols; i++) {
        lake_rc rc = add_rows(f, i, begin, end, err);
        if (rc)
            return rc;
    }
    f->rg_rows += (int64_t)(end - begin);
    note_held(f);
    return maybe_spill(f, err);
}

/* After a row group: the temporary file is emptied (its blocks given back; should that fail,
 * the next group overwrites the same offsets). */
static void spill_reset(pq_file *f) {
    if (f->spill_fd >= 0 && f->spill_len > 0 && ftruncate(f->spill_fd, 0) != 0)
        errno = 0;
    f->spill_len = 0;
}

/* Ends the open row group, if any: its chunks go to the sink column by column. */
static lake_rc end_row_group(pq_file *f, lake_error *err) {
    if (f->rg_rows == 0)
        return LAKE_OK;
    pq_rowgroup *rg = new_row_group(f);
    rg->num_rows = f->rg_rows;
    f->total_rows += f->rg_rows;
    f->rg_rows = 0;
    for (size_t i = 0; i < f->ncols; i++) {
        lake_rc rc = finish_chunk(f, rg, i, err);
        if (rc)
            return rc;
    }
    spill_reset(f);
    return LAKE_OK;
}

/* Writes rows[begin..end) as one row group when all its rows are at hand: column by column, so
 * only one column's compressed pages are held at a time. The same encoder as append_rows, so
 * the same bytes. */
static lake_rc write_row_group(pq_file *f, size_t begin, size_t end, lake_error *err) {
    pq_rowgroup *rg = new_row_group(f);
    rg->num_rows = (int64_t)(end - begin);
    f->total_rows += rg->num_rows;
    const size_t step = 65536; /* rows added between checks of the held pages */
    for (size_t i = 0; i < f->ncols; i++) {
        lake_rc rc = LAKE_OK;
        for (size_t at = begin; !rc && at < end; at += step) {
            rc = add_rows(f, i, at, end - at < step ? end : at + step, err);
            if (!rc)
                rc = maybe_spill(f, err);
        }
        if (!rc)
            rc = finish_chunk(f, rg, i, err);
        if (rc)
            return rc;
    }
    spill_reset(f);
    return LAKE_OK;
}

/* The page index goes between the last row group and the footer, as parquet-java lays it out:
 * every ColumnIndex, then every OffsetIndex. A chunk of a single data page gets none: its index
 * would only repeat the chunk statistics, and in the many one-row files of a finely partitioned
 * table it would be a fifth of the file. */
static lake_rc write_page_index(pq_file *f, lake_error *err) {
    for (size_t g = 0; g < f->nrg; g++)
        for (size_t i = 0; i < f->ncols; i++) {
            pq_chunk *ch = &f->rgs[g].chunks[i];
            if (!ch->column_index || ch->npages < 2)
                continue;
            size_t at = f->buf.len;
            ch->column_index_offset = file_pos(f);
            pq_column_index_write(&f->buf, ch);
            ch->column_index_length = (int32_t)(f->buf.len - at);
        }
    for (size_t g = 0; g < f->nrg; g++)
        for (size_t i = 0; i < f->ncols; i++) {
            pq_chunk *ch = &f->rgs[g].chunks[i];
            if (ch->npages < 2)
                continue;
            size_t at = f->buf.len;
            ch->offset_index_offset = file_pos(f);
            pq_offset_index_write(&f->buf, ch);
            ch->offset_index_length = (int32_t)(f->buf.len - at);
        }
    return emit(f, err);
}

static lake_rc write_footer(pq_file *f, lake_error *err) {
    size_t footer_start = f->buf.len;
    pq_footer_write(&f->buf, f->cols, f->ncols, f->total_rows, f->rgs, f->nrg, f->opt,
                    f->opt->created_by ? f->opt->created_by
                                       : "lake version " LAKE_VERSION " (build unknown)");
    uint32_t len = (uint32_t)(f->buf.len - footer_start);
    uint8_t le[4] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16), (uint8_t)(len >> 24)};
    lake_buf_append(&f->buf, le, 4);
    lake_buf_append(&f->buf, "PAR1", 4);
    return emit(f, err);
}

static void file_init(pq_file *f, const pq_coldesc *cols, size_t ncols, const uint32_t *rows,
                      size_t nrows, const pq_options *opt, pq_reuse *reuse) {
    memset(f, 0, sizeof *f);
    f->cols = cols;
    f->ncols = ncols;
    f->rows = rows;
    f->nrows = nrows;
    f->opt = opt;
    borrow(f, reuse);
    f->row_group_bytes = opt->row_group_bytes ? opt->row_group_bytes : PQ_DEFAULT_ROW_GROUP_BYTES;
    f->enc.codec = opt->codec;
    f->enc.level = opt->level;
    f->enc.page_bytes = opt->page_bytes ? opt->page_bytes : PQ_DEFAULT_PAGE_BYTES;
    f->enc.page_rows = opt->page_rows ? opt->page_rows : PQ_DEFAULT_PAGE_ROWS;
    f->enc.dictionary = opt->dictionary;
    f->enc.delta = opt->delta;
    f->enc.crc = opt->page_crc;
    f->enc.header_stats = !opt->page_index;
    f->spill_bytes = opt->spill_bytes ? opt->spill_bytes : PQ_DEFAULT_SPILL_BYTES;
    f->spill_fd = -1;
    f->spill = lake_xcalloc(ncols ? ncols : 1, sizeof *f->spill);
}

static void file_free(pq_file *f) {
    for (size_t g = 0; g < f->nrg; g++) {
        for (size_t i = 0; i < f->ncols; i++)
            pq_chunk_free(&f->rgs[g].chunks[i]);
        free(f->rgs[g].chunks);
    }
    free(f->rgs);
    for (size_t i = 0; f->spill && i < f->ncols; i++)
        free(f->spill[i].ext);
    free(f->spill);
    if (f->spill_fd >= 0)
        close(f->spill_fd);
    give_back(f);
}

/* Row groups of rows[0..nrows) of the bound columns, each cut once its rows reach
 * row_group_bytes. */
static lake_rc write_rows(pq_file *f, lake_error *err) {
    for (size_t begin = 0; begin < f->nrows;) {
        size_t end = row_group_end(f, begin);
        lake_rc rc = write_row_group(f, begin, end, err);
        if (rc)
            return rc;
        begin = end;
    }
    return LAKE_OK;
}

static lake_rc finish_file(pq_file *f, lake_error *err) {
    lake_rc rc0 = end_row_group(f, err);
    if (rc0)
        return rc0;
    if (f->opt->page_index) {
        lake_rc rc = write_page_index(f, err);
        if (rc)
            return rc;
    }
    return write_footer(f, err);
}

struct pq_stream {
    pq_file f;
    pq_options opt;
    pq_coldesc *descs;
    bool failed; /* a write failed: the file cannot be finished */
};

static lake_rc stream_open(const lake_col *const *cols, size_t ncols, const pq_options *opt,
                           pq_sink_fn sink, void *ud, pq_reuse *reuse, pq_stream **out,
                           lake_error *err) {
    pq_options defaults;
    *out = NULL;
    if (!opt) {
        pq_options_default(&defaults);
        opt = &defaults;
    }
    lake_rc rc = check_args(cols, ncols, NULL, 0, opt, err);
    if (rc)
        return rc;
    pq_stream *s = lake_xcalloc(1, sizeof *s);
    s->opt = *opt;
    s->descs = lake_xmalloc(ncols * sizeof *s->descs);
    for (size_t i = 0; i < ncols; i++)
        pq_coldesc_init(&s->descs[i], cols[i], opt->timestamp_type);
    file_init(&s->f, s->descs, ncols, NULL, 0, &s->opt, reuse);
    s->f.sink = sink;
    s->f.sink_ud = ud;
    lake_buf_append(&s->f.buf, "PAR1", 4);
    *out = s;
    return LAKE_OK;
}

lake_rc pq_stream_open(const lake_col *const *cols, size_t ncols, const pq_options *opt,
                       pq_sink_fn sink, void *ud, pq_stream **out, lake_error *err) {
    return stream_open(cols, ncols, opt, sink, ud, NULL, out, err);
}

/* cols must have the names and types the stream was opened with, in the same order. */
static lake_rc check_schema(const pq_stream *s, const lake_col *const *cols, lake_error *err) {
    for (size_t i = 0; i < s->f.ncols; i++) {
        const lake_col *was = s->descs[i].col;
        if (!cols[i] || !cols[i]->name || strcmp(cols[i]->name, was->name) != 0 ||
            cols[i]->type != was->type)
            return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                                  "parquet: column %zu differs from the file's column %s", i,
                                  was->name);
    }
    return LAKE_OK;
}

/* Checks and binds cols and rows for a write. */
static lake_rc bind_rows(pq_stream *s, const lake_col *const *cols, const uint32_t *rows,
                         size_t nrows, lake_error *err) {
    if (s->failed)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "parquet: write after a failed write");
    lake_rc rc = check_schema(s, cols, err);
    if (!rc)
        rc = check_args(cols, s->f.ncols, rows, nrows, &s->opt, err);
    if (!rc && (uint64_t)s->f.total_rows + (uint64_t)s->f.rg_rows + nrows > INT32_MAX)
        rc = lake_error_set(err, LAKE_ERR_LIMIT, "parquet: more than 2^31 - 1 rows in a file");
    if (rc)
        return rc;
    for (size_t i = 0; i < s->f.ncols; i++)
        s->descs[i].col = cols[i];
    s->f.rows = rows;
    s->f.nrows = nrows;
    return LAKE_OK;
}

lake_rc pq_stream_write(pq_stream *s, const lake_col *const *cols, const uint32_t *rows,
                        size_t nrows, lake_error *err) {
    lake_rc rc = bind_rows(s, cols, rows, nrows, err);
    if (rc)
        return rc;
    rc = end_row_group(&s->f, err);
    if (!rc)
        rc = write_rows(&s->f, err);
    s->failed = rc != LAKE_OK;
    return rc;
}

lake_rc pq_stream_write_row_group(pq_stream *s, const lake_col *const *cols, const uint32_t *rows,
                                  size_t nrows, lake_error *err) {
    lake_rc rc = bind_rows(s, cols, rows, nrows, err);
    if (rc || nrows == 0)
        return rc;
    rc = end_row_group(&s->f, err);
    if (!rc)
        rc = write_row_group(&s->f, 0, nrows, err);
    s->failed = rc != LAKE_OK;
    return rc;
}

lake_rc pq_stream_append(pq_stream *s, const lake_col *const *cols, const uint32_t *rows,
                         size_t nrows, lake_error *err) {
    lake_rc rc = bind_rows(s, cols, rows, nrows, err);
    if (rc || nrows == 0)
        return rc;
    rc = append_rows(&s->f, 0, nrows, err);
    s->failed = rc != LAKE_OK;
    return rc;
}

lake_rc pq_stream_end_row_group(pq_stream *s, lake_error *err) {
    if (s->failed)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "parquet: write after a failed write");
    lake_rc rc = end_row_group(&s->f, err);
    s->failed = rc != LAKE_OK;
    return rc;
}

uint64_t pq_stream_row_bytes(const pq_stream *s, const lake_col *const *cols, size_t row) {
    uint64_t n = 0;
    for (size_t i = 0; i < s->f.ncols; i++)
        n += value_bytes(s->descs[i].phys, cols[i], row);
    return n;
}

int64_t pq_stream_row_group_bytes(const pq_stream *s) {
    return s->f.row_group_bytes;
}

lake_rc pq_stream_close(pq_stream *s, pq_write_info *info, lake_error *err) {
    lake_rc rc = s->failed ? lake_error_set(err, LAKE_ERR_INVALID_ARG,
                                            "parquet: closing a file after a failed write")
                           : finish_file(&s->f, err);
    if (info) {
        info->file_bytes = (uint64_t)s->f.pos;
        info->peak_held = s->f.peak;
        info->spilled = s->f.spilled;
    }
    pq_stream_free(s);
    return rc;
}

void pq_stream_free(pq_stream *s) {
    if (!s)
        return;
    file_free(&s->f);
    free(s->descs);
    free(s);
}

lake_rc pq_write_stream(const lake_col *const *cols, size_t ncols, const uint32_t *rows,
                        size_t nrows, const pq_options *opt, pq_sink_fn sink, void *ud,
                        pq_write_info *info, lake_error *err) {
    return pq_write_stream_reuse(cols, ncols, rows, nrows, opt, sink, ud, NULL, info, err);
}

lake_rc pq_write_stream_reuse(const lake_col *const *cols, size_t ncols, const uint32_t *rows,
                              size_t nrows, const pq_options *opt, pq_sink_fn sink, void *ud,
                              pq_reuse *r, pq_write_info *info, lake_error *err) {
    pq_stream *s;
    lake_rc rc = stream_open(cols, ncols, opt, sink, ud, r, &s, err);
    if (rc) {
        if (info)
            memset(info, 0, sizeof *info);
        return rc;
    }
    rc = pq_stream_write(s, cols, rows, nrows, err);
    if (rc) {
        if (info) {
            info->file_bytes = (uint64_t)s->f.pos;
            info->peak_held = s->f.peak;
            info->spilled = s->f.spilled;
        }
        pq_stream_free(s);
        return rc;
    }
    return pq_stream_close(s, info, err);
}

static lake_rc append_to_buf(void *ud, const void *data, size_t len, lake_error *err) {
    (void)err;
    lake_buf_append(ud, data, len);
    return LAKE_OK;
}

lake_rc pq_write_table(const lake_col *const *cols, size_t ncols, const uint32_t *rows,
                       size_t nrows, const pq_options *opt, lake_buf *out, lake_error *err) {
    size_t start = out->len;
    lake_rc rc = pq_write_stream(cols, ncols, rows, nrows, opt, append_to_buf, out, NULL, err);
    if (rc)
        lake_buf_resize(out, start);
    return rc;
}
