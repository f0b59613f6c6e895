/** @file
 * Parquet writer: turns typed columns (lake/table.h) into the bytes of a complete Parquet file,
 * handed in order to a sink the caller provides. Knows nothing of stores, S3 or the Sparkify
 * tables; the codecs are those of lake/codec.h. Reading a file's footer back is lake/pqread.h. */
#ifndef LAKE_PARQUET_H
#define LAKE_PARQUET_H

#include "lake/codec.h"
#include "lake/common.h"
#include "lake/table.h"

#include <stdbool.h>

/** How LAKE_T_TIMESTAMP_US columns are stored. */
typedef enum {
    PQ_TS_MICROS = 0, /**< INT64 TIMESTAMP(isAdjustedToUTC=true, MICROS) */
    PQ_TS_MILLIS,     /**< INT64 TIMESTAMP(isAdjustedToUTC=true, MILLIS), values floor(us / 1000) */
    PQ_TS_INT96       /**< INT96, Impala layout (nanos of day, Julian day); no logical type */
} pq_ts_type;

/** When a file carries Spark's schema JSON (org.apache.spark.sql.parquet.row.metadata). Spark
 * derives the same types from the Parquet schema of every column lake writes, so the JSON is
 * a convenience; auto writes it where it adds at most 1/20 of the file's column data and leaves
 * it out of tiny files (a one-row partition file would grow by 40 %). */
typedef enum { PQ_SPARK_NEVER, PQ_SPARK_AUTO, PQ_SPARK_ALWAYS } pq_spark_mode;
/** Parses "auto", "always" or "never". */
lake_rc pq_parse_spark_mode(const char *s, pq_spark_mode *out, lake_error *err);

/** How pq_write_stream writes a file; pq_options_default gives the defaults in parentheses. */
typedef struct {
    lake_codec codec;          /**< page compression (snappy) */
    int level;                 /**< codec level; 0 = the codec's default */
    const char *created_by;    /**< e.g. "lake version 0.1.0 (build abc123)"; NULL = that default */
    int64_t row_group_bytes;   /**< cut a row group once its rows' PLAIN size is this (128 MiB) */
    size_t page_bytes;         /**< cut a data page once its encoded values reach this (1 MiB) */
    size_t page_rows;          /**< and after at most this many rows (20,000) */
    pq_ts_type timestamp_type; /**< how timestamps are stored (PQ_TS_MICROS) */
    bool dictionary;           /**< dictionary-encode a chunk when that is smaller (true) */
    bool delta;      /**< DELTA_BINARY_PACKED for INT32/INT64 when that is smaller (true) */
    bool page_index; /**< ColumnIndex + OffsetIndex (true); false: page statistics in headers */
    bool page_crc;   /**< CRC32 in every page header (true) */
    pq_spark_mode spark_metadata; /**< Spark's schema JSON (PQ_SPARK_AUTO), see pq_spark_mode */
    /** Compressed pages of an open row group held in memory before they go to an unnamed
     * temporary file ($TMPDIR, else /tmp) until the group ends (4 MiB); negative: never. */
    int64_t spill_bytes;
} pq_options;

#define PQ_DEFAULT_ROW_GROUP_BYTES ((int64_t)128 << 20) /**< pq_options.row_group_bytes */
#define PQ_DEFAULT_PAGE_BYTES ((size_t)1 << 20)         /**< pq_options.page_bytes */
#define PQ_DEFAULT_PAGE_ROWS ((size_t)20000)            /**< pq_options.page_rows */
#define PQ_DEFAULT_SPILL_BYTES ((int64_t)4 << 20)       /**< pq_options.spill_bytes */

/** Fills o with the defaults (snappy, default level, the sizes above, micros, every feature on). */
void pq_options_default(pq_options *o);

/** Checks o as pq_write_table will: known codec and timestamp type, sizes in range, a level the
 * codec accepts. Lets a CLI reject bad options before any work. Returns LAKE_OK or
 * LAKE_ERR_INVALID_ARG with detail in err. */
lake_rc pq_options_check(const pq_options *o, lake_error *err);

/** Parses "snappy", "none"/"uncompressed", "gzip", "zstd", "lz4_raw" (case-insensitive).
 * Returns LAKE_ERR_INVALID_ARG with a message listing the accepted names otherwise. */
lake_rc pq_codec_parse(const char *name, lake_codec *out, lake_error *err);

/** Parses "micros", "millis" or "int96" (case-insensitive). Returns LAKE_ERR_INVALID_ARG with a
 * message listing the accepted names otherwise. */
lake_rc pq_parse_timestamp_type(const char *name, pq_ts_type *out, lake_error *err);

/** Parses a byte size for options such as --row-group-size: a decimal number with an optional
 * binary suffix k, m, g (also KB/KiB, MB/MiB, GB/GiB; case-insensitive), e.g. "134217728",
 * "128m", "64MiB". The result must lie in [min, max]. Returns LAKE_ERR_INVALID_ARG otherwise. */
lake_rc pq_parse_size(const char *text, int64_t min, int64_t max, int64_t *out, lake_error *err);

/** The codec's name as Spark puts it in file names: "snappy", "gz", "zstd", "lz4raw", or NULL for
 * none (Spark writes no codec part then: part-...-c000.parquet). */
const char *pq_codec_file_tag(lake_codec c);

/** Receives the bytes of a file in order, as pq_write_stream produces them. Returns LAKE_OK, or
 * an error (detail in err) that stops the write. */
typedef lake_rc (*pq_sink_fn)(void *ud, const void *data, size_t len, lake_error *err);

/** What a pq_write_stream call did. */
typedef struct {
    uint64_t file_bytes; /**< bytes handed to the sink */
    size_t peak_held;    /**< most bytes the writer held at once (output and encoder scratch, by
                            allocated capacity); bounded by the row group size, not the file's */
    uint64_t spilled;    /**< bytes of compressed pages that went through the temporary file */
} pq_write_info;

/** Writes a complete Parquet file holding rows[0..nrows) of the ncols columns (rows == NULL means
 * rows 0..nrows-1 in order) to sink, one column chunk at a time: each chunk's pages go to the
 * sink as soon as they are encoded and compressed, and only the metadata of the footer and page
 * index is kept until the end. Every column is OPTIONAL. opt == NULL means the defaults. Memory
 * is one compressed column chunk, one page being filled per column (O(page_rows)), the
 * dictionaries (at most 1 MiB each) and O(pages) of metadata. info (may be NULL) is filled in any
 * case. Returns LAKE_OK, or an error code with detail in err (codec failures, more than 2^31 rows,
 * invalid options, the sink's errors); on failure the sink has received part of a file. */
lake_rc pq_write_stream(const lake_col *const *cols, size_t ncols, const uint32_t *rows,
                        size_t nrows, const pq_options *opt, pq_sink_fn sink, void *ud,
                        pq_write_info *info, lake_error *err);

/** Encoder buffers kept from one file to the next by a thread that writes many files in turn (the
 * one-row partition files of a table like songs): a file written with a pq_reuse borrows them
 * instead of allocating its own, and gives them back, emptied, when it ends. Buffers above
 * 1 MiB are freed then, so what is kept stays small. One file at a time per pq_reuse. */
typedef struct pq_reuse pq_reuse;
/** A new pq_reuse holding no buffers yet; never NULL. */
pq_reuse *pq_reuse_create(void);
/** Frees r and the buffers it keeps; accepts NULL. */
void pq_reuse_free(pq_reuse *r);
/** pq_write_stream with the buffers of r (NULL: its own). */
lake_rc pq_write_stream_reuse(const lake_col *const *cols, size_t ncols, const uint32_t *rows,
                              size_t nrows, const pq_options *opt, pq_sink_fn sink, void *ud,
                              pq_reuse *r, pq_write_info *info, lake_error *err);

/** The same file written in parts, for tables produced a batch at a time: pq_stream_open takes
 * the schema (names and types of cols; their rows are not read), each pq_stream_write appends
 * rows[0..nrows) (rows == NULL: 0..nrows-1) of columns with that schema as row groups cut at
 * row_group_bytes, and pq_stream_close writes the page index and footer and frees the stream.
 * The rows of two calls never share a row group, so a caller that wants the row groups
 * pq_write_stream would make passes one row group per call: rows up to and including the first
 * at which the sum of pq_stream_row_bytes reaches pq_stream_row_group_bytes. Memory is that of
 * pq_write_stream plus nothing per row. After a failed write only pq_stream_free is useful;
 * pq_stream_free also abandons a stream that is not to be finished. */
typedef struct pq_stream pq_stream;
/** Starts a file with the schema of cols[0..ncols) (opt NULL: the defaults) and sets *out.
 * Returns LAKE_ERR_INVALID_ARG for invalid options, or the sink's error. */
lake_rc pq_stream_open(const lake_col *const *cols, size_t ncols, const pq_options *opt,
                       pq_sink_fn sink, void *ud, pq_stream **out, lake_error *err);
/** Appends rows[0..nrows) (rows NULL: 0..nrows-1) of cols as row groups cut at
 * pq_options.row_group_bytes. */
lake_rc pq_stream_write(pq_stream *s, const lake_col *const *cols, const uint32_t *rows,
                        size_t nrows, lake_error *err);
/** pq_stream_write for a caller that has cut the row group itself (as above): the rows become
 * exactly one row group, without measuring them again. */
lake_rc pq_stream_write_row_group(pq_stream *s, const lake_col *const *cols, const uint32_t *rows,
                                  size_t nrows, lake_error *err);
/** A row group handed over in slices, for a caller that does not want to hold the group's rows:
 * pq_stream_append adds rows[0..nrows) to the open row group (opening one), encoding and
 * compressing each column's pages as they fill, so the rows are not needed after the call;
 * pq_stream_end_row_group ends the group (its column chunks go to the sink; no-op when none is
 * open). What is held meanwhile is the group's compressed pages and one page per column being
 * filled. pq_stream_write, pq_stream_write_row_group and pq_stream_close end an open group
 * first. Pages and encodings depend only on the rows, so a group appended in any slices gives
 * the bytes of the same rows passed whole. String bytes must stay valid until pq_stream_close
 * (statistics point at them). */
lake_rc pq_stream_append(pq_stream *s, const lake_col *const *cols, const uint32_t *rows,
                         size_t nrows, lake_error *err);
/** Ends the row group pq_stream_append opened: its column chunks go to the sink (no-op when
 * none is open). */
lake_rc pq_stream_end_row_group(pq_stream *s, lake_error *err);
/** The PLAIN-encoded size of row `row` of cols, as row groups are measured. */
uint64_t pq_stream_row_bytes(const pq_stream *s, const lake_col *const *cols, size_t row);
/** The row group size the stream cuts at (pq_options.row_group_bytes). */
int64_t pq_stream_row_group_bytes(const pq_stream *s);
/** Ends an open row group, writes the page index and footer, fills info (may be NULL) and frees
 * s, also on failure (LAKE_ERR_INVALID_ARG after a failed write, or the sink's error). */
lake_rc pq_stream_close(pq_stream *s, pq_write_info *info, lake_error *err);
/** Frees s without finishing the file (the sink has received part of one); accepts NULL. */
void pq_stream_free(pq_stream *s);

/** pq_write_stream into out (appended); on failure out keeps its old length. */
lake_rc pq_write_table(const lake_col *const *cols, size_t ncols, const uint32_t *rows,
                       size_t nrows, const pq_options *opt, lake_buf *out, lake_error *err);

#endif
