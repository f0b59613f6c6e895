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

typedef struct {
    etl_load_ctx *ctx;
    part_task *tasks;
    size_t ntasks, cap;
    uint32_t *identity; /* 0..max rows, shared row index for pq_write_table */
    size_t *order;      /* the order workers take tasks in (see stripe_order) */
    char *staging;      /* "_temporary/<run>/" (rename protocol) or "" (direct protocol) */
    etl_first_error first;
    lake_obj_list old;      /* direct protocol: objects to delete after _SUCCESS */
    bool *had_success;      /* direct protocol: per table, did a _SUCCESS exist before the run */
    size_t success_written; /* direct protocol: tables whose _SUCCESS this run has put */
    bool committed;         /* direct protocol: every _SUCCESS is in place */
} load_job;

/* Puts a small object, prefixing the error with its key. */
lake_rc etl_put_text(lake_store *out, const char *key, const void *data, size_t len,
                     lake_error *err);
/* Writes _rejected/part-00000-<run>.json under prefix when there are rejects. */
lake_rc etl_write_rejects(load_job *j, const char *prefix, const etl_reject_list *rejects,
                          lake_error *err);

/* Rename protocol: _SUCCESS into every staged table, then swap the tables (or, in dynamic mode,
 * their partitions) into place. */
lake_rc etl_commit_rename(load_job *j, etl_table *tables, size_t ntables, lake_error *err);

/* Direct protocol. Before writing: remember the objects the run will replace. After writing
 * every data file: put each table's _SUCCESS, then delete the remembered objects. On failure
 * before _SUCCESS: delete what this run wrote, so the previous tables stay as they were. */
lake_rc etl_direct_prepare(load_job *j, etl_table *tables, size_t ntables, lake_error *err);
lake_rc etl_direct_finish(load_job *j, etl_table *tables, size_t ntables, lake_error *err);
/* Deletes every object this run tried to write and each _SUCCESS it put where none was before;
 * a _SUCCESS it rewrote over an earlier one stays (it is the same empty marker). */
void etl_direct_abort(load_job *j, etl_table *tables, size_t ntables);

#endif
