/* Load: plans one file per partition, writes the files in parallel, then commits with the
 * protocol the store supports (see load.h). Nothing of the previous output changes unless every
 * file of the run was written. */
#include "etl/load.h"
#include "etl/partition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void append_value(lake_buf *b, const lake_col *c, size_t row) {
    char num[32];
    if (!c->valid[row]) {
        lake_partition_append(b, c->name, NULL, 0);
        return;
    }
    switch (c->type) {
    case LAKE_T_STRING:
        lake_partition_append(b, c->name, c->v.str[row].ptr, c->v.str[row].len);
        return;
    case LAKE_T_INT32:
        snprintf(num, sizeof num, "%d", c->v.i32[row]);
        break;
    default:
        snprintf(num, sizeof num, "%lld", (long long)c->v.i64[row]);
        break;
    }
    lake_partition_append(b, c->name, num, strlen(num));
}

char *etl_partition_dir(const etl_table *t, size_t row) {
    lake_buf b;
    lake_buf_init(&b);
    for (size_t k = 0; k < t->npart; k++)
        append_value(&b, &t->cols[t->part_cols[k]], row);
    char *s = lake_xstrndup(b.data ? (const char *)b.data : "", b.len);
    lake_buf_free(&b);
    return s;
}

static bool same_partition(const etl_table *t, size_t a, size_t b) {
    for (size_t k = 0; k < t->npart; k++)
        if (lake_col_cmp(&t->cols[t->part_cols[k]], a, b) != 0)
            return false;
    return true;
}

/* One task per file: a partition's rows [start, end), split in files of at most
 * --max-rows-per-file rows (c000, c001, ... as Spark numbers them). */
static void add_task(load_job *j, etl_table *t, size_t start, size_t end) {
    uint64_t per_file = j->ctx->opts->max_rows_per_file;
    unsigned file_no = 0;
    do {
        size_t stop = per_file && end - start > per_file ? start + per_file : end;
        if (j->ntasks == j->cap) {
            j->cap = j->cap ? j->cap * 2 : 64;
            j->tasks = lake_xrealloc(j->tasks, j->cap * sizeof *j->tasks);
        }
        j->tasks[j->ntasks++] =
            (part_task){t, start, stop, etl_partition_dir(t, start), NULL, file_no};
        file_no++;
        start = stop;
    } while (start < end);
}

/* One task per partition; an unpartitioned table is one task even when empty, so its file still
 * carries the schema. */
static void plan_table(load_job *j, etl_table *t) {
    size_t n = t->ncols ? t->cols[0].len : 0;
    if (t->npart == 0) {
        add_task(j, t, 0, n);
        return;
    }
    size_t start = 0;
    for (size_t i = 1; i <= n; i++)
        if (i == n || !same_partition(t, start, i)) {
            add_task(j, t, start, i);
            start = i;
        }
}

lake_rc etl_store_sink(void *ud, const void *data, size_t len, lake_error *err) {
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
lake_rc etl_open_file(load_job *j, part_task *p, lake_store_writer **w, lake_error *err) {
    const char *tag = pq_codec_file_tag(j->ctx->opts->parquet.codec);
    char no[16];
    file_no_text(p->file_no, no);
    p->key = lake_xconcat(j->staging, p->table->name, "/", p->dir, "part-00000-", j->ctx->run_id,
                          "-c", no, tag ? "." : "", tag ? tag : "", ".parquet");
    unsigned flags = *j->staging ? LAKE_STORE_WRITE_NEW : 0;
    if (*j->staging && p->table->npart && p->file_no == 0)
        flags |= LAKE_STORE_WRITE_NEW_DIR; /* each partition directory is written by one task */
    lake_rc rc = lake_store_writer_open(j->ctx->out, p->key, flags, w, err);
    if (rc)
        lake_error_prefix(err, "writing %s: ", p->key);
    return rc;
}

lake_rc etl_close_file(load_job *j, const part_task *p, lake_store_writer *w, lake_rc rc,
                       lake_error *err) {
    if (rc) {
        lake_store_writer_abort(w);
    } else {
        uint64_t size = lake_store_writer_size(w);
        rc = lake_store_writer_finish(w, err);
        if (!rc)
            __atomic_fetch_add(&j->ctx->sum->bytes_written, size, __ATOMIC_RELAXED);
    }
    if (rc)
        lake_error_prefix(err, "writing %s: ", p->key);
    return rc;
}

size_t etl_data_cols(const etl_table *t, const lake_col **cols) {
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
static lake_rc write_file(load_job *j, part_task *p, unsigned worker, lake_error *err) {
    const lake_col *cols[12];
    size_t ncols = etl_data_cols(p->table, cols);
    lake_store_writer *w = NULL;
    lake_rc rc = etl_open_file(j, p, &w, err);
    if (rc)
        return rc;
    rc = pq_write_stream_reuse(cols, ncols, j->identity + p->start, p->end - p->start,
                               &j->ctx->opts->parquet, etl_store_sink, w, j->reuse[worker], NULL,
                               err);
    return etl_close_file(j, p, w, rc, err);
}

/* Task n of the pool: the streamed tables first (each a long sequential job), then the files of
 * the tables held in memory, in stripe order. */
static int write_task(void *arg, size_t n, unsigned worker) {
    load_job *j = arg;
    lake_error err = {0};
    lake_rc rc;
    if (n < j->nstreams) {
        rc = etl_write_stream(j, &j->streams[n], &err);
    } else {
        size_t i = j->order[n - j->nstreams];
        rc = write_file(j, &j->tasks[i], worker, &err);
        n = j->nstreams + i;
    }
    if (rc)
        lake_first_error_offer(&j->first, n, &err);
    return (int)rc;
}

lake_rc etl_put_text(lake_store *out, const char *key, const void *data, size_t len,
                     lake_error *err) {
    lake_rc rc = lake_store_put(out, key, data, len, err);
    if (rc)
        lake_error_prefix(err, "writing %s: ", key);
    return rc;
}

lake_rc etl_write_rejects(load_job *j, const char *prefix, const etl_reject_list *rejects,
                          lake_error *err) {
    if (rejects->n == 0)
        return LAKE_OK;
    lake_buf text;
    lake_buf_init(&text);
    etl_reject_write(rejects, &text);
    char *key = lake_xasprintf("%s_rejected/part-00000-%s.json", prefix, j->ctx->run_id);
    lake_rc rc = etl_put_text(j->ctx->out, key, text.data, text.len, err);
    free(key);
    lake_buf_free(&text);
    return rc;
}

static void load_job_free(load_job *j) {
    for (size_t i = 0; i < j->ntasks; i++) {
        free(j->tasks[i].dir);
        free(j->tasks[i].key);
    }
    for (size_t k = 0; k < j->nstreams; k++) {
        for (size_t f = 0; f < j->streams[k].nfiles; f++) {
            free(j->streams[k].files[f].dir);
            free(j->streams[k].files[f].key);
        }
        free(j->streams[k].files);
    }
    free(j->streams);
    lake_obj_list_free(&j->old);
    free(j->had_success);
    free(j->tasks);
    free(j->identity);
    free(j->order);
    free(j->staging);
    lake_first_error_free(&j->first);
}

static void plan_all(load_job *j, etl_table *tables, etl_rowsrc *const *srcs, size_t ntables) {
    size_t maxrows = 0;
    j->streams = lake_xcalloc(ntables + 1, sizeof *j->streams);
    for (size_t t = 0; t < ntables; t++) {
        if (srcs && srcs[t]) {
            j->streams[j->nstreams++] = (stream_task){&tables[t], srcs[t], NULL, 0, 0};
            continue;
        }
        plan_table(j, &tables[t]);
        size_t n = tables[t].ncols ? tables[t].cols[0].len : 0;
        maxrows = n > maxrows ? n : maxrows;
    }
    j->identity = lake_xcalloc(maxrows + 1, sizeof *j->identity);
    for (size_t i = 0; i < maxrows; i++)
        j->identity[i] = (uint32_t)i;
}

/* Workers take tasks from `threads` different stripes of the (sorted) task list, so at any
 * moment they create directories under different parents instead of queueing on one parent's
 * lock (a table like songs has tens of thousands of artist_id= directories under year=0). */
static void stripe_order(load_job *j, unsigned threads) {
    size_t n = j->ntasks, stripes = threads ? threads : 1, len = (n + stripes - 1) / stripes, k = 0;
    j->order = lake_xcalloc(n + 1, sizeof *j->order);
    for (size_t pos = 0; pos < len; pos++)
        for (size_t st = 0; st < stripes; st++)
            if (st * len + pos < n)
                j->order[k++] = st * len + pos;
}

/* The files a streamed table wrote join the planned ones, for the commit (or the abort) and
 * the summary. */
static void adopt_stream_files(load_job *j) {
    for (size_t k = 0; k < j->nstreams; k++) {
        stream_task *s = &j->streams[k];
        for (size_t f = 0; f < s->nfiles; f++) {
            if (j->ntasks == j->cap) {
                j->cap = j->cap ? j->cap * 2 : 64;
                j->tasks = lake_xrealloc(j->tasks, j->cap * sizeof *j->tasks);
            }
            j->tasks[j->ntasks++] = s->files[f];
        }
        s->nfiles = 0;
    }
}

/* The write stage runs one worker more than --threads: its workers spend part of their time
 * asleep in the kernel creating directories and files, and the extra one encodes meanwhile.
 * Measured on 2 cores with the bench's protocol (5 alternating runs each): the write stage at L
 * took a median 1.99 s with 3 workers against 2.10 s with 2, at the same CPU; no change at M
 * (docs/design.md, "Cheap file creation"). */
#define EXTRA_WRITE_WORKERS 1

/* Each worker writes its files with one set of Parquet encoder buffers: songs at M is 12,187
 * one-row files, and allocating and freeing an encoder's buffers per file was a fifth of the
 * write stage's instructions. */
static lake_rc write_files(load_job *j, etl_table *tables, size_t ntables, lake_error *err) {
    unsigned threads = (j->ctx->opts->threads ? j->ctx->opts->threads : 1) + EXTRA_WRITE_WORKERS;
    stripe_order(j, threads);
    j->reuse = lake_xcalloc(threads, sizeof *j->reuse);
    for (unsigned t = 0; t < threads; t++)
        j->reuse[t] = pq_reuse_create();
    int rc = lake_parallel_for(threads, j->nstreams + j->ntasks, write_task, j);
    for (unsigned t = 0; t < threads; t++)
        pq_reuse_free(j->reuse[t]);
    free(j->reuse);
    j->reuse = NULL;
    adopt_stream_files(j);
    if (rc) {
        *err = j->first.err;
        return (lake_rc)rc;
    }
    for (size_t i = 0; i < j->ntasks; i++)
        for (size_t t = 0; t < ntables; t++)
            if (j->tasks[i].table == &tables[t])
                j->ctx->sum->files[t]++;
    return LAKE_OK;
}

static void stage_times(lake_run_summary *sum, double t0, double c0, double t1, double c1) {
    sum->t_write = t1 - t0;
    sum->c_write = c1 - c0;
    sum->t_commit = lake_now() - t1;
    sum->c_commit = lake_cpu_now() - c1;
}

static lake_rc load_by_rename(load_job *j, etl_table *tables, etl_rowsrc *const *srcs,
                              size_t ntables, const etl_reject_list *rejects, lake_error *err) {
    j->staging = lake_xasprintf("_temporary/%s/", j->ctx->run_id);
    double t0 = lake_now(), c0 = lake_cpu_now();
    plan_all(j, tables, srcs, ntables);
    lake_rc rc = write_files(j, tables, ntables, err);
    if (!rc)
        rc = etl_write_rejects(j, j->staging, rejects, err);
    double t1 = lake_now(), c1 = lake_cpu_now();
    if (!rc)
        rc = etl_commit_rename(j, tables, ntables, err);
    /* Staging and the retired old versions go in every case; a failure here loses nothing. */
    lake_store_delete_prefix(j->ctx->out, "_temporary/", NULL);
    stage_times(j->ctx->sum, t0, c0, t1, c1);
    return rc;
}

/* The objects a direct run replaces are listed before writing, except in dynamic mode: which
 * partitions a streamed table writes is known only once it is written. */
static lake_rc load_direct(load_job *j, etl_table *tables, etl_rowsrc *const *srcs, size_t ntables,
                           const etl_reject_list *rejects, lake_error *err) {
    j->staging = lake_xstrdup("");
    bool dynamic = j->ctx->opts->mode == LAKE_WRITE_DYNAMIC;
    double t0 = lake_now(), c0 = lake_cpu_now();
    plan_all(j, tables, srcs, ntables);
    lake_rc rc = dynamic ? LAKE_OK : etl_direct_prepare(j, tables, ntables, err);
    if (!rc)
        rc = write_files(j, tables, ntables, err);
    if (!rc)
        rc = etl_write_rejects(j, "", rejects, err);
    if (!rc && dynamic)
        rc = etl_direct_prepare(j, tables, ntables, err);
    double t1 = lake_now(), c1 = lake_cpu_now();
    if (!rc)
        rc = etl_direct_finish(j, tables, ntables, err);
    if (rc && !j->committed)
        etl_direct_abort(j, tables, ntables);
    stage_times(j->ctx->sum, t0, c0, t1, c1);
    return rc;
}

lake_rc etl_load(etl_load_ctx *ctx, etl_table *tables, etl_rowsrc *const *srcs, size_t ntables,
                 const etl_reject_list *rejects, lake_error *err) {
    load_job j = {.ctx = ctx};
    lake_first_error_init(&j.first);
    lake_rc rc = lake_store_can_rename(ctx->out)
                     ? load_by_rename(&j, tables, srcs, ntables, rejects, err)
                     : load_direct(&j, tables, srcs, ntables, rejects, err);
    load_job_free(&j);
    return rc;
}
