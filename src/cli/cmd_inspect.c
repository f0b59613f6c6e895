/* lake inspect: the metadata of a Parquet file or of every Parquet file of a table directory, as a
 * readable report or (--json) one JSON document. The report is built and rendered by
 * lake/inspect.h; this file is the command: options, the call, printing. */
#include "cli/cli.h"
#include "lake/inspect.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

int cli_inspect(int argc, char **argv);

static const char inspect_usage[] =
    "usage: lake inspect PATH [--json] [store options]\n"
    "\n"
    "Shows the metadata of a Parquet file, or of every *.parquet file below a table directory\n"
    "(sorted by path; names starting with '_' or '.' are skipped, as Spark does), with totals:\n"
    "schema with physical and logical types, row groups, and per column chunk its encodings,\n"
    "codec, compressed and uncompressed sizes, statistics and dictionary page. PATH may be a\n"
    "local path or a store URL (s3://bucket/prefix). Corrupt or truncated files are refused\n"
    "with a message naming the file and the damage (exit 1); so are files lake cannot read,\n"
    "with what is unsupported (encrypted Parquet, a writer's extension of the format).\n"
    "\n"
    "      --json   one JSON document instead of the report\n"
    "  -h, --help   show this help\n";

/* The whole report is rendered before anything is printed, so a damaged file leaves stdout
 * empty and stderr one line naming it. */
static int inspect_main(const char *path, const lake_store_options *so, bool json) {
    lake_error err = {0};
    lake_inspect_report *r = NULL;
    lake_rc rc = lake_inspect_build(path, so, &r, &err);
    if (rc) {
        fprintf(stderr, "lake inspect: %s\n", err.msg[0] ? err.msg : lake_strerror(rc));
        return 1;
    }
    lake_buf out;
    lake_buf_init(&out);
    if (json)
        lake_inspect_json(r, &out);
    else
        lake_inspect_text(r, &out);
    fwrite(out.data, 1, out.len, stdout);
    lake_buf_free(&out);
    lake_inspect_free(r);
    return 0;
}

static const struct option inspect_options[] = {{"json", no_argument, NULL, 'j'},
                                                {"help", no_argument, NULL, 'h'},
                                                CLI_STORE_LONGOPTS,
                                                {NULL, 0, NULL, 0}};

int cli_inspect(int argc, char **argv) {
    bool json = false;
    lake_store_options so = {0};
    int c;
    optind = 1;
    while ((c = cli_getopt("inspect", argc, argv, "hv", inspect_options)) != -1) {
        switch (c) {
        case CLI_GETOPT_ERROR:
            return 2;
        case 'h':
            fputs(inspect_usage, stdout);
            fputs(cli_store_usage, stdout);
            return 0;
        case 'j':
            json = true;
            break;
        default: {
            int rc = cli_store_option("inspect", c, optarg, &so);
            if (rc)
                return rc > 0 ? rc : cli_usage_error("inspect", "unknown option");
        }
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("inspect", "expected exactly one PATH");
    return inspect_main(argv[optind], &so, json);
}
