/* The distcp job's pieces (include/lake/distcp.h is its entry point): regular expressions
 * (dc_regex.c, PCRE2), the plan of which objects go into which output under which name
 * (dc_plan.c, pure), the manifest (dc_manifest.c), the copy of one part (dc_copy.c), the source
 * listing (dc_source.c) and the run (dc_run.c). Uses base, codec, json, store and engine/commit. */
#ifndef LAKE_DC_JOB_H
#define LAKE_DC_JOB_H

#include "base/map.h"
#include "lake/codec.h"
#include "lake/distcp.h"
#include "lake/store.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- regular expressions (dc_regex.c) ---- */

/* A compiled expression, matched against whole strings (as Java's Matcher.matches). Not safe to
 * match from two threads at once. */
typedef struct dc_regex dc_regex;

/* Compiles pattern for the option named flag. Returns LAKE_ERR_INVALID_ARG with "FLAG 'PATTERN':
 * REASON at position N" when PCRE2 rejects it. */
lake_rc dc_regex_compile(const char *flag, const char *pattern, dc_regex **out, lake_error *err);
void dc_regex_free(dc_regex *r); /* accepts NULL */
/* The number of capture groups of r. */
unsigned dc_regex_groups(const dc_regex *r);
/* True when r matches s[0..n) entirely. Then, when key is not NULL, the capture groups are
 * appended to key one after another (a group that took no part in the match appends nothing). */
bool dc_regex_match(dc_regex *r, const char *s, size_t n, lake_buf *key);

/* ---- names and the plan (dc_plan.c) ---- */

/* The compression an object's name says it has: ".gz"/".gzip" gzip, ".zst"/".zstd" zstd (any
 * case), else none. */
lake_codec dc_codec_of(const char *name);
/* The extension (without the dot) lake writes for codec c: "gz", "zst", or "" for none. */
const char *dc_codec_ext(lake_codec c);

/* An output's name: S3DistCp's rule (docs/distcp.md). group is the group key (its last
 * '/'-component is used), dir the directory of the part's first object relative to the source
 * ("" or ending in '/'), uid its number (UINT64_MAX: not numbered), index the part's number in its
 * group (0: none written), ext the output's extension without the dot ("" for none).
 * Returns a malloc'ed key relative to the destination. */
char *dc_output_name(const char *group, const char *dir, uint64_t uid, unsigned index,
                     const char *ext);

/* An output's name when the order is kept (dc_plan_opts.keep_order): key, the key of its first
 * object, without a compression extension, ending in "." ext unless it does already or ext is
 * "". Returns a malloc'ed key relative to the destination. */
char *dc_order_name(const char *key, const char *ext);

/* One output: objects order[0..n) of the listing, concatenated in that order. */
typedef struct {
    const size_t *order; /* indexes into the object list (points into dc_plan.order) */
    size_t n;
    char *name;       /* key relative to the destination */
    lake_codec codec; /* the output's compression */
    uint64_t bytes;   /* the objects' stored bytes */
    bool kept;        /* unchanged since the previous manifest: not copied again (sync) */
} dc_part;

typedef struct {
    dc_part *parts;
    size_t n, cap;
    size_t *order; /* every object copied, part after part */
    size_t norder;
    uint64_t groups;    /* distinct groups */
    uint64_t unmatched; /* objects --groupBy did not match (not copied) */
} dc_plan;

typedef struct {
    dc_regex *group_by;   /* or NULL: each object on its own */
    const char *src_url;  /* full path of an object: src_url + "/" + key */
    uint64_t target_size; /* 0: no limit */
    lake_distcp_codec codec;
    bool number_files;
    uint64_t starting_index;
    const lake_smap *taken; /* names under the destination already (grouped outputs skip them) */
    /* Outputs hold runs of objects consecutive in the listing, each named after its first
     * object (dc_order_name), so reading them in name order reads the objects in key order. */
    bool keep_order;
} dc_plan_opts;

/* Plans the copy of objs (sorted by key): groups, parts, names and output codecs. Fails with
 * LAKE_ERR_INVALID_ARG when codec keep meets a part whose objects differ in compression, or two
 * outputs would get the same name, naming the objects. */
lake_rc dc_plan_make(const lake_obj_list *objs, const dc_plan_opts *o, dc_plan *plan,
                     lake_error *err);
void dc_plan_free(dc_plan *p); /* accepts a zeroed plan */
/* dc_order.c: LAKE_OK when reading plan's outputs in name order reads the objects of objs it
 * copies in key order; else LAKE_ERR_INVALID_ARG naming the two objects out of order. */
lake_rc dc_plan_check_order(const lake_obj_list *objs, const dc_plan *plan, lake_error *err);

/* ---- manifests (dc_manifest.c) ---- */

/* One line of a manifest: S3DistCp's fields. */
typedef struct {
    char *path;      /* the output's full URL */
    char *base_name; /* the source object's path relative to srcDir */
    char *src_dir;   /* the source root's URL */
    uint64_t size;   /* the source object's bytes */
} dc_manifest_entry;

typedef struct {
    dc_manifest_entry *items;
    size_t n, cap;
} dc_manifest;

void dc_manifest_add(dc_manifest *m, const char *path, const char *base_name, const char *src_dir,
                     uint64_t size);
/* Adds an entry for every object of plan (objs its listing): the output dest + "/" + name it
 * goes to, its key, src, its size. dest and src as dc_canonical gives them. */
void dc_manifest_add_plan(dc_manifest *m, const dc_plan *plan, const lake_obj_list *objs,
                          const char *dest, const char *src);
void dc_manifest_free(dc_manifest *m); /* accepts a zeroed manifest */
/* Reads the manifest at url (local path or s3:// URL; gzip'd or plain). *found is false when it
 * does not exist. A line that is not a manifest entry is LAKE_ERR_PARSE naming it. */
lake_rc dc_manifest_read(const char *url, const lake_store_options *so, dc_manifest *m, bool *found,
                         lake_error *err);
/* m as its gzip'd text: one JSON object per line. */
lake_rc dc_manifest_encode(const dc_manifest *m, lake_buf *out, lake_error *err);

/* Reads a whole object named by a full URL (local path or s3://): opens a store on its parent.
 * LAKE_ERR_NOT_FOUND when it does not exist. */
lake_rc dc_read_url(const char *url, const lake_store_options *so, lake_buf *out, lake_error *err);

/* ---- the copy of one part (dc_copy.c) ---- */

typedef struct {
    lake_store *in, *out;
    const lake_obj_list *objs;
    unsigned write_flags; /* eng_commit_write_flags */
    const char *staging;  /* eng_commit_staging */
    bool raw_concat;
    lake_progress *progress;
} dc_copy_ctx;

/* What writing a part left: its key once opened, its pending token, its size. */
typedef struct {
    char *key;
    char *pending;
    uint64_t bytes;
} dc_written;

/* Writes part p (fetching its objects in batches, decompressing, adding newlines, compressing)
 * under staging + p->name. w->key is set before the first byte is sent. Errors name the object. */
lake_rc dc_copy_part(const dc_copy_ctx *c, const dc_part *p, dc_written *w, lake_error *err);

/* ---- sync (dc_sync.c) ---- */

/* Sets kept on every part of plan that prev (the previous manifest) lists exactly: the same
 * objects with the same sizes from src, all in the output dest + "/" + its name, and no other
 * object there. Counts them in sum (outputs_kept, skipped_manifest). */
void dc_sync_mark(dc_plan *plan, const lake_obj_list *objs, const dc_manifest *prev,
                  const char *src, const char *dest, lake_distcp_summary *sum);
/* Before a commit that replaces outputs: deletes the manifest o->output_manifest from dest, so
 * a copy that fails or is killed halfway leaves no manifest vouching for outputs it did not
 * write (the next run copies everything). A missing manifest is fine. */
lake_rc dc_sync_forget(lake_store *dest, const lake_distcp_options *o, lake_error *err);
/* After the commit: deletes every object under dest (under o->src_prefixes when given; hidden
 * names and o->output_manifest aside) that no part of plan names and sets *removed, then
 * writes the manifest of the whole plan (objs its listing) as o->output_manifest in one put.
 * Errors say the copy itself is committed. */
lake_rc dc_sync_finish(lake_store *dest, const lake_distcp_options *o, const dc_plan *plan,
                       const lake_obj_list *objs, uint64_t *removed, lake_error *err);

/* ---- the source listing (dc_source.c) ---- */

/* Lists every object under src (hidden names below it left out), or only under the prefixes of
 * the file o->src_prefixes_file, into objs sorted by key. A prefix not under src is
 * LAKE_ERR_INVALID_ARG naming the file and line. */
lake_rc dc_list_sources(lake_store *src, const lake_distcp_options *o, lake_obj_list *objs,
                        lake_error *err);
/* url without its trailing slashes (malloc'ed). */
char *dc_url_trim(const char *url);
/* A location as one comparable string (malloc'ed; dc_check.c): URLs as given without trailing
 * slashes, local paths made absolute with symbolic links resolved as far as the path exists. */
char *dc_canonical(const char *loc);

#endif
