/* Load: the files themselves, one store writer each, named as Spark names them. */
#include "engine/load/load_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

lake_rc eng_store_sink(void *ud, const void *data, size_t len, lake_error *err) {
    return lake_store_writer_write(ud, data, len, err);
}

/* A file's number as Spark writes it, %03u: with one file per partition of tens of thousands,
 * printf was a tenth of the write stage's user time. */
static void file_no_text(unsigned n, char out[16]) {
    if (n >= 1000) {
        snprintf(out, 16, "%03u", n);
        return;
    }
    out[0] = (char)('0' + n / 100);
    out[1] = (char)('0' + n / 10 % 10);
    out[2] = (char)('0' + n % 10);
    out[3] = '\0';
}

/* Recorded before the first byte is sent: a write can fail after the store kept the object (a
 * lost reply to a PUT or to CompleteMultipartUpload), and an abort must delete it all the same.
 * An unfinished multipart upload is aborted by the store writer itself. */
lake_rc eng_open_file(load_job *j, part_task *p, lake_store_writer **w, lake_error *err) {
    const char *tag = pq_codec_file_tag(j->opts->parquet.codec);
    char no[16];
    file_no_text(p->file_no, no);
    p->key = lake_xconcat(j->staging, p->table->name, "/", p->dir, "part-00000-", j->opts->run_id,
                          "-c", no, tag ? "." : "", tag ? tag : "", ".parquet");
    unsigned flags = j->write_flags;
    if ((flags & LAKE_STORE_WRITE_NEW) && p->table->npart && p->file_no == 0)
        flags |= LAKE_STORE_WRITE_NEW_DIR; /* each partition directory is written by one task */
    lake_rc rc = lake_store_writer_open(j->opts->out, p->key, flags, w, err);
    if (rc)
        lake_error_prefix(err, "writing %s: ", p->key);
    return rc;
}

lake_rc eng_end_writer(const load_job *j, lake_store_writer *w, char **pending, lake_error *err) {
    return eng_commit_writer_end(j->write_flags, w, pending, err);
}

lake_rc eng_close_file(load_job *j, part_task *p, lake_store_writer *w, lake_rc rc,
                       lake_error *err) {
    if (rc) {
        lake_store_writer_abort(w);
    } else {
        uint64_t size = lake_store_writer_size(w);
        rc = eng_end_writer(j, w, &p->pending, err);
        if (!rc) {
            p->bytes = size;
            __atomic_fetch_add(&j->stats->bytes_written, size, __ATOMIC_RELAXED);
            lake_progress_add(j->opts->progress, 0, size, 0, 1);
        }
    }
    if (rc)
        lake_error_prefix(err, "writing %s: ", p->key);
    return rc;
}

size_t eng_data_cols(const eng_table *t, const lake_col **cols) {
    size_t ncols = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        bool is_part = false;
        for (size_t k = 0; k < t->npart; k++)
            is_part |= t->part_cols[k] == (int)c;
        if (!is_part)
            cols[ncols++] = &t->cols[c];
    }
    return ncols;
}

/* Streams the file into the store: the writer holds one column chunk at a time and the store
 * writer a bounded buffer, so memory does not grow with the file. */
lake_rc eng_write_file(load_job *j, part_task *p, unsigned worker, lake_error *err) {
    const lake_col *cols[12];
    size_t ncols = eng_data_cols(p->table, cols);
    lake_store_writer *w = NULL;
    lake_rc rc = eng_open_file(j, p, &w, err);
    if (rc)
        return rc;
    rc = pq_write_stream_reuse(cols, ncols, j->identity + p->start, p->end - p->start,
                               &j->opts->parquet, eng_store_sink, w, j->reuse[worker], NULL, err);
    rc = eng_close_file(j, p, w, rc, err);
    if (!rc)
        lake_progress_add(j->opts->progress, 0, 0, p->end - p->start, 0);
    return rc;
}
