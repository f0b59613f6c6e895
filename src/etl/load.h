/* Load internals shared by the writer (load.c) and the two commit protocols: rename-based for
 * stores that can move a prefix at once (local), direct for object stores (S3). */
#ifndef LAKE_LOAD_H
#define LAKE_LOAD_H

#include "etl/etl_internal.h"

typedef struct {
    etl_table *table;
    size_t start, end; /* rows [start, end) */
    char *dir;         /* "year=2018/month=11/" or "" */
    char *key;         /* the object written, once written */
    unsigned file_no;  /* 0, 1, ... within the partition (the c000 part of the name) */
} part_task;

/* A table whose rows come from a row source (load_stream.c), and the files it wrote. */
typedef struct {
    etl_table *table; /* the shell: name, partition columns, columns used as the row buffer */
    etl_rowsrc *src;
    part_task *files;
    size_t nfiles, cap;
} stream_task;

typedef struct {
    etl_load_ctx *ctx;
    stream_task *streams; /* run before the planned tasks, adopted into tasks once written */
    size_t nstreams;
    part_task *tasks;
    size_t ntasks, cap;
    uint32_t *identity; /* 0..max rows, shared row index for pq_write_table */
    size_t *order;      /* the order workers take tasks in (see stripe_order) */
    pq_reuse **reuse;   /* per worker: Parquet encoder buffers kept from file to file */
    char *staging;      /* "_temporary/<run>/" (rename protocol) or "" (direct protocol) */
    lake_first_error first;
    lake_obj_list old;      /* direct protocol: objects to delete after _SUCCESS */
    bool *had_success;      /* direct protocol: per table, did a _SUCCESS exist before the run */
    size_t success_written; /* direct protocol: tables whose _SUCCESS this run has put */
    bool committed;         /* direct protocol: every _SUCCESS is in place */
} load_job;

/* The partition directory ("year=2018/month=11/", or "") of row `row` of t. */
char *etl_partition_dir(const etl_table *t, size_t row);
/* t's columns that go into the files (all but the partition columns); cols has room for 12. */
size_t etl_data_cols(const etl_table *t, const lake_col **cols);
/* Sets p->key and opens a store writer for it; the key is set even when the open fails. */
lake_rc etl_open_file(load_job *j, part_task *p, lake_store_writer **w, lake_error *err);
/* Finishes w when rc is LAKE_OK (counting its bytes), aborts it otherwise; a failure is
 * prefixed with p's key. Returns the outcome. */
lake_rc etl_close_file(load_job *j, const part_task *p, lake_store_writer *w, lake_rc rc,
                       lake_error *err);
/* pq_sink_fn into a lake_store_writer. */
lake_rc etl_store_sink(void *ud, const void *data, size_t len, lake_error *err);
/* Writes the streamed table s (see stream_task), recording each file in s->files. */
lake_rc etl_write_stream(load_job *j, stream_task *s, lake_error *err);

/* Puts a small object, prefixing the error with its key. */
lake_rc etl_put_text(lake_store *out, const char *key, const void *data, size_t len,
                     lake_error *err);
/* Writes _rejected/part-00000-<run>.json under prefix when there are rejects. */
lake_rc etl_write_rejects(load_job *j, const char *prefix, const etl_reject_list *rejects,
                          lake_error *err);

/* Rename protocol: _SUCCESS into every staged table, then swap the tables (or, in dynamic mode,
 * their partitions) into place. */
lake_rc etl_commit_rename(load_job *j, etl_table *tables, size_t ntables, lake_error *err);

/* Direct protocol. Before writing (in dynamic mode after writing, skipping this run's own
 * objects): remember the objects the run will replace. After writing every data file: put each
 * table's _SUCCESS, then delete the remembered objects. On failure before _SUCCESS: delete what
 * this run wrote, so the previous tables stay as they were. */
lake_rc etl_direct_prepare(load_job *j, etl_table *tables, size_t ntables, lake_error *err);
lake_rc etl_direct_finish(load_job *j, etl_table *tables, size_t ntables, lake_error *err);
/* Deletes every object this run tried to write and each _SUCCESS it put where none was before;
 * a _SUCCESS it rewrote over an earlier one stays (it is the same empty marker). */
void etl_direct_abort(load_job *j, etl_table *tables, size_t ntables);

#endif
