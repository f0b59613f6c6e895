/* lake run --compact: the original system's two steps (S3DistCp merging the small JSON objects,
 * then Spark reading the merged ones) in one command. The tables must not change, so the copy
 * keeps the input order (every tie-break of docs/spec.md is "first record in input order") and
 * takes exactly the objects the run would read: every one of them matches some branch of the
 * grouping expression, the last branch being a catch-all per directory. */
#include "cli/run_compact.h"
#include "lake/cluster.h"

#include <stdlib.h>
#include <string.h>

/* Seconds a rank of a cluster job waits for another rank's compaction at most. */
#define CLI_COMPACT_RANK_WAIT 3600.0

static char *trim(const char *url) {
    size_t n = strlen(url);
    while (n > 1 && url[n - 1] == '/')
        n--;
    return lake_xasprintf("%.*s", (int)n, url);
}

char *cli_compact_staging(const char *output, const char *prefix) {
    if (prefix)
        return trim(prefix);
    char *out = trim(output);
    char *s = lake_xconcat(out, strcmp(out, "/") ? "/" : "", "_compacted");
    free(out);
    return s;
}

/* src as a literal inside a PCRE2 pattern: \Q...\E, with any "\E" of it split. */
static void quote(lake_buf *b, const char *src) {
    lake_buf_puts(b, "\\Q");
    for (const char *p = src; *p; p++) {
        if (p[0] == '\\' && p[1] == 'E') {
            lake_buf_puts(b, "\\E\\\\E\\Q");
            p++;
        } else {
            lake_buf_putc(b, *p);
        }
    }
    lake_buf_puts(b, "\\E");
}

/* The object's full path is src + "/" + key (src without trailing slashes, as distcp joins). */
static char *pattern(const char *src, const char *const *branches, size_t n) {
    lake_buf b;
    lake_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        lake_buf_puts(&b, i ? "|" : "");
        quote(&b, src);
        lake_buf_puts(&b, strcmp(src, "/") ? "/" : "");
        lake_buf_puts(&b, branches[i]);
    }
    lake_buf_putc(&b, '\0');
    return (char *)b.data;
}

/* What lake run reads (engine/ingest/list.c): *.json, *.json.gz, *.json.zst under the two
 * datasets (the listing leaves hidden names out). */
static const char *const read_by_run[] = {"(?:song_data|log_data)/.*\\.json(?:\\.gz|\\.zst)?"};

/* Song objects per directory pair below song_data/ (the original's layout: song_data/A/B/C/);
 * events per directory and day (log_data/YYYY/MM/YYYY-MM-DD-events.json); anything else per
 * directory (a dataset's own top level, other layouts). Runs of objects other objects separate
 * are cut apart by keep_order, so no branch needs to be contiguous. */
static const char *const groups[] = {
    "(song_data/[^/]+/[^/]+)/.+",
    "(log_data/(?:.*/)?\\d{4}-\\d{2}-\\d{2})-events\\.json(?:\\.gz|\\.zst)?",
    "(.*)/[^/]+",
};

static const char *const prefixes[] = {"song_data/", "log_data/"};

/* Both datasets are there, or the error says so of the input (as lake run would), not of the
 * staging location the run would then read. */
static lake_rc check_datasets(const char *input, const lake_store_options *so, lake_error *err) {
    lake_store *in = NULL;
    lake_obj_list names = {0};
    lake_rc rc = lake_store_open_ex(input, so, &in, err);
    if (!rc)
        rc = lake_store_list_names(in, "", &names, err);
    bool have[2] = {false, false};
    for (size_t i = 0; !rc && i < names.n; i++)
        for (int d = 0; d < 2; d++)
            have[d] = have[d] || !strcmp(names.items[i].key, prefixes[d]);
    if (!rc && !(have[0] && have[1]))
        rc = lake_error_set(err, LAKE_ERR_NOT_FOUND, "no %s%s%s under %s: nothing to compact",
                            have[0] ? "" : "song_data/", have[0] || have[1] ? "" : " nor ",
                            have[1] ? "" : "log_data/", input);
    lake_obj_list_free(&names);
    lake_store_close(in);
    return rc;
}

lake_rc cli_run_compact(const char *input, const char *staging, const lake_store_options *so,
                        double wait_lock_s, lake_progress *progress, lake_distcp_summary *sum,
                        lake_error *err) {
    lake_rc rc = check_datasets(input, so, err);
    if (rc)
        return rc;
    char *src = trim(input);
    char *manifest = lake_xconcat(staging, "/", CLI_COMPACT_MANIFEST);
    lake_distcp_options o;
    lake_distcp_options_default(&o);
    o.src = src;
    o.dest = staging;
    o.src_prefixes = prefixes;
    o.nsrc_prefixes = 2;
    o.src_pattern = pattern(src, read_by_run, 1);
    o.group_by = pattern(src, groups, sizeof groups / sizeof *groups);
    o.target_size = (uint64_t)128 << 20;
    o.codec = LAKE_DISTCP_NONE;
    o.keep_order = true;
    o.sync = true;
    o.output_manifest = CLI_COMPACT_MANIFEST;
    o.previous_manifest = manifest;
    /* Under mpirun every rank compacts: the first to take the staging's lock copies, the
     * others wait for it and then find every output unchanged, so all read the same copy. */
    o.wait_lock_s = lake_launch_size() > 1 && wait_lock_s < CLI_COMPACT_RANK_WAIT
                        ? CLI_COMPACT_RANK_WAIT
                        : wait_lock_s;
    o.store = so;
    o.progress = progress;
    rc = lake_distcp_run(&o, sum, err);
    if (rc)
        lake_error_prefix(err, "--compact %s: ", staging);
    free((char *)o.src_pattern);
    free((char *)o.group_by);
    free(manifest);
    free(src);
    return rc;
}

void cli_compact_print(FILE *f, const char *staging, const lake_distcp_summary *s) {
    fprintf(f,
            "lake run --compact: %s: %llu objects copied into %llu (%llu groups, %.1f MB in, "
            "%.1f MB out), %llu objects in %llu outputs unchanged since the manifest, %llu "
            "outputs removed, %.3fs\n",
            staging, (unsigned long long)s->objects_in, (unsigned long long)s->objects_out,
            (unsigned long long)s->groups, (double)s->bytes_in / 1e6, (double)s->bytes_out / 1e6,
            (unsigned long long)s->skipped_manifest, (unsigned long long)s->outputs_kept,
            (unsigned long long)s->removed, s->seconds);
}

void cli_compact_report(const char *staging, const lake_distcp_summary *s, lake_run_compaction *c) {
    *c = (lake_run_compaction){staging,      s->objects_in, s->objects_out,      s->bytes_in,
                               s->bytes_out, s->groups,     s->skipped_manifest, s->outputs_kept,
                               s->removed,   s->seconds};
}
