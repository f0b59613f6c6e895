/* Load: a job's output tables into Hive-partitioned Parquet files under one output root, then
 * committed (engine/commit). The job describes each table (name, columns in final row order,
 * which columns are directory partitions) or gives it a row at a time (eng_rowsrc); the loader
 * plans one file per partition (split at max_rows_per_file), writes the files in parallel and
 * commits them with the protocol the store supports. Nothing of the previous output changes
 * unless every file of the run was written. Uses parquet, store, table and engine/commit. */
#ifndef LAKE_LOAD_H
#define LAKE_LOAD_H

#include "engine/commit/commit.h"
#include "lake/parquet.h"
#include "lake/progress.h"
#include "lake/store.h"
#include "lake/table.h"

#include <stdbool.h>

#define ENG_TABLE_MAX_COLS 12

/* An output table: columns in final row order (sorted by partition values, then key). The first
 * npart columns listed in part_cols are directory partitions, not written into the files. */
typedef struct {
    const char *name;
    lake_col cols[ENG_TABLE_MAX_COLS];
    size_t ncols;
    int part_cols[2];
    size_t npart;
    lake_arena *arena; /* strings made for this table (none usually) */
    /* Which partitions this process writes: all when part_writer is NULL, else partition k (in
     * the table's order, 0 .. eng_table_partitions - 1; an unpartitioned table has one) when
     * part_writer[k] == part_self. Ranks that each hold a table whole write a share each. Tables
     * held in memory only (a row source's partitions are all written). */
    const uint32_t *part_writer;
    uint32_t part_self;
} eng_table;

/* The partitions of a table held in memory, in its order: returns their number and sets *ends
 * (allocated, the caller frees it) to the row after each. An unpartitioned table has one. */
size_t eng_table_partitions(const eng_table *t, size_t **ends);

/* Appends an empty column to t and returns it. */
lake_col *eng_add_col(eng_table *t, const char *name, lake_type type);
void eng_table_free(eng_table *t); /* accepts a zeroed table */

/* A table given a row at a time in its final order (partitions one after another, rows sorted
 * within each), for tables that grow with the input: the loader writes it a row group at a
 * time, so it is never whole in memory. */
typedef struct {
    void *ud;
    /* The partition of the next row as a number equal for rows of the same partition; false
     * when no row is left. */
    bool (*peek)(void *ud, int64_t *part);
    /* Appends the next row to the columns of t (the table's shell, see eng_load). */
    void (*take)(void *ud, eng_table *t);
    /* After the last row: LAKE_OK, or why the rows stopped early. */
    lake_rc (*status)(void *ud, lake_error *err);
    void (*free)(void *ud);
    uint64_t rows; /* rows it gives in all */
} eng_rowsrc;

/* Decides the commit once this process has written its files (written: the outcome): a cluster
 * agrees with the other ranks first. NULL means eng_commit_end. Returns the run's outcome. */
typedef lake_rc (*eng_commit_fn)(void *ud, eng_commit *c, lake_rc written,
                                 const eng_commit_file *files, size_t nfiles, lake_error *err);

typedef struct {
    lake_store *out;
    const char *run_id; /* goes into every file name, as Spark's job uuid does */
    unsigned threads;   /* write workers (one more runs, see load.c) */
    pq_options parquet;
    uint64_t max_rows_per_file; /* 0 = no limit (Spark's maxRecordsPerFile) */
    bool dynamic;               /* replace only the partitions written (else each table whole) */
    eng_commit_fn commit;       /* NULL: eng_commit_end */
    void *commit_ud;
    const eng_output *owner; /* the run's hold on out (eng_output_open), or NULL */
    /* Counters of the stages write, commit and cleanup (started by eng_load; rows planned and
     * written, files and bytes written), or NULL. */
    lake_progress *progress;
} eng_load_opts;

/* One partition directory of a table ("" for a table without partitions) and what it holds. */
typedef struct {
    char dir[520]; /* "year=2018/month=11" (no trailing '/'), truncated past 519 bytes */
    uint64_t rows, bytes, files;
} eng_part_stats;

/* Partition size classes of eng_table_stats.classes: class 0 counts partitions of no rows, class k
 * those of 2^(k-1) to 2^k - 1 rows, the last class also every larger one. */
#define ENG_PART_CLASSES 48

/* The size class of a partition of `rows` rows. */
unsigned eng_part_class(uint64_t rows);

/* What a load wrote of one table. Largest and smallest are by rows (ties: the first partition in
 * the table's order); both are zero when the table wrote no file. classes counts its partitions
 * per size class (the distribution that shows skew). */
typedef struct {
    uint64_t rows, bytes, partitions;
    eng_part_stats largest, smallest;
    uint64_t classes[ENG_PART_CLASSES];
} eng_table_stats;

/* What a load did, for the run summary. */
typedef struct {
    uint64_t *files;         /* per table, ntables entries: set by the caller, filled by the load */
    eng_table_stats *tables; /* per table, or NULL: set by the caller, filled by the load */
    uint64_t bytes_written;
    /* wall and CPU seconds; cleanup deletes the previous versions after the commit */
    double t_write, c_write, t_commit, c_commit, t_cleanup, c_cleanup;
} eng_load_stats;

/* Writes tables[0..ntables) and, when rejects is not empty, the NDJSON bytes of the bad records
 * as _rejected/part-00000-<run>.json, then commits them. srcs (NULL, or NULL entries) gives the
 * rows of tables[t] when its columns are only a shell (name, partition columns, empty columns:
 * the loader fills them a row group at a time). On failure err names the file and the previous
 * output is as it was. */
lake_rc eng_load(const eng_load_opts *o, eng_table *tables, eng_rowsrc *const *srcs, size_t ntables,
                 const lake_buf *rejects, eng_load_stats *st, lake_error *err);

#endif
