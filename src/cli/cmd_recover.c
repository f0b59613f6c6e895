/* lake recover: completes or undoes the commit a killed run left in an output. */
#include "cli/cli.h"
#include "lake/output.h"

#include <getopt.h>
#include <stdio.h>

static const char recover_usage[] =
    "usage: lake recover OUTPUT [--wait-lock SECONDS]\n"
    "\n"
    "Brings OUTPUT (a directory or s3://bucket/prefix that lake run writes) back to tables that\n"
    "all come from one committed run: a commit a killed run left half done is completed (or, if\n"
    "that run was undoing an error, undone), and what killed runs staged is deleted. Every lake "
    "run\n"
    "does this first; run it by hand to repair an output before reading it.\n"
    "\n"
    "      --wait-lock SECONDS    wait this long for a run that holds the output (default 0)\n"
    "  -h, --help                 show this help\n";

enum { OPT_WAIT_LOCK = 256 };

static const struct option recover_options[] = {
    {"wait-lock", required_argument, NULL, OPT_WAIT_LOCK},
    {"help", no_argument, NULL, 'h'},
    CLI_STORE_LONGOPTS,
    {NULL, 0, NULL, 0}};

static int parse_recover(int argc, char **argv, lake_store_options *so, double *wait_s,
                         const char **output) {
    int c;
    uint64_t n;
    optind = 1;
    while ((c = cli_getopt("recover", argc, argv, "hv", recover_options)) != -1) {
        if (c == CLI_GETOPT_ERROR)
            return 2;
        if (c == 'h') {
            fputs(recover_usage, stdout);
            fputs(cli_store_usage, stdout);
            return -1;
        }
        if (c == OPT_WAIT_LOCK) {
            if (!cli_parse_u64("recover", "--wait-lock", optarg, &n))
                return 2;
            *wait_s = (double)n;
            continue;
        }
        int rc = cli_store_option("recover", c, optarg, so);
        if (rc)
            return rc > 0 ? rc : cli_usage_error("recover", "unknown option");
    }
    if (optind != argc - 1)
        return cli_usage_error("recover", "expected exactly one output location");
    *output = argv[optind];
    return 0;
}

int cli_recover(int argc, char **argv) {
    lake_store_options so = {0};
    double wait_s = 0;
    const char *output = NULL;
    int prc = parse_recover(argc, argv, &so, &wait_s, &output);
    if (prc)
        return prc < 0 ? 0 : prc;
    lake_store *out = NULL;
    lake_error err = {0};
    /* A local output that does not exist has nothing to recover (and taking its lock would
     * create it). */
    lake_rc rc = cli_check_input_dir("", output, &err);
    if (!rc)
        rc = lake_store_open_ex(output, &so, &out, &err);
    if (!rc)
        rc = lake_output_recover(out, wait_s, &err);
    lake_store_close(out);
    if (rc) {
        fprintf(stderr, "lake recover: %s\n", err.msg[0] ? err.msg : lake_strerror(rc));
        return 1;
    }
    printf("lake recover: %s is whole\n", output);
    return 0;
}
