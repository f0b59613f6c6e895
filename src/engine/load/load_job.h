/* Private to engine/load/: the state of one load, shared by the planner and writer (load.c,
 * load_files.c) and the writer of streamed tables (load_stream.c). */
#ifndef LAKE_LOAD_JOB_H
#define LAKE_LOAD_JOB_H

#include "base/pool.h"
#include "engine/load/load.h"

/* Where the bad records of a run go, beside its tables. */
#define ENG_REJECTED_DIR "_rejected"

typedef struct {
    eng_table *table;
    size_t start, end; /* rows [start, end) */
    char *dir;         /* "year=2018/month=11/" or "" */
    char *key;         /* the object written, once written */
    char *pending;     /* its token once written, when the commit keeps files pending */
    unsigned file_no;  /* 0, 1, ... within the partition (the c000 part of the name) */
    uint64_t rows;     /* rows written into the file, once written */
    uint64_t bytes;    /* bytes of the file, once written */
} part_task;

/* A table whose rows come from a row source (load_stream.c), and the files it wrote. */
typedef struct {
    eng_table *table; /* the shell: name, partition columns, columns used as the row buffer */
    eng_rowsrc *src;
    part_task *files;
    size_t nfiles, cap;
} stream_task;

typedef struct {
    const eng_load_opts *opts;
    eng_load_stats *stats;
    stream_task *streams; /* run before the planned tasks, adopted into tasks once written */
    size_t nstreams;
    part_task *tasks;
    size_t ntasks, cap;
    uint32_t *identity;   /* 0..max rows, shared row index for pq_write_table */
    size_t *order;        /* the order workers take tasks in (see stripe_order) */
    pq_reuse **reuse;     /* per worker: Parquet encoder buffers kept from file to file */
    const char *staging;  /* the commit's staging prefix */
    unsigned write_flags; /* the commit's flags for every file (eng_commit_write_flags) */
    char *reject_key;     /* the rejects' object, once its write started */
    char *reject_pending; /* its token, as part_task.pending */
    lake_first_error first;
} load_job;

/* The partition directory ("year=2018/month=11/", or "") of row `row` of t. */
char *eng_partition_dir(const eng_table *t, size_t row);
/* t's columns that go into the files (all but the partition columns); cols has room for 12. */
size_t eng_data_cols(const eng_table *t, const lake_col **cols);
/* Sets p->key and opens a store writer for it; the key is set even when the open fails. */
lake_rc eng_open_file(load_job *j, part_task *p, lake_store_writer **w, lake_error *err);
/* Finishes w when rc is LAKE_OK (counting its bytes; a pending file's token goes to p->pending),
 * aborts it otherwise; a failure is prefixed with p's key. Returns the outcome. */
lake_rc eng_close_file(load_job *j, part_task *p, lake_store_writer *w, lake_rc rc,
                       lake_error *err);
/* Ends w as the commit wants: finished, or pending with its token in *pending. Frees w. */
lake_rc eng_end_writer(const load_job *j, lake_store_writer *w, char **pending, lake_error *err);
/* pq_sink_fn into a lake_store_writer. */
lake_rc eng_store_sink(void *ud, const void *data, size_t len, lake_error *err);
/* Writes the file of task p (a table held in memory) with worker's encoder buffers. */
lake_rc eng_write_file(load_job *j, part_task *p, unsigned worker, lake_error *err);
/* Writes the streamed table s (see stream_task), recording each file in s->files. */
lake_rc eng_write_stream(load_job *j, stream_task *s, lake_error *err);

/* Plans the files of every table held in memory (one task per partition, split at
 * max_rows_per_file) and the streams of the others (srcs[t] set). */
void eng_plan_all(load_job *j, eng_table *tables, eng_rowsrc *const *srcs, size_t ntables);
/* Sets j->order: workers take tasks from `threads` different stripes of the sorted list. */
void eng_stripe_order(load_job *j, unsigned threads);
/* Fills j->stats->tables (when set) from the written tasks: bytes, partitions, the largest and
 * smallest partition by rows (load_stats.c). */
void eng_table_stats_fill(load_job *j, const eng_table *tables, size_t ntables);

#endif
