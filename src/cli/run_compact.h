/* lake run --compact (run_compact.c): before the ETL, song_data/ and log_data/ of the input are
 * compacted into a staging location by the distcp job (lake/distcp.h), kept in order and in
 * sync with the input, so the run reads few large objects and writes the tables it would have
 * written from the raw ones (docs/distcp.md, "lake run --compact"). */
#ifndef LAKE_CLI_RUN_COMPACT_H
#define LAKE_CLI_RUN_COMPACT_H

#include "lake/distcp.h"
#include "lake/sparkify.h"

#include <stdio.h>

/* The name of the manifest under the staging location (hidden: no reader takes it as data). */
#define CLI_COMPACT_MANIFEST "_compact-manifest.gz"

/* The staging location: prefix, or output + "/_compacted" when prefix is NULL (malloc'ed). */
char *cli_compact_staging(const char *output, const char *prefix);

/* Copies every object of input's song_data/ and log_data/ that lake run reads (.json,
 * .json.gz, .json.zst, hidden names aside) into staging, merged per song_data/X/Y/ directory
 * pair, per day of events (log_data/.../YYYY-MM-DD-events.json*) and per directory for other
 * objects, uncompressed, in parts of at most 128 MiB; outputs the previous run's manifest shows
 * unchanged are kept, outputs no object goes to any more are removed. sum (zeroed first) says
 * what it did. Returns LAKE_OK or the distcp job's error, err prefixed with "--compact". */
lake_rc cli_run_compact(const char *input, const char *staging, const lake_store_options *so,
                        double wait_lock_s, lake_progress *progress, lake_distcp_summary *sum,
                        lake_error *err);

/* One line to f: what the compaction did (objects in and out, groups, kept by the manifest,
 * removed, bytes, time). */
void cli_compact_print(FILE *f, const char *staging, const lake_distcp_summary *s);

/* The figures of s as the run's summary carries them (c->prefix borrows staging). */
void cli_compact_report(const char *staging, const lake_distcp_summary *s, lake_run_compaction *c);

#endif
