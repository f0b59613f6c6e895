/* Commands of the lake CLI. Each takes argc/argv after the command name and returns the
 * process exit code (0 success, 1 failure, 2 usage error). */
#ifndef LAKE_CLI_H
#define LAKE_CLI_H

#include "lake/parquet.h"
#include "lake/store.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

int cli_run(int argc, char **argv);
int cli_gen(int argc, char **argv);
int cli_prefixes(int argc, char **argv); /* cmd_prefixes.c */

/* "lake version 0.1.0 (build <hash>)": the Parquet created_by parquet-java can parse. */
const char *cli_created_by(void);
const char *cli_build_hash(void);

/* Parses a non-negative integer option value; prints a usage error and returns false otherwise. */
bool cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t *out);

/* getopt_long for every command, with lake's usage errors instead of getopt's messages: returns
 * the option's code, -1 after the last option, or CLI_GETOPT_ERROR after printing one usage error
 * that names the flag ("--input needs a value", "--input is empty: it needs a value", "unknown
 * option '--inptu'"). shortopts as getopt's, without a leading ':'. No lake option takes an empty
 * value, nor another option's name as its value ("--input --output x"). */
#define CLI_GETOPT_ERROR (-2)
int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts);

/* Parses an integer option value that fits an int (negative too); prints a usage error naming
 * opt and returns false otherwise. */
bool cli_parse_int(const char *cmd, const char *opt, const char *text, int *out);

/* Locations (locations.c). True when location is a local path, not a URL (s3://...). */
bool cli_is_local(const char *location);
/* Each returns LAKE_OK when the location is fit, else an error with err saying "FLAG LOC:
 * reason" ("LOC: reason" when flag is "", for a positional argument) (a failure, not a usage error:
 * the command line was well-formed). URLs always pass: their store's first request tells. Input:
 * loc is an existing directory ("no such directory" otherwise). Output: loc is a directory or can
 * be made one, its nearest existing ancestor accepting a new directory (asked by making and
 * removing a hidden one, see locations.c). Output file: the directory of path exists and accepts
 * new files. */
lake_rc cli_check_input_dir(const char *flag, const char *loc, lake_error *err);
lake_rc cli_check_output_dir(const char *flag, const char *loc, lake_error *err);
lake_rc cli_check_output_file(const char *flag, const char *path, lake_error *err);

/* Prints "lake CMD: MSG" and a hint to stderr; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Store options every location-taking command accepts: add CLI_STORE_LONGOPTS to the command's
 * getopt_long table and "v" to its short options, and pass unknown codes to cli_store_option. */
enum {
    CLI_OPT_ENDPOINT = 1000,
    CLI_OPT_MAX_CONCURRENCY,
    CLI_OPT_MAX_ATTEMPTS,
    CLI_OPT_NO_SIGN,
    CLI_OPT_REQUEST_TIMEOUT
};
#define CLI_STORE_LONGOPTS                                                                         \
    {"endpoint-url", required_argument, NULL, CLI_OPT_ENDPOINT},                                   \
        {"max-concurrency", required_argument, NULL, CLI_OPT_MAX_CONCURRENCY},                     \
        {"max-attempts", required_argument, NULL, CLI_OPT_MAX_ATTEMPTS},                           \
        {"request-timeout", required_argument, NULL, CLI_OPT_REQUEST_TIMEOUT},                     \
        {"no-sign-request", no_argument, NULL, CLI_OPT_NO_SIGN}, {                                 \
        "verbose", no_argument, NULL, 'v'                                                          \
    }
extern const char cli_store_usage[];

/* Write options for commands that write objects to S3 (S3DistCp's names): add
 * CLI_STORE_WRITE_LONGOPTS next to CLI_STORE_LONGOPTS and print cli_store_write_usage; codes go to
 * cli_store_option like the others. */
enum { CLI_OPT_STORAGE_CLASS = 1050, CLI_OPT_SSE, CLI_OPT_PART_SIZE };
#define CLI_STORE_WRITE_LONGOPTS                                                                   \
    {"storageClass", required_argument, NULL, CLI_OPT_STORAGE_CLASS},                              \
        {"s3ServerSideEncryption", no_argument, NULL, CLI_OPT_SSE}, {                              \
        "multipartUploadChunkSize", required_argument, NULL, CLI_OPT_PART_SIZE                     \
    }
extern const char cli_store_write_usage[];

/* Parquet writer options, the same way: CLI_PQ_LONGOPTS plus "c:" in the short options. */
enum {
    CLI_OPT_LEVEL = 1100,
    CLI_OPT_ROW_GROUP,
    CLI_OPT_PAGE_SIZE,
    CLI_OPT_MAX_ROWS,
    CLI_OPT_TS_TYPE,
    CLI_OPT_NO_DICT,
    CLI_OPT_NO_DELTA,
    CLI_OPT_NO_INDEX,
    CLI_OPT_NO_CRC,
    CLI_OPT_NO_SPARK,
    CLI_OPT_SPARK
};
#define CLI_PQ_LONGOPTS                                                                            \
    {"compression", required_argument, NULL, 'c'},                                                 \
        {"compression-level", required_argument, NULL, CLI_OPT_LEVEL},                             \
        {"row-group-size", required_argument, NULL, CLI_OPT_ROW_GROUP},                            \
        {"page-size", required_argument, NULL, CLI_OPT_PAGE_SIZE},                                 \
        {"max-rows-per-file", required_argument, NULL, CLI_OPT_MAX_ROWS},                          \
        {"timestamp-type", required_argument, NULL, CLI_OPT_TS_TYPE},                              \
        {"no-dictionary", no_argument, NULL, CLI_OPT_NO_DICT},                                     \
        {"no-delta", no_argument, NULL, CLI_OPT_NO_DELTA},                                         \
        {"no-page-index", no_argument, NULL, CLI_OPT_NO_INDEX},                                    \
        {"no-page-crc", no_argument, NULL, CLI_OPT_NO_CRC},                                        \
        {"no-spark-metadata", no_argument, NULL, CLI_OPT_NO_SPARK}, {                              \
        "spark-metadata", required_argument, NULL, CLI_OPT_SPARK                                   \
    }
extern const char cli_pq_usage[];
/* Applies Parquet option c to o (and --max-rows-per-file to *max_rows); returns 0 when applied,
 * 2 after a usage error, -1 if c is not a Parquet option. */
int cli_pq_option(const char *cmd, int c, const char *arg, pq_options *o, uint64_t *max_rows);
/* Checks the Parquet options as a whole (the compression level against the codec, named by its
 * flag); returns 0, or 2 after a usage error. */
int cli_pq_check(const char *cmd, const pq_options *o);
/* Applies store option c; returns 0 when applied, 2 after a usage error, -1 if c is not a store
 * option. */
int cli_store_option(const char *cmd, int c, const char *arg, lake_store_options *o);

#endif
