/* Commands of the lake CLI. Each takes argc/argv after the command name and returns the
 * process exit code (0 success, 1 failure, 2 usage error). */
#ifndef LAKE_CLI_H
#define LAKE_CLI_H

#include <stdbool.h>
#include <stdint.h>

int cli_run(int argc, char **argv);
int cli_gen(int argc, char **argv);

/* "lake version 0.1.0 (build <hash>)": the Parquet created_by parquet-java can parse. */
const char *cli_created_by(void);
const char *cli_build_hash(void);

/* Parses a non-negative integer option value; prints a usage error and returns false otherwise. */
bool cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t *out);

/* Prints "lake CMD: MSG" and a hint to stderr; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
