/** @file
 * Parquet inspection: the metadata of one Parquet file, or of every Parquet file of a table
 * directory, gathered into a report with totals and rendered as a readable text or as one JSON
 * document (what `lake inspect` prints).
 *
 * Files are read through the store interface, so any store backend works; every footer is
 * decoded and validated by lake/pqread.h and every column chunk's page headers are walked
 * (dictionary size, CRCs). Rendering is deterministic: the same files give the same bytes. */
#ifndef LAKE_INSPECT_H
#define LAKE_INSPECT_H

#include "lake/common.h"
#include "lake/pqread.h"
#include "lake/store.h"

#include <stdbool.h>
#include <stdint.h>

/** One inspected file. */
typedef struct {
    char *name;           /**< the path shown for it: the location, or location/key */
    pq_file_meta *meta;   /**< its decoded footer */
    pq_chunk_scan *scans; /**< page walk of row group g, column c at [g * meta->nleaves + c] */
} lake_inspect_file;

/** What lake_inspect_build found: the files and their totals. */
typedef struct {
    char *path;               /**< the location inspected, as given */
    bool single;              /**< it named one file (the text report then has no totals line) */
    lake_inspect_file *files; /**< the files, nfiles of them */
    size_t nfiles;            /**< in key order */
    /** @{ */
    /** Totals over all files: rows, row groups, column chunk sizes (compressed, uncompressed)
     * and file sizes. */
    uint64_t rows, row_groups, compressed, uncompressed, bytes;
    /** @} */
} lake_inspect_report;

/** Builds the report for path: a local file or directory, or a store URL (s3://bucket/prefix; a
 * URL ending in ".parquet" names one file). A directory contributes every *.parquet key below it
 * in key order, skipping any name that starts with '_' or '.' (_temporary/, _rejected/, .crc
 * files), as Spark does. Returns LAKE_OK with *out owning the report (free with
 * lake_inspect_free). On failure *out is NULL and returns LAKE_ERR_NOT_FOUND when path does not
 * exist or holds no Parquet file, LAKE_ERR_PARSE or LAKE_ERR_UNSUPPORTED for a damaged or
 * encrypted file, or the store's error; err's message then starts with the path of the file or
 * location that failed ("dir/x.parquet: no magic PAR1 at the end ..."). so (may be NULL) are the
 * store options for a URL: endpoint, retries, credentials as lake run takes them. */
lake_rc lake_inspect_build(const char *path, const lake_store_options *so,
                           lake_inspect_report **out, lake_error *err);

/** Appends the report as one JSON document and a newline: {"path", "files": [...], "totals"}.
 * Strings that are not valid UTF-8 are written as Latin-1 (`\u00XX` per byte); statistics are
 * decoded by their column's type. */
void lake_inspect_json(const lake_inspect_report *r, lake_buf *out);

/** Appends the report as readable text: per file its sizes, key-value metadata, schema table and
 * one table of column chunks per row group; a totals line for a directory. */
void lake_inspect_text(const lake_inspect_report *r, lake_buf *out);

/** Frees a report; accepts NULL. */
void lake_inspect_free(lake_inspect_report *r);

#endif
