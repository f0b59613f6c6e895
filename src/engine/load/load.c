/* Load: plans one file per partition, writes the files in parallel, then hands them to the
 * commit (see load.h). */
#include "base/clock.h"
#include "engine/load/load_job.h"

#include <stdlib.h>
#include <string.h>

lake_col *eng_add_col(eng_table *t, const char *name, lake_type type) {
    lake_col *c = &t->cols[t->ncols++];
    lake_col_init(c, name, type);
    return c;
}

void eng_table_free(eng_table *t) {
    for (size_t i = 0; i < t->ncols; i++)
        lake_col_free(&t->cols[i]);
    lake_arena_free(t->arena);
    memset(t, 0, sizeof *t);
}

/* Task n of the pool: the streamed tables first (each a long sequential job), then the files of
 * the tables held in memory, in stripe order. */
static int write_task(void *arg, size_t n, unsigned worker) {
    load_job *j = arg;
    lake_error err = {0};
    lake_rc rc;
    if (n < j->nstreams) {
        rc = eng_write_stream(j, &j->streams[n], &err);
    } else {
        size_t i = j->order[n - j->nstreams];
        rc = eng_write_file(j, &j->tasks[i], worker, &err);
        n = j->nstreams + i;
    }
    if (rc)
        lake_first_error_offer(&j->first, n, &err);
    return (int)rc;
}

/* The bad records go next to the tables, committed with them (the commit's last table). The
 * key is recorded before the write, for the same lost-reply reason as the data files. */
static lake_rc write_rejects(load_job *j, const lake_buf *rejects, lake_error *err) {
    if (!rejects || rejects->len == 0)
        return LAKE_OK;
    j->reject_key =
        lake_xconcat(j->staging, ENG_REJECTED_DIR, "/part-00000-", j->opts->run_id, ".json");
    lake_store_writer *w = NULL;
    lake_rc rc = lake_store_writer_open(j->opts->out, j->reject_key, j->write_flags, &w, err);
    if (!rc && (rc = lake_store_writer_write(w, rejects->data, rejects->len, err)) != LAKE_OK)
        lake_store_writer_abort(w);
    else if (!rc)
        rc = eng_end_writer(j, w, &j->reject_pending, err);
    if (rc)
        lake_error_prefix(err, "writing %s: ", j->reject_key);
    return rc;
}

static void load_job_free(load_job *j) {
    for (size_t i = 0; i < j->ntasks; i++) {
        free(j->tasks[i].dir);
        free(j->tasks[i].key);
        free(j->tasks[i].pending);
    }
    for (size_t k = 0; k < j->nstreams; k++) {
        for (size_t f = 0; f < j->streams[k].nfiles; f++) {
            free(j->streams[k].files[f].dir);
            free(j->streams[k].files[f].key);
            free(j->streams[k].files[f].pending);
        }
        free(j->streams[k].files);
    }
    free(j->streams);
    free(j->tasks);
    free(j->identity);
    free(j->order);
    free(j->reject_key);
    free(j->reject_pending);
    lake_first_error_free(&j->first);
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
static lake_rc write_files(load_job *j, eng_table *tables, size_t ntables, lake_error *err) {
    unsigned threads = (j->opts->threads ? j->opts->threads : 1) + EXTRA_WRITE_WORKERS;
    eng_stripe_order(j, threads);
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
                j->stats->files[t]++;
    eng_table_stats_fill(j, tables, ntables);
    return LAKE_OK;
}

/* The rows the write stage writes: those of the planned files and of the streamed tables. */
static void plan_progress(const load_job *j) {
    uint64_t rows = 0;
    for (size_t i = 0; i < j->ntasks; i++)
        rows += j->tasks[i].end - j->tasks[i].start;
    for (size_t k = 0; k < j->nstreams; k++)
        rows += j->streams[k].src->rows;
    lake_progress_plan(j->opts->progress, 0, 0, rows);
}

/* The commit's view of the output: the tables, then the rejects' directory. */
static eng_commit_table *commit_tables(const eng_table *tables, size_t ntables) {
    eng_commit_table *ct = lake_xcalloc(ntables + 1, sizeof *ct);
    for (size_t t = 0; t < ntables; t++)
        ct[t] = (eng_commit_table){tables[t].name, tables[t].npart > 0, true, false};
    ct[ntables] = (eng_commit_table){ENG_REJECTED_DIR, false, false, false};
    return ct;
}

/* Every file the run wrote or tried to, by table index (the rejects last). */
static eng_commit_file *commit_files(const load_job *j, const eng_table *tables, size_t ntables,
                                     size_t *n) {
    eng_commit_file *f = lake_xcalloc(j->ntasks + 2, sizeof *f);
    size_t k = 0;
    for (size_t i = 0; i < j->ntasks; i++) {
        const part_task *p = &j->tasks[i];
        f[k++] =
            (eng_commit_file){(size_t)(p->table - tables), p->dir, p->key, p->file_no, p->pending};
    }
    if (j->reject_key)
        f[k++] = (eng_commit_file){ntables, "", j->reject_key, 0, j->reject_pending};
    *n = k;
    return f;
}

static lake_rc decide(load_job *j, eng_commit *c, lake_rc written, const eng_table *tables,
                      size_t ntables, lake_error *err) {
    size_t n = 0;
    eng_commit_file *files = commit_files(j, tables, ntables, &n);
    lake_rc rc = j->opts->commit ? j->opts->commit(j->opts->commit_ud, c, written, files, n, err)
                                 : eng_commit_end(c, written, files, n, err);
    free(files);
    return rc;
}

lake_rc eng_load(const eng_load_opts *o, eng_table *tables, eng_rowsrc *const *srcs, size_t ntables,
                 const lake_buf *rejects, eng_load_stats *st, lake_error *err) {
    load_job j = {.opts = o, .stats = st};
    eng_commit_table *ct = commit_tables(tables, ntables);
    eng_commit_opts copts = {o->run_id, o->dynamic, o->threads, ct, ntables + 1, o->owner};
    eng_commit *c = NULL;
    lake_first_error_init(&j.first);
    double t0 = lake_now(), c0 = lake_cpu_now();
    lake_progress_stage(o->progress, "write");
    lake_rc rc = eng_commit_prepare(o->out, &copts, &c, err);
    if (!rc) {
        j.staging = eng_commit_staging(c);
        j.write_flags = eng_commit_write_flags(c);
        eng_plan_all(&j, tables, srcs, ntables);
        plan_progress(&j);
        rc = write_files(&j, tables, ntables, err);
        if (!rc)
            rc = write_rejects(&j, rejects, err);
    }
    double t1 = lake_now(), c1 = lake_cpu_now();
    lake_progress_stage(o->progress, "commit");
    if (c)
        rc = decide(&j, c, rc, tables, ntables, err);
    double t2 = lake_now(), c2 = lake_cpu_now();
    lake_progress_stage(o->progress, "cleanup");
    if (!rc)
        rc = eng_commit_cleanup(c, err);
    st->t_write = t1 - t0;
    st->c_write = c1 - c0;
    st->t_commit = t2 - t1;
    st->c_commit = c2 - c1;
    st->t_cleanup = lake_now() - t2;
    st->c_cleanup = lake_cpu_now() - c2;
    eng_commit_free(c);
    free(ct);
    load_job_free(&j);
    return rc;
}
