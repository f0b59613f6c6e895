/* lake run: the Sparkify pipeline from an input root to an output root. */
#include "cli/cli.h"
#include "cli/progress_line.h"
#include "cli/run_compact.h"
#include "cli/run_verbose.h"
#include "lake/cluster.h"
#include "lake/sparkify.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char run_usage[] =
    "usage: lake run --input DIR --output DIR [options]\n"
    "\n"
    "Reads DIR/song_data/**/*.json and DIR/log_data/**/*.json (also .json.gz, .json.zst) and\n"
    "writes the songs, artists, users, time and songplays tables as Hive-partitioned Parquet.\n"
    "Both datasets are required. Names starting with _ or . below them are skipped, as Spark\n"
    "does (_SUCCESS, _temporary/, .crc); a directory symlink loop is an error.\n"
    "\n"
    "  -i, --input DIR            input root (song_data/ and log_data/ below it)\n"
    "  -o, --output DIR           output root (one directory per table)\n"
    "  -t, --threads N            worker threads (default: all CPUs); writing runs N+1, as\n"
    "                             its workers also wait on the file system or the network\n"
    "      --max-bad-records N    fail if more than N records are rejected (default: fail\n"
    "                             when more than half of song_data's or of log_data's\n"
    "                             records are bad)\n"
    "      --mode MODE            overwrite (default): replace each table whole;\n"
    "                             dynamic: replace only the partitions this run writes\n"
    "      --spill-rows N         songplays a thread holds before it sorts them and writes\n"
    "                             them to a temporary file in $TMPDIR (default 262144, about\n"
    "                             30 MB; 0 = keep all in memory)\n"
    "      --wait-lock SECONDS    wait this long for another run writing the same output\n"
    "                             (default 0: fail at once, naming that run)\n"
    "      --summary-json FILE    also write the summary as JSON to the local FILE (atomically;\n"
    "                             written when the run fails too, with its error);\n"
    "                             docs/summary-json.md gives the schema\n"
    "      --report FILE.html     also write a run report to the local FILE: one page that\n"
    "                             needs nothing else (stage timeline, tables, partition\n"
    "                             sizes, rejects, input, options); written when the run\n"
    "                             fails too\n"
    "      --compact[=PREFIX]     first compact song_data/ and log_data/ (small objects\n"
    "                             merged per song_data/X/Y/ directory pair, per day of\n"
    "                             events and per directory, uncompressed) into PREFIX\n"
    "                             (default OUTPUT/_compacted; a local directory or s3://)\n"
    "                             and run on that copy: the tables are the same; a manifest\n"
    "                             there makes the next --compact copy only what changed\n"
    "                             (docs/distcp.md, \"lake run --compact\")\n"
    "      --progress             show progress on stderr even when it is not a terminal\n"
    "                             (on a terminal it is shown unless --quiet)\n"
    "  -q, --quiet                print no summary and no progress\n"
    "  -h, --help                 show this help\n";

enum {
    OPT_MAX_BAD = 256,
    OPT_MODE,
    OPT_SPILL,
    OPT_WAIT_LOCK,
    OPT_SUMMARY_JSON,
    OPT_REPORT,
    OPT_PROGRESS,
    OPT_COMPACT
};

static const struct option run_options[] = {
    {"input", required_argument, NULL, 'i'},
    {"output", required_argument, NULL, 'o'},
    {"threads", required_argument, NULL, 't'},
    {"max-bad-records", required_argument, NULL, OPT_MAX_BAD},
    {"mode", required_argument, NULL, OPT_MODE},
    {"spill-rows", required_argument, NULL, OPT_SPILL},
    {"wait-lock", required_argument, NULL, OPT_WAIT_LOCK},
    {"summary-json", required_argument, NULL, OPT_SUMMARY_JSON},
    {"report", required_argument, NULL, OPT_REPORT},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"compact", optional_argument, NULL, OPT_COMPACT},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    CLI_STORE_LONGOPTS,
    CLI_STORE_WRITE_LONGOPTS,
    CLI_PQ_LONGOPTS,
    {NULL, 0, NULL, 0}};

typedef struct {
    const char *input, *output;
    const char *summary_json; /* --summary-json FILE, or NULL */
    const char *report;       /* --report FILE, or NULL */
    bool progress;            /* --progress */
    bool compact;             /* --compact */
    const char *compact_to;   /* its PREFIX, or NULL for OUTPUT/_compacted */
    lake_run_opts opts;
    lake_store_options store;
} run_args;

static int parse_option(int c, run_args *a) {
    uint64_t n;
    switch (c) {
    case 'i':
        a->input = optarg;
        return 0;
    case 'o':
        a->output = optarg;
        return 0;
    case 't':
        if (!cli_parse_u64("run", "--threads", optarg, &n))
            return 2;
        if (n < 1 || n > 1024)
            return cli_usage_error("run", "--threads must be between 1 and 1024");
        a->opts.threads = (unsigned)n;
        return 0;
    case OPT_MAX_BAD:
        if (!cli_parse_u64("run", "--max-bad-records", optarg, &n))
            return 2;
        a->opts.max_bad_records = n > INT64_MAX ? INT64_MAX : (int64_t)n;
        return 0;
    case OPT_MODE:
        if (!strcmp(optarg, "overwrite"))
            a->opts.mode = LAKE_WRITE_OVERWRITE;
        else if (!strcmp(optarg, "dynamic"))
            a->opts.mode = LAKE_WRITE_DYNAMIC;
        else
            return cli_usage_error("run", "--mode is overwrite or dynamic, not '%s'", optarg);
        return 0;
    case OPT_SPILL:
        if (!cli_parse_u64("run", "--spill-rows", optarg, &n))
            return 2;
        a->opts.spill_rows = n;
        return 0;
    case OPT_WAIT_LOCK:
        if (!cli_parse_u64("run", "--wait-lock", optarg, &n))
            return 2;
        a->opts.wait_lock_s = (double)n;
        return 0;
    case OPT_SUMMARY_JSON:
        a->summary_json = optarg;
        return 0;
    case OPT_REPORT:
        if (!*optarg)
            return cli_usage_error("run", "--report needs a file name");
        a->report = optarg;
        return 0;
    case OPT_PROGRESS:
        a->progress = true;
        return 0;
    case OPT_COMPACT:
        a->compact = true;
        a->compact_to = optarg;
        return 0;
    case 'q':
        a->opts.quiet = true;
        return 0;
    default: {
        int rc = cli_store_option("run", c, optarg, &a->store);
        if (rc < 0)
            rc = cli_pq_option("run", c, optarg, &a->opts.parquet, &a->opts.max_rows_per_file);
        return rc >= 0 ? rc : cli_usage_error("run", "unknown option");
    }
    }
}

static int parse_args(int argc, char **argv, run_args *a) {
    int c;
    optind = 1;
    while ((c = cli_getopt("run", argc, argv, "i:o:c:t:qhv", run_options)) != -1) {
        if (c == CLI_GETOPT_ERROR)
            return 2;
        if (c == 'h') {
            fputs(run_usage, stdout);
            fputs(cli_pq_usage, stdout);
            fputs(cli_store_usage, stdout);
            fputs(cli_store_write_usage, stdout);
            return -1;
        }
        int rc = parse_option(c, a);
        if (rc)
            return rc;
    }
    if (optind < argc)
        return cli_usage_error("run", "unexpected argument '%s'", argv[optind]);
    if (!a->input || !a->output)
        return cli_usage_error("run", "--input and --output are required");
    return cli_pq_check("run", &a->opts.parquet);
}

/* A cluster run: its ranks, and what each did (wall times above are the slowest rank's, CPU
 * times the sum over the ranks). */
static void print_ranks(const lake_run_summary *s) {
    printf("  ranks: %u (times: the slowest rank; cpu: all ranks)\n", s->ranks);
    for (unsigned r = 0; r < s->ranks && r < LAKE_SUMMARY_MAX_RANKS; r++) {
        const lake_rank_summary *k = &s->per_rank[r];
        printf("  rank %-3u %10llu records %8.1f MB read %10llu rows written %8.1f MB sent "
               "%7.1f MB peak RSS %7.3fs\n",
               r, (unsigned long long)k->records, (double)k->bytes_read / 1e6,
               (unsigned long long)k->rows, (double)k->bytes_sent / 1e6, (double)k->peak_rss / 1e6,
               k->t_total);
    }
}

static void print_summary(const lake_run_summary *s) {
    printf("lake run %s: %llu song objects, %llu log objects, %.1f MB read\n", s->run_id,
           (unsigned long long)s->input_objects[0], (unsigned long long)s->input_objects[1],
           (double)s->input_bytes / 1e6);
    printf("  records: %llu songs, %llu events (%llu NextSong), %llu bad\n",
           (unsigned long long)s->song_records, (unsigned long long)s->event_records,
           (unsigned long long)s->nextsong_events, (unsigned long long)s->bad_records);
    for (int t = 0; t < LAKE_TABLE_COUNT; t++)
        printf("  %-10s %10llu rows %7llu files\n", lake_table_name(t),
               (unsigned long long)s->rows[t], (unsigned long long)s->files[t]);
    printf("  written: %.1f MB\n", (double)s->bytes_written / 1e6);
    if (s->spilled_runs)
        printf("  spilled: %llu sorted runs of songplays, %.1f MB of temporary files\n",
               (unsigned long long)s->spilled_runs, (double)s->spilled_bytes / 1e6);
    printf("  time: list %.3fs, songs %.3fs, events %.3fs, transform %.3fs, write %.3fs, "
           "commit %.3fs, cleanup %.3fs, total %.3fs\n",
           s->t_list, s->t_songs, s->t_events, s->t_transform, s->t_write, s->t_commit,
           s->t_cleanup, s->t_total);
    printf("  cpu:  list %.3fs, songs %.3fs, events %.3fs, transform %.3fs, write %.3fs, "
           "commit %.3fs, cleanup %.3fs, total %.3fs\n",
           s->c_list, s->c_songs, s->c_events, s->c_transform, s->c_write, s->c_commit,
           s->c_cleanup, s->c_total);
    if (s->ranks > 1)
        print_ranks(s);
}

typedef lake_rc (*summary_writer)(const char *path, const lake_run_summary *sum,
                                  const lake_run_report *rep, lake_error *err);

static lake_rc write_one(summary_writer fn, const char *path, const lake_run_summary *sum,
                         const lake_run_report *rep) {
    lake_error err = {0};
    lake_rc wrc = fn(path, sum, rep, &err);
    if (wrc)
        fprintf(stderr, "lake run: %s\n", err.msg[0] ? err.msg : lake_strerror(wrc));
    return wrc;
}

/* --summary-json and --report: the run's summary (or how far it got and why it failed) as JSON
 * and as a page. */
static lake_rc write_summaries(const run_args *a, const lake_run_summary *sum,
                               const lake_run_compaction *compact, lake_rc rc,
                               const lake_error *run_err) {
    lake_run_report rep = {cli_created_by(), a->input, a->output, &a->opts, NULL, compact};
    if (rc)
        rep.error = run_err->msg[0] ? run_err->msg : lake_strerror(rc);
    lake_rc wrc = LAKE_OK;
    if (a->summary_json)
        wrc = write_one(lake_run_summary_write_json, a->summary_json, sum, &rep);
    if (a->report) {
        lake_rc hrc = write_one(lake_run_summary_write_html, a->report, sum, &rep);
        wrc = wrc ? wrc : hrc;
    }
    return wrc;
}

/* Before anything is read: the input exists, the output, the summary and the report can be
 * written. The summaries tell of the other failures; one that cannot be written is not tried
 * again. */
static lake_rc check_locations(run_args *a, lake_error *err) {
    lake_rc rc =
        a->summary_json ? cli_check_output_file("--summary-json", a->summary_json, err) : LAKE_OK;
    if (rc) {
        a->summary_json = NULL;
        return rc;
    }
    rc = a->report ? cli_check_output_file("--report", a->report, err) : LAKE_OK;
    if (rc) {
        a->report = NULL;
        return rc;
    }
    rc = cli_check_input_dir("--input", a->input, err);
    if (!rc)
        rc = cli_check_output_dir("--output", a->output, err);
    return rc;
}

/* --compact: where the copy goes, checked as an output is; not the output root itself, whose
 * top level holds the tables. */
static lake_rc check_compact(const run_args *a, char **staging, lake_error *err) {
    if (!a->compact)
        return LAKE_OK;
    *staging = cli_compact_staging(a->output, a->compact_to);
    char *out = cli_compact_staging(a->output, a->output);
    lake_rc rc = strcmp(*staging, out) ? cli_check_output_dir("--compact", *staging, err)
                                       : lake_error_set(err, LAKE_ERR_INVALID_ARG,
                                                        "--compact=%s is the output root: give "
                                                        "another location (default %s/_compacted)",
                                                        a->compact_to, out);
    free(out);
    return rc;
}

/* The input the run reads: the compacted copy of a->input (--compact), or a->input. */
static lake_rc open_input(const run_args *a, const char *staging, lake_progress *progress,
                          lake_distcp_summary *csum, lake_store **in, lake_error *err) {
    lake_rc rc = LAKE_OK;
    if (staging) {
        rc =
            cli_run_compact(a->input, staging, &a->store, a->opts.wait_lock_s, progress, csum, err);
        if (!rc && a->store.verbose)
            cli_compact_print(stderr, staging, csum);
    }
    return rc ? rc : lake_store_open_ex(staging ? staging : a->input, &a->store, in, err);
}

int cli_run(int argc, char **argv) {
    run_args a = {0};
    lake_run_opts_default(&a.opts);
    a.opts.parquet.created_by = cli_created_by();
    int prc = parse_args(argc, argv, &a);
    if (prc)
        return prc < 0 ? 0 : prc;
    lake_store *in = NULL, *out = NULL;
    lake_error err = {0};
    lake_run_summary sum;
    memset(&sum, 0, sizeof sum);
    char *staging = NULL;
    lake_distcp_summary csum;
    memset(&csum, 0, sizeof csum);
    lake_rc rc = check_locations(&a, &err);
    if (!rc)
        rc = check_compact(&a, &staging, &err);
    if (!rc)
        rc = lake_store_open_ex(a.output, &a.store, &out, &err);
    if (!rc && a.store.verbose && lake_launch_rank() == 0) /* once per job */
        cli_run_print_settings(stderr, a.input, a.output, &a.opts);
    /* Only rank 0 of a cluster draws; the counters tell the thread which rank this is. */
    static lake_progress progress;
    cli_progress *shown = NULL;
    if (!rc && cli_progress_wanted(STDERR_FILENO, a.progress, a.opts.quiet)) {
        a.opts.progress = &progress;
        shown = cli_progress_start(&progress, STDERR_FILENO);
    }
    if (!rc)
        rc = open_input(&a, staging, a.opts.progress, &csum, &in, &err);
    if (!rc)
        rc = lake_run(in, out, &a.opts, &sum, &err);
    cli_progress_stop(shown); /* the line is cleared before anything else is printed */
    lake_store_close(in);
    lake_store_close(out);
    if (sum.rank != 0) { /* a cluster's other ranks: rank 0 reports for the job */
        free(staging);
        return rc ? 1 : 0;
    }
    if (a.store.verbose && sum.run_id[0])
        cli_run_print_detail(stderr, &sum);
    lake_run_compaction compact;
    if (staging)
        cli_compact_report(staging, &csum, &compact);
    lake_rc src = write_summaries(&a, &sum, staging ? &compact : NULL, rc, &err);
    if (rc) {
        fprintf(stderr, "lake run: %s\n", err.msg[0] ? err.msg : lake_strerror(rc));
        free(staging);
        return 1;
    }
    if (!a.opts.quiet && staging)
        cli_compact_print(stdout, staging, &csum);
    if (!a.opts.quiet)
        print_summary(&sum);
    free(staging);
    return src ? 1 : 0;
}
