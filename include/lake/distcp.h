/** @file
 * The distcp job: S3DistCp's copy on lake's engine. Objects under a source (local directory or
 * S3 prefix) are copied to a destination, optionally filtered by a regular expression,
 * concatenated per group (--groupBy), cut into parts of a target size and re-compressed; the
 * copy is committed all at once or not at all (docs/distcp.md). `lake distcp` is its command; any
 * other caller fills a lake_distcp_options and calls lake_distcp_run. */
#ifndef LAKE_DISTCP_H
#define LAKE_DISTCP_H

#include "lake/common.h"
#include "lake/progress.h"
#include "lake/store.h"

#include <stdbool.h>
#include <stdint.h>

/** The compression of the copies (S3DistCp's --outputCodec). */
typedef enum {
    LAKE_DISTCP_KEEP = 0, /**< as the inputs are (a part's inputs must share one compression) */
    LAKE_DISTCP_NONE,     /**< uncompressed */
    LAKE_DISTCP_GZIP,     /**< gzip (".gz") */
    LAKE_DISTCP_ZSTD      /**< zstd (".zst") */
} lake_distcp_codec;

/** What to copy and how; lake_distcp_options_default fills the defaults. Strings are borrowed
 * for the call. */
typedef struct {
    const char *src;  /**< source root: a local directory or s3://bucket/prefix */
    const char *dest; /**< destination root, likewise; must not lie inside src */
    /** Copy only objects whose full path (src + "/" + key) matches this regular expression
     * entirely, or NULL for all. */
    const char *src_pattern;
    /** Concatenate objects whose full path matches this expression, one output per distinct
     * concatenation of its capture groups; objects that do not match are not copied. NULL: every
     * object is copied on its own. An expression without a capture group is an error. */
    const char *group_by;
    /** A file (local path or s3:// URL) of source prefixes, one full URL per line, each under
     * src: only objects under them are listed. NULL lists all of src. */
    const char *src_prefixes_file;
    /** Keys relative to src ("" or ending in '/'), nsrc_prefixes of them, to list instead of
     * all of src; NULL for all. Not with src_prefixes_file. */
    const char *const *src_prefixes;
    size_t nsrc_prefixes;    /**< entries of src_prefixes */
    uint64_t target_size;    /**< close a part once it holds this many input bytes (0: never) */
    lake_distcp_codec codec; /**< compression of the outputs */
    bool raw_concat;         /**< join objects byte for byte (no newline between them) */
    bool delete_on_success;  /**< delete the copied sources once the copy is committed */
    bool number_files;       /**< prefix each output name with its first object's number */
    uint64_t starting_index; /**< the number of the first object (with number_files) */
    /** Write a gzip'd manifest of the copied objects under this name in dest, or NULL. */
    const char *output_manifest;
    /** A manifest of an earlier copy (local path or s3:// URL): its objects are skipped (or,
     * with copy_from_manifest, they are the ones copied). NULL: none. */
    const char *previous_manifest;
    bool require_previous_manifest; /**< previous_manifest must be given and exist */
    bool copy_from_manifest;        /**< copy the objects previous_manifest lists */
    /** Keep the order (lake run --compact): an output holds objects consecutive in key order
     * (a group whose objects other objects separate makes one run of outputs per stretch) and
     * is named after its first object (compression extension dropped, the output's added), so
     * reading the outputs in key order reads the objects in key order. A listing where names
     * cannot keep it (a.json, a.json-b.json, a.json.gz) is an error naming two objects.
     * docs/distcp.md, "Keeping the order". */
    bool keep_order;
    /** Keep dest a copy of src as it is now (lake run --compact; needs output_manifest, not
     * with copy_from_manifest, delete_on_success or src_prefixes_file): output names do not
     * depend on what dest holds (an output is replaced, never renamed); an output whose objects
     * previous_manifest lists exactly (same names, sizes and output) is kept and not copied
     * again, any other output is copied whole; after the commit, every object under dest (under
     * src_prefixes when given; hidden names and output_manifest aside) that no output of this
     * copy names is deleted. The manifest written lists every object of the copy: the old one
     * is deleted once every output is staged, before any is published, and the new one is put
     * after the commit, so no manifest ever vouches for an output that was not published.
     * docs/distcp.md, "Sync". */
    bool sync;
    unsigned threads;                /**< parts written at once (0: the number of CPUs) */
    double wait_lock_s;              /**< wait this long for another run holding dest */
    const lake_store_options *store; /**< S3 settings for every store opened, or NULL */
    lake_progress *progress;         /**< counters advanced as objects are copied, or NULL */
} lake_distcp_options;

/** What a copy did (filled as far as it got when it fails). */
typedef struct {
    char run_id[37];      /**< the run's id (in the commit journal and lock) */
    uint64_t listed;      /**< objects listed under src (or in the manifest copied from) */
    uint64_t objects_in;  /**< objects copied */
    uint64_t bytes_in;    /**< their bytes, as stored */
    uint64_t objects_out; /**< output objects written (the manifest not counted) */
    uint64_t bytes_out;   /**< their bytes, as stored */
    uint64_t groups;      /**< distinct groups (objects copied on their own count one each) */
    /** Objects left out because the previous manifest lists them (sync: the objects of the
     * outputs kept) */
    uint64_t skipped_manifest;
    uint64_t skipped_pattern; /**< objects that did not match --srcPattern or --groupBy */
    uint64_t deleted;         /**< sources deleted (delete_on_success) */
    uint64_t outputs_kept;    /**< outputs left as they were (sync: unchanged since the manifest) */
    uint64_t removed;         /**< outputs deleted from dest (sync: no object of src goes there) */
    double seconds;           /**< wall time of the whole copy */
} lake_distcp_summary;

/** Fills o with the defaults: keep the codec, no target size, numbering from 0, no manifest,
 * threads 0 (all CPUs). */
void lake_distcp_options_default(lake_distcp_options *o);

/** Parses an --outputCodec value ("none", "gzip", "gz", "zstd", "keep"); false if unknown. */
bool lake_distcp_codec_parse(const char *text, lake_distcp_codec *out);

/** Checks o without touching any store: src and dest given, dest not inside src, the regular
 * expressions valid (an error names the position) and group_by with a capture group, the
 * manifest options consistent. Returns LAKE_OK or LAKE_ERR_INVALID_ARG with a one-line reason. */
lake_rc lake_distcp_check(const lake_distcp_options *o, lake_error *err);

/** Runs the copy described by o (checked first with lake_distcp_check): takes dest's lock,
 * recovers what a killed run left there, lists and plans, writes every output invisibly and
 * commits them (with the manifest) at once; then deletes the sources when asked. On failure
 * nothing new is visible under dest and no source is deleted. sum (may be NULL) is filled.
 * Returns LAKE_OK, LAKE_ERR_INVALID_ARG for bad options or bad lines of the prefixes file,
 * LAKE_ERR_LOCKED when another run holds dest, or the store's or codec's error naming the
 * object. */
lake_rc lake_distcp_run(const lake_distcp_options *o, lake_distcp_summary *sum, lake_error *err);

#endif
