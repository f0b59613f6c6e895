/* lake distcp: S3DistCp's copy (lake/distcp.h), with S3DistCp's option names. */
#include "cli/cli.h"
#include "cli/progress_line.h"
#include "lake/distcp.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char distcp_usage[] =
    "usage: lake distcp --src SRC --dest DEST [options]\n"
    "\n"
    "Copies the objects under SRC to DEST (local directories or s3://bucket/prefix, any\n"
    "direction), as S3DistCp does: filtered, concatenated per group, cut into parts, re-\n"
    "compressed. Everything is committed at once: a failed or killed copy leaves nothing new\n"
    "under DEST. Names starting with _ or . below SRC are not copied. docs/distcp.md has the\n"
    "details and the differences from S3DistCp.\n"
    "\n"
    "      --src SRC              where to copy from\n"
    "      --dest DEST            where to copy to (not inside SRC)\n"
    "      --srcPattern RE        copy only objects whose full path RE matches entirely\n"
    "      --srcPrefixesFile FILE list only under these prefixes of SRC (one URL a line;\n"
    "                             local file or s3://); names stay relative to SRC\n"
    "      --groupBy RE           concatenate objects whose full path RE matches, one output\n"
    "                             per value of its capture groups (joined); others are not\n"
    "                             copied\n"
    "      --targetSize MIB       close an output once it holds MIB mebibytes of objects\n"
    "                             (objects are never split; later parts are numbered)\n"
    "      --outputCodec CODEC    keep (default), none, gzip (or gz), zstd\n"
    "      --raw-concat           join objects byte for byte, as S3DistCp (default: a newline\n"
    "                             is added after an object that does not end with one)\n"
    "      --deleteOnSuccess      delete the copied sources once the copy is committed\n"
    "      --numberFiles          prefix each output's name with its first object's number\n"
    "      --startingIndex N      number the objects from N (default 0)\n"
    "      --outputManifest NAME  write a gzip'd manifest of the copy to DEST/NAME\n"
    "      --previousManifest PATH\n"
    "                             skip the objects this manifest (local or s3://) lists\n"
    "      --requirePreviousManifest\n"
    "                             fail when --previousManifest does not exist\n"
    "      --copyFromManifest     copy the objects --previousManifest lists instead\n"
    "  -t, --threads N            outputs written at once (default: twice the CPUs, or 32\n"
    "                             when the outputs average under 1 MiB)\n"
    "      --wait-lock SECONDS    wait this long for another run writing DEST (default 0)\n"
    "      --progress             show progress on stderr even when it is not a terminal\n"
    "  -q, --quiet                print no summary and no progress\n"
    "  -h, --help                 show this help\n";

enum {
    OPT_SRC = 256,
    OPT_DEST,
    OPT_SRC_PATTERN,
    OPT_PREFIXES,
    OPT_GROUP_BY,
    OPT_TARGET,
    OPT_CODEC,
    OPT_RAW,
    OPT_DELETE,
    OPT_NUMBER,
    OPT_START,
    OPT_OUT_MANIFEST,
    OPT_PREV_MANIFEST,
    OPT_REQUIRE,
    OPT_FROM_MANIFEST,
    OPT_WAIT_LOCK,
    OPT_PROGRESS
};

static const struct option distcp_options[] = {
    {"src", required_argument, NULL, OPT_SRC},
    {"dest", required_argument, NULL, OPT_DEST},
    {"srcPattern", required_argument, NULL, OPT_SRC_PATTERN},
    {"srcPrefixesFile", required_argument, NULL, OPT_PREFIXES},
    {"groupBy", required_argument, NULL, OPT_GROUP_BY},
    {"targetSize", required_argument, NULL, OPT_TARGET},
    {"outputCodec", required_argument, NULL, OPT_CODEC},
    {"raw-concat", no_argument, NULL, OPT_RAW},
    {"deleteOnSuccess", no_argument, NULL, OPT_DELETE},
    {"numberFiles", no_argument, NULL, OPT_NUMBER},
    {"startingIndex", required_argument, NULL, OPT_START},
    {"outputManifest", required_argument, NULL, OPT_OUT_MANIFEST},
    {"previousManifest", required_argument, NULL, OPT_PREV_MANIFEST},
    {"requirePreviousManifest", no_argument, NULL, OPT_REQUIRE},
    {"copyFromManifest", no_argument, NULL, OPT_FROM_MANIFEST},
    {"threads", required_argument, NULL, 't'},
    {"wait-lock", required_argument, NULL, OPT_WAIT_LOCK},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    CLI_STORE_LONGOPTS,
    CLI_STORE_WRITE_LONGOPTS,
    {NULL, 0, NULL, 0}};

typedef struct {
    lake_distcp_options o;
    lake_store_options store;
    bool progress, quiet;
} distcp_args;

/* The options that take a number. */
static int parse_number(int c, const char *arg, distcp_args *a) {
    uint64_t n;
    const char *flag = c == OPT_TARGET  ? "--targetSize"
                       : c == OPT_START ? "--startingIndex"
                       : c == 't'       ? "--threads"
                                        : "--wait-lock";
    if (!cli_parse_u64("distcp", flag, arg, &n))
        return 2;
    if (c == OPT_TARGET) {
        if (n < 1 || n > ((uint64_t)1 << 43))
            return cli_usage_error("distcp", "--targetSize is in MiB: between 1 and 2^43");
        a->o.target_size = n << 20;
    } else if (c == OPT_START) {
        a->o.starting_index = n;
    } else if (c == 't') {
        if (n < 1 || n > 1024)
            return cli_usage_error("distcp", "--threads must be between 1 and 1024");
        a->o.threads = (unsigned)n;
    } else {
        a->o.wait_lock_s = (double)n;
    }
    return 0;
}

static int parse_flag(int c, distcp_args *a) {
    switch (c) {
    case OPT_RAW:
        a->o.raw_concat = true;
        return 0;
    case OPT_DELETE:
        a->o.delete_on_success = true;
        return 0;
    case OPT_NUMBER:
        a->o.number_files = true;
        return 0;
    case OPT_REQUIRE:
        a->o.require_previous_manifest = true;
        return 0;
    case OPT_FROM_MANIFEST:
        a->o.copy_from_manifest = true;
        return 0;
    case OPT_PROGRESS:
        a->progress = true;
        return 0;
    case 'q':
        a->quiet = true;
        return 0;
    default:
        return -1;
    }
}

static int parse_option(int c, const char *arg, distcp_args *a) {
    const char **text[] = {[OPT_SRC - OPT_SRC] = &a->o.src,
                           [OPT_DEST - OPT_SRC] = &a->o.dest,
                           [OPT_SRC_PATTERN - OPT_SRC] = &a->o.src_pattern,
                           [OPT_PREFIXES - OPT_SRC] = &a->o.src_prefixes_file,
                           [OPT_GROUP_BY - OPT_SRC] = &a->o.group_by,
                           [OPT_OUT_MANIFEST - OPT_SRC] = &a->o.output_manifest,
                           [OPT_PREV_MANIFEST - OPT_SRC] = &a->o.previous_manifest};
    if (c >= OPT_SRC && c <= OPT_PREV_MANIFEST && text[c - OPT_SRC]) {
        *text[c - OPT_SRC] = arg;
        return 0;
    }
    if (c == OPT_CODEC)
        return lake_distcp_codec_parse(arg, &a->o.codec)
                   ? 0
                   : cli_usage_error("distcp",
                                     "--outputCodec is keep, none, gzip, gz or zstd, "
                                     "not '%s'",
                                     arg);
    if (c == OPT_TARGET || c == OPT_START || c == 't' || c == OPT_WAIT_LOCK)
        return parse_number(c, arg, a);
    int rc = parse_flag(c, a);
    if (rc < 0)
        rc = cli_store_option("distcp", c, arg, &a->store);
    return rc >= 0 ? rc : cli_usage_error("distcp", "unknown option");
}

static int parse_args(int argc, char **argv, distcp_args *a) {
    int c;
    optind = 1;
    while ((c = cli_getopt("distcp", argc, argv, "t:qhv", distcp_options)) != -1) {
        if (c == CLI_GETOPT_ERROR)
            return 2;
        if (c == 'h') {
            fputs(distcp_usage, stdout);
            fputs(cli_store_usage, stdout);
            fputs(cli_store_write_usage, stdout);
            return -1;
        }
        int rc = parse_option(c, optarg, a);
        if (rc)
            return rc;
    }
    if (optind < argc)
        return cli_usage_error("distcp", "unexpected argument '%s'", argv[optind]);
    lake_error err = {0};
    if (lake_distcp_check(&a->o, &err))
        return cli_usage_error("distcp", "%s", err.msg);
    return 0;
}

static void print_summary(const lake_distcp_summary *s) {
    printf("lake distcp %s: %llu objects in (%.1f MB), %llu objects out (%.1f MB), %llu groups\n",
           s->run_id, (unsigned long long)s->objects_in, (double)s->bytes_in / 1e6,
           (unsigned long long)s->objects_out, (double)s->bytes_out / 1e6,
           (unsigned long long)s->groups);
    printf("  listed %llu; skipped %llu by the previous manifest, %llu by --srcPattern or "
           "--groupBy; %llu sources deleted; %.3fs\n",
           (unsigned long long)s->listed, (unsigned long long)s->skipped_manifest,
           (unsigned long long)s->skipped_pattern, (unsigned long long)s->deleted, s->seconds);
}

int cli_distcp(int argc, char **argv) {
    distcp_args a;
    memset(&a, 0, sizeof a);
    lake_distcp_options_default(&a.o);
    int prc = parse_args(argc, argv, &a);
    if (prc)
        return prc < 0 ? 0 : prc;
    a.o.store = &a.store;
    lake_error err = {0};
    lake_distcp_summary sum;
    static lake_progress progress;
    cli_progress *shown = NULL;
    if (cli_progress_wanted(STDERR_FILENO, a.progress, a.quiet)) {
        a.o.progress = &progress;
        shown = cli_progress_start(&progress, STDERR_FILENO);
    }
    lake_rc rc = lake_distcp_run(&a.o, &sum, &err);
    cli_progress_stop(shown);
    if (rc) {
        fprintf(stderr, "lake distcp: %s\n", err.msg[0] ? err.msg : lake_strerror(rc));
        return 1;
    }
    if (!a.quiet)
        print_summary(&sum);
    return 0;
}
