/* Parquet writer (and, later, footer reader). Knows nothing of S3 or of the Sparkify tables:
 * it turns typed columns into the bytes of a complete Parquet file. */
#ifndef LAKE_PARQUET_H
#define LAKE_PARQUET_H

#include "lake/common.h"
#include "lake/table.h"

typedef enum {
    PQ_CODEC_NONE = 0,
    PQ_CODEC_SNAPPY,
    PQ_CODEC_GZIP,
    PQ_CODEC_ZSTD,
    PQ_CODEC_LZ4_RAW
} pq_codec;

typedef struct {
    pq_codec codec;
    int level;              /* codec level; 0 = the codec's default */
    const char *created_by; /* e.g. "lake version 0.1.0 (build abc123)"; NULL = that default */
} pq_options;

/* Fills o with the defaults (snappy, default level). */
void pq_options_default(pq_options *o);

/* Parses "snappy", "none"/"uncompressed", "gzip", "zstd", "lz4_raw" (case-insensitive).
 * Returns LAKE_ERR_INVALID_ARG with a message listing the accepted names otherwise. */
lake_rc pq_codec_parse(const char *name, pq_codec *out, lake_error *err);

/* The codec's name as Spark puts it in file names: "snappy", "gz", "zstd", "lz4raw", or NULL for
 * none (Spark writes no codec part then: part-...-c000.parquet). */
const char *pq_codec_file_tag(pq_codec c);

/* Writes a complete Parquet file holding rows[0..nrows) of the ncols columns (rows == NULL means
 * rows 0..nrows-1 in order) into out (appended). Every column is OPTIONAL. Returns LAKE_OK, or an
 * error code with detail in err (codec failures, more than 2^31 rows). */
lake_rc pq_write_table(const lake_col *const *cols, size_t ncols, const uint32_t *rows,
                       size_t nrows, const pq_options *opt, lake_buf *out, lake_error *err);

#endif
