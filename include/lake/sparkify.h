/** @file
 * The Sparkify job: song and event JSON in, five partitioned Parquet tables out (docs/spec.md).
 * Talks to storage only through lake_store. This is the job's public entry point (lake run). */
#ifndef LAKE_SPARKIFY_H
#define LAKE_SPARKIFY_H

#include "lake/common.h"
#include "lake/parquet.h"
#include "lake/progress.h"
#include "lake/store.h"
#include "lake/table.h"

#include <stdbool.h>

/** What a run replaces in its output (lake_run_opts.mode). */
typedef enum {
    LAKE_WRITE_OVERWRITE = 0, /**< replace each table whole */
    LAKE_WRITE_DYNAMIC        /**< replace only the partitions this run writes */
} lake_write_mode;

/** How lake_run works; lake_run_opts_default gives the defaults. */
typedef struct {
    unsigned threads;   /**< worker threads; 0 = number of online CPUs */
    pq_options parquet; /**< codec etc. */
    /** Fail when more records than this are bad (in all); -1: the max_bad_fraction check. */
    int64_t max_bad_records;
    /** With max_bad_records -1: fail when more than this fraction of the records of song_data or
     * of log_data are bad (default LAKE_DEFAULT_MAX_BAD_FRACTION; 1 = no limit). */
    double max_bad_fraction;
    lake_write_mode mode;       /**< LAKE_WRITE_OVERWRITE (default) or LAKE_WRITE_DYNAMIC */
    uint64_t max_rows_per_file; /**< 0 = no limit (Spark's maxRecordsPerFile) */
    /** songplays a thread holds before it sorts them and spills them to a temporary file in
     * $TMPDIR (or /tmp) as one run; 0 = never spill */
    uint64_t spill_rows;
    bool quiet;         /**< for the caller: print no summary (the run itself never prints) */
    double wait_lock_s; /**< how long to wait for another run's lock on the output (0: fail) */
    /** Counters the run advances as it goes (lake/progress.h), for the caller to show, or NULL.
     * Its stages are those of lake_run_summary's times: list, songs, events, transform, write,
     * commit, cleanup. In a cluster each rank counts its own share. */
    lake_progress *progress;
} lake_run_opts;

/** lake_run_opts.spill_rows by default (about 30 MB of songplays per thread). */
#define LAKE_DEFAULT_SPILL_ROWS ((uint64_t)1 << 18)
/** A dataset with more than half of its records bad is the wrong input, not dirty data. */
#define LAKE_DEFAULT_MAX_BAD_FRACTION 0.5

/** Fills o with the defaults: all CPUs, pq_options_default, the bad-fraction check, overwrite,
 * no file size limit, LAKE_DEFAULT_SPILL_ROWS, no wait for the lock. */
void lake_run_opts_default(lake_run_opts *o);

/** The job's tables, indexes for lake_table_name, lake_table_schema and the summary's arrays. */
enum {
    LAKE_TABLE_SONGS,
    LAKE_TABLE_ARTISTS,
    LAKE_TABLE_USERS,
    LAKE_TABLE_TIME,
    LAKE_TABLE_SONGPLAYS,
    LAKE_TABLE_COUNT
};

/** One partition directory of a table and what the run wrote into it. */
typedef struct {
    char dir[520]; /**< "year=2018/month=11" (no trailing '/'); "" for a table without partitions */
    uint64_t rows; /**< rows in its files */
    uint64_t bytes; /**< bytes of its files */
    uint64_t files; /**< its data files */
} lake_partition_summary;

/** Size classes of lake_table_summary.partition_classes: class 0 counts partitions of no rows,
 * class k (k >= 1) those of 2^(k-1) to 2^k - 1 rows, the last class also every larger one. */
#define LAKE_PARTITION_CLASSES 48

/** What a run wrote of one table. */
typedef struct {
    uint64_t bytes;      /**< bytes of the table's data files */
    uint64_t partitions; /**< partition directories written (1 for a table without partitions) */
    lake_partition_summary largest;  /**< most rows (ties: first in the table's order) */
    lake_partition_summary smallest; /**< fewest rows (ties: first in the table's order) */
    /** Partitions per size class by rows (LAKE_PARTITION_CLASSES): how skewed the table is. */
    uint64_t partition_classes[LAKE_PARTITION_CLASSES];
} lake_table_summary;

/** How many rejects gave one reason, and where the first of them was. */
typedef struct {
    char reason[256];        /**< the reason as _rejected/ spells it */
    uint64_t count;          /**< rejects with it */
    char first_object[1024]; /**< the object of the first of them in input order */
    uint64_t first_line;     /**< its line in that object (1 is the first) */
} lake_reason_summary;

/** One bad record: where it was and why it was rejected. */
typedef struct {
    char object[1024]; /**< the input object's key, as in _rejected/'s source (cut at 1023 bytes) */
    uint64_t line;     /**< its line in the object (1 is the first) */
    char reason[256];  /**< why, as _rejected/ spells it */
} lake_reject_example;

/** Bad records lake_run_summary.examples keeps: the first ones in input order. */
#define LAKE_SUMMARY_MAX_EXAMPLES 10

/** Reasons lake_run_summary keeps; rejects of the rarer ones are counted in reasons_other. */
#define LAKE_SUMMARY_MAX_REASONS 32

/** What one rank of a cluster run did (lake_run_summary.per_rank). */
typedef struct {
    uint64_t records;    /**< input records it read (song and event records) */
    uint64_t bytes_read; /**< bytes of the input objects it read */
    uint64_t rows;       /**< rows it wrote, over every table */
    uint64_t bytes_sent; /**< bytes it sent to other ranks (shuffles, gathers, broadcasts) */
    uint64_t peak_rss;   /**< its peak resident memory, bytes */
    double t_total;      /**< its wall seconds */
    double c_total;      /**< its CPU seconds */
} lake_rank_summary;

/** Ranks lake_run_summary.per_rank holds; a larger job shows its first ones. */
#define LAKE_SUMMARY_MAX_RANKS 256

/** What a run did, for its summary. In a cluster (mpirun) every rank returns the whole job's
 * figures: counts summed over the ranks, stage wall times of the slowest rank, CPU times summed. */
typedef struct {
    uint64_t input_objects[2]; /**< song objects, log objects */
    uint64_t input_bytes;      /**< bytes read (compressed objects as stored) */
    /** @{ */
    /** Compressed input objects (.json.gz, .json.zst) among them, and their bytes as stored. */
    uint64_t input_compressed_objects, input_compressed_bytes;
    /** @} */
    /** @{ */
    /** Records read: song records, events of every page, NextSong events among them. */
    uint64_t song_records, event_records, nextsong_events;
    /** @} */
    uint64_t bad_records;             /**< records written to _rejected/ */
    uint64_t rows[LAKE_TABLE_COUNT];  /**< rows per table (LAKE_TABLE_*) */
    uint64_t files[LAKE_TABLE_COUNT]; /**< data files per table */
    uint64_t bytes_written;           /**< bytes of the data files */
    /** @{ */
    /** Sorted runs of songplays spilled to temporary files (--spill-rows), and their bytes. */
    uint64_t spilled_runs, spilled_bytes;
    /** @} */
    /** @{ */
    /** Wall seconds of each stage and of the whole run. */
    double t_list, t_songs, t_events, t_transform, t_write, t_commit, t_cleanup, t_total;
    /** @} */
    /** @{ */
    /** CPU seconds of each stage (all threads): cpu / wall tells how busy the cores were */
    double c_list, c_songs, c_events, c_transform, c_write, c_commit, c_cleanup, c_total;
    /** @} */
    char run_id[37];                             /**< the run's UUID, in every file name it wrote */
    unsigned threads;                            /**< worker threads the run used */
    lake_table_summary tables[LAKE_TABLE_COUNT]; /**< per table (LAKE_TABLE_*), once written */
    /** Rejects per reason, most frequent first (ties by reason), nreasons of them. */
    lake_reason_summary reasons[LAKE_SUMMARY_MAX_REASONS];
    size_t nreasons;        /**< entries of reasons */
    uint64_t reasons_other; /**< rejects whose reason did not fit in reasons */
    /** The first bad records in input order, nexamples of them. */
    lake_reject_example examples[LAKE_SUMMARY_MAX_EXAMPLES];
    size_t nexamples;  /**< entries of examples */
    double started_at; /**< when the run started: seconds since 1970-01-01 UTC */
    unsigned rank;     /**< this process's rank in its job (0 when alone) */
    unsigned ranks;    /**< processes in the job (1 when alone) */
    /** Per rank (the first LAKE_SUMMARY_MAX_RANKS), when ranks > 1. */
    lake_rank_summary per_rank[LAKE_SUMMARY_MAX_RANKS];
} lake_run_summary;

/** What the compaction of `lake run --compact` did (lake_run_report.compact): the copy of the
 * input into a staging location that the run then reads (docs/distcp.md). */
typedef struct {
    const char *prefix;       /**< the staging location */
    uint64_t objects_copied;  /**< input objects copied */
    uint64_t outputs_written; /**< compacted objects written */
    uint64_t bytes_in;        /**< bytes of the objects copied, as stored */
    uint64_t bytes_out;       /**< bytes of the compacted objects written */
    uint64_t groups;          /**< runs of objects the copy planned (kept ones too) */
    uint64_t objects_kept;    /**< input objects in outputs left as they were (manifest) */
    uint64_t outputs_kept;    /**< outputs left as they were */
    uint64_t outputs_removed; /**< outputs deleted: no input object goes there any more */
    double seconds;           /**< wall time of the compaction */
} lake_run_compaction;

/** What lake_run_summary_write_json adds to the summary: where the run read and wrote, how it
 * was called, and how it ended. */
typedef struct {
    const char *version;       /**< lake's version text */
    const char *input;         /**< the --input location */
    const char *output;        /**< the --output location */
    const lake_run_opts *opts; /**< the options the run was given */
    const char *error; /**< NULL when the run succeeded, else the one-line reason it failed */
    /** With `--compact`: what the compaction did (as far as it got); NULL without. */
    const lake_run_compaction *compact;
} lake_run_report;

/** Writes sum and rep as one JSON document (docs/summary-json.md) to the local file path,
 * atomically: a temporary file beside it, then rename. With rep->error set the document says
 * "status": "failed" and holds the figures sum had reached (sum must be zeroed before the run).
 * Returns LAKE_OK, or LAKE_ERR_IO with err naming the file. */
lake_rc lake_run_summary_write_json(const char *path, const lake_run_summary *sum,
                                    const lake_run_report *rep, lake_error *err);

/** Writes sum and rep as the run report (`lake run --report`): one HTML page that loads nothing
 * else (its style, script and charts are inline), holding the JSON document of
 * lake_run_summary_write_json in a `<script id="lake-summary" type="application/json">` block
 * that the page's script renders. Written atomically to the local file path, as the JSON is; a
 * failed run's page says so. Returns LAKE_OK, or LAKE_ERR_IO with err naming the file. */
lake_rc lake_run_summary_write_html(const char *path, const lake_run_summary *sum,
                                    const lake_run_report *rep, lake_error *err);

/** Table name for an index in [0, LAKE_TABLE_COUNT). */
const char *lake_table_name(int t);

/** One column of an output table. */
typedef struct {
    const char *name; /**< the column's name */
    lake_type type;   /**< the type of its values */
} lake_column_def;

/** An output table as docs/spec.md fixes it. cols lists every column in the contract's order,
 * partition columns included (songplays' year and month, which partition it by start_time, come
 * last); part_cols[0..npart) are the indexes in cols of the directory partitions, outermost
 * first. Partition values are in the directory names (Hive-style name=value), not in the files. */
typedef struct {
    const char *name;            /**< the table's name, its directory under the output */
    const lake_column_def *cols; /**< every column, ncols of them */
    size_t ncols;                /**< the length of cols */
    int part_cols[2];            /**< indexes in cols of the partition columns, outermost first */
    size_t npart;                /**< partition columns (0 to 2) */
} lake_table_def;

/** The definition of table t in [0, LAKE_TABLE_COUNT) (static, never freed), or NULL for another
 * t. The job builds its tables from these, so they are what lake_run writes. */
const lake_table_def *lake_table_schema(int t);

/** Runs the pipeline from `in` to `out`. On failure nothing of the previous output is changed
 * and err names the object, line and expectation. */
lake_rc lake_run(lake_store *in, lake_store *out, const lake_run_opts *o, lake_run_summary *sum,
                 lake_error *err);

#endif
