/* Load of a streamed table (one a job gives as an eng_rowsrc): rows come from an eng_rowsrc in
 * final order and go to the Parquet writer in slices of about 1 MiB (pq_stream_append), one file
 * per partition (split at --max-rows-per-file), so memory holds one slice of rows and the
 * compressed pages of one row group, not the table. The row groups are cut where pq_write_stream
 * would cut them over the whole partition, and pages do not depend on the slices, so the files are
 * the ones a table built in memory gives. */
#include "engine/load/load_job.h"

#include <stdlib.h>
#include <string.h>

static void clear_rows(eng_table *t) {
    for (size_t c = 0; c < t->ncols; c++)
        lake_col_clear(&t->cols[c]);
}

static part_task *new_file(stream_task *s, unsigned file_no) {
    if (s->nfiles == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->files = lake_xrealloc(s->files, s->cap * sizeof *s->files);
    }
    part_task *p = &s->files[s->nfiles++];
    *p = (part_task){s->table, 0, 0, eng_partition_dir(s->table, 0), NULL, NULL, file_no, 0, 0};
    return p;
}

typedef struct {
    load_job *j;
    stream_task *s;
    const lake_col *cols[12]; /* the data columns (not the partition ones) */
    size_t ncols;
    pq_stream *pq;
    int64_t part;      /* the partition being written */
    uint64_t in_file;  /* rows in the current file */
    uint64_t per_file; /* --max-rows-per-file, 0 = no limit */
} stream_state;

/* Does the next row belong to the current file? */
static bool next_in_file(stream_state *st) {
    int64_t part;
    if (st->per_file && st->in_file >= st->per_file)
        return false;
    return st->s->src->peek(st->s->src->ud, &part) && part == st->part;
}

/* Rows the loader hands to the writer at a time: about this many PLAIN bytes. The writer encodes
 * and compresses each slice's pages as they fill, so the row buffer holds one slice, not the
 * row group. */
#define SLICE_BYTES ((uint64_t)1 << 20)

/* Takes rows into the shell until they fill a row group or the file ends, handing them to the
 * writer a slice at a time, then ends the row group. The first row is known to belong to the
 * file. */
static lake_rc write_row_group(stream_state *st, lake_error *err) {
    eng_table *t = st->s->table;
    eng_rowsrc *src = st->s->src;
    uint64_t limit = (uint64_t)pq_stream_row_group_bytes(st->pq), acc = 0, slice = 0;
    lake_rc rc = LAKE_OK;
    if (t->cols[0].len == 0) /* the file's first row is already in t */
        src->take(src->ud, t);
    for (;;) {
        uint64_t n = pq_stream_row_bytes(st->pq, st->cols, t->cols[0].len - 1);
        acc += n;
        slice += n;
        st->in_file++;
        bool more = acc < limit && next_in_file(st);
        if (!more || slice >= SLICE_BYTES) {
            rc = pq_stream_append(st->pq, st->cols, NULL, t->cols[0].len, err);
            lake_progress_add(st->j->opts->progress, 0, 0, t->cols[0].len, 0);
            clear_rows(t);
            slice = 0;
            if (rc || !more)
                break;
        }
        src->take(src->ud, t);
    }
    if (!rc)
        rc = pq_stream_end_row_group(st->pq, err);
    return rc;
}

static lake_rc write_rows(stream_state *st, lake_error *err) {
    lake_rc rc;
    do
        rc = write_row_group(st, err);
    while (!rc && next_in_file(st));
    return rc;
}

/* One file: its first row is taken first, for the partition directory of its key. */
static lake_rc stream_file(stream_state *st, unsigned file_no, lake_error *err) {
    eng_table *t = st->s->table;
    eng_rowsrc *src = st->s->src;
    clear_rows(t);
    src->take(src->ud, t);
    part_task *p = new_file(st->s, file_no);
    lake_store_writer *w = NULL;
    lake_rc rc = eng_open_file(st->j, p, &w, err); /* records p->key before the first byte */
    if (rc)
        return rc;
    rc =
        pq_stream_open(st->cols, st->ncols, &st->j->opts->parquet, eng_store_sink, w, &st->pq, err);
    st->in_file = 0;
    if (!rc)
        rc = write_rows(st, err);
    pq_write_info info = {0};
    p->rows = st->in_file;
    if (!rc)
        rc = pq_stream_close(st->pq, &info, err);
    else
        pq_stream_free(st->pq);
    st->pq = NULL;
    return eng_close_file(st->j, p, w, rc, err);
}

lake_rc eng_write_stream(load_job *j, stream_task *s, lake_error *err) {
    stream_state st = {.j = j, .s = s, .per_file = j->opts->max_rows_per_file};
    st.ncols = eng_data_cols(s->table, st.cols);
    unsigned file_no = 0;
    bool first = true;
    int64_t part;
    lake_rc rc = LAKE_OK;
    while (!rc && s->src->peek(s->src->ud, &part)) {
        file_no = !first && part == st.part ? file_no + 1 : 0;
        first = false;
        st.part = part;
        rc = stream_file(&st, file_no, err);
    }
    if (!rc)
        rc = s->src->status(s->src->ud, err);
    clear_rows(s->table);
    return rc;
}
