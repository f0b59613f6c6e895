/* lake gen: deterministic synthetic Sparkify input. */
#include "cli/cli.h"
#include "lake/gen.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char gen_usage[] =
    "usage: lake gen OUT|s3://bucket/prefix [--songs N] [--events M] [--seed S] [--no-edge-cases] "
    "[--bad-records] [--force]\n"
    "\n"
    "Writes OUT/song_data/A/B/C/TR....json and OUT/log_data/YYYY/MM/YYYY-MM-DD-events.json and\n"
    "says how many files and records of each kind it wrote. The same options always give\n"
    "byte-identical files. OUT must not hold song_data/ or log_data/ yet (new files would mix\n"
    "with the old ones), unless --force.\n"
    "\n"
    "      --songs N         random song records (default 1000); edge cases add duplicates\n"
    "                        and a catalogue of awkward songs, a few dozen records\n"
    "      --events M        random log events, all pages (default 10000); edge cases add\n"
    "                        awkward events in files of their own\n"
    "      --seed S          random seed (default 42)\n"
    "      --no-edge-cases   plain data only (no nulls, escapes, unicode, duplicates, .gz/.zst):\n"
    "                        exactly N song records and M events\n"
    "      --bad-records     add a few records lake run must reject\n"
    "      --force           delete what OUT's song_data/ and log_data/ hold first\n"
    "  -h, --help            show this help\n";

enum { OPT_SONGS = 256, OPT_EVENTS, OPT_SEED, OPT_NO_EDGE, OPT_BAD, OPT_FORCE };

static const struct option gen_options[] = {{"songs", required_argument, NULL, OPT_SONGS},
                                            {"events", required_argument, NULL, OPT_EVENTS},
                                            {"seed", required_argument, NULL, OPT_SEED},
                                            {"no-edge-cases", no_argument, NULL, OPT_NO_EDGE},
                                            {"bad-records", no_argument, NULL, OPT_BAD},
                                            {"force", no_argument, NULL, OPT_FORCE},
                                            {"help", no_argument, NULL, 'h'},
                                            CLI_STORE_LONGOPTS,
                                            {NULL, 0, NULL, 0}};

static int parse_gen(int argc, char **argv, lake_gen_opts *o, lake_store_options *so,
                     const char **outdir) {
    int c;
    optind = 1;
    while ((c = cli_getopt("gen", argc, argv, "hv", gen_options)) != -1) {
        switch (c) {
        case CLI_GETOPT_ERROR:
            return 2;
        case 'h':
            fputs(gen_usage, stdout);
            fputs(cli_store_usage, stdout);
            return -1;
        case OPT_SONGS:
            if (!cli_parse_u64("gen", "--songs", optarg, &o->songs))
                return 2;
            break;
        case OPT_EVENTS:
            if (!cli_parse_u64("gen", "--events", optarg, &o->events))
                return 2;
            break;
        case OPT_SEED:
            if (!cli_parse_u64("gen", "--seed", optarg, &o->seed))
                return 2;
            break;
        case OPT_NO_EDGE:
            o->edge_cases = false;
            break;
        case OPT_BAD:
            o->bad_records = true;
            break;
        case OPT_FORCE:
            o->replace = true;
            break;
        default: {
            int rc = cli_store_option("gen", c, optarg, so);
            if (rc)
                return rc > 0 ? rc : cli_usage_error("gen", "unknown option");
        }
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("gen", "expected exactly one output directory");
    *outdir = argv[optind];
    return 0;
}

/* What was written, of each kind; --songs and --events count only the random records. */
static void print_written(const lake_gen_opts *o, const lake_gen_stats *st, const char *out) {
    printf("lake gen: wrote %llu song records in %llu files and %llu events in %llu files "
           "(%.1f MB) to %s\n",
           (unsigned long long)st->song_records, (unsigned long long)st->song_files,
           (unsigned long long)st->events, (unsigned long long)st->log_files,
           (double)st->bytes / 1e6, out);
    uint64_t songs = st->song_records - o->songs, events = st->events - o->events;
    if (!songs && !events)
        return;
    const char *what = !o->bad_records ? "edge cases"
                       : o->edge_cases ? "edge cases and bad records"
                                       : "bad records";
    printf("  beyond --songs %llu and --events %llu: %llu song records and %llu events of %s",
           (unsigned long long)o->songs, (unsigned long long)o->events, (unsigned long long)songs,
           (unsigned long long)events, what);
    if (st->bad_records)
        printf(", %llu of them bad (lake run rejects them)", (unsigned long long)st->bad_records);
    putchar('\n');
}

int cli_gen(int argc, char **argv) {
    lake_gen_opts o;
    lake_store_options so = {0};
    const char *outdir = NULL;
    lake_gen_opts_default(&o);
    int prc = parse_gen(argc, argv, &o, &so, &outdir);
    if (prc)
        return prc < 0 ? 0 : prc;
    lake_store *out = NULL;
    lake_error err = {0};
    lake_gen_stats st;
    memset(&st, 0, sizeof st);
    lake_rc rc = cli_check_output_dir("", outdir, &err);
    if (!rc)
        rc = lake_store_open_ex(outdir, &so, &out, &err);
    if (!rc)
        rc = lake_gen_ex(out, &o, &st, &err);
    lake_store_close(out);
    if (rc) {
        fprintf(stderr, "lake gen: %s\n", err.msg[0] ? err.msg : lake_strerror(rc));
        return 1;
    }
    print_written(&o, &st, outdir);
    return 0;
}
