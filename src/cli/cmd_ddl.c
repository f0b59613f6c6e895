/* lake ddl: the statements that register lake run's five tables in a catalog (Athena / Glue,
 * Spark / Hive metastore) or as DuckDB views. The columns come from the job's table definitions
 * (lake_table_schema), the same ones lake run writes. */
#include "cli/cli.h"
#include "cli/ddl.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static const char ddl_usage[] =
    "usage: lake ddl --output LOCATION [--dialect athena|spark|duckdb]\n"
    "\n"
    "Prints the SQL that registers the songs, artists, users, time and songplays tables that\n"
    "lake run wrote under LOCATION (a local directory or s3://bucket/prefix), with the column\n"
    "types of the table contract (docs/spec.md). Nothing is read from LOCATION.\n"
    "\n"
    "  athena   CREATE EXTERNAL TABLE ... PARTITIONED BY (...) STORED AS PARQUET LOCATION\n"
    "           's3://...' for Athena and the Glue catalog, and MSCK REPAIR TABLE for each\n"
    "           partitioned table, which registers the partitions there are (run it again\n"
    "           after a run that adds partitions). Athena reads only S3: a local LOCATION is\n"
    "           refused.\n"
    "  spark    the same statements for Spark SQL with a Hive metastore; a local LOCATION\n"
    "           becomes file:///absolute/path, s3a:// is kept.\n"
    "  duckdb   (default) one view per table over read_parquet('LOCATION/TABLE/**/*.parquet',\n"
    "           hive_partitioning = true) with the partition columns' types; a local LOCATION\n"
    "           is made absolute. For s3:// DuckDB needs its httpfs extension and credentials\n"
    "           (CREATE SECRET (TYPE s3, PROVIDER credential_chain)).\n"
    "\n"
    "  -o, --output LOCATION      the --output lake run wrote to\n"
    "  -d, --dialect NAME         athena, spark or duckdb (default duckdb)\n"
    "  -h, --help                 show this help\n";

static const struct option ddl_options[] = {{"output", required_argument, NULL, 'o'},
                                            {"dialect", required_argument, NULL, 'd'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};

/* Returns 0 with the options set, -1 after --help, 2 after a usage error. */
static int parse_ddl(int argc, char **argv, const char **output, ddl_dialect *d) {
    int c;
    optind = 1;
    while ((c = cli_getopt("ddl", argc, argv, "o:d:h", ddl_options)) != -1) {
        if (c == CLI_GETOPT_ERROR)
            return 2;
        if (c == 'h') {
            fputs(ddl_usage, stdout);
            return -1;
        }
        if (c == 'o')
            *output = optarg;
        else if (!ddl_dialect_parse(optarg, d))
            return cli_usage_error("ddl", "--dialect is athena, spark or duckdb, not '%s'", optarg);
    }
    if (optind < argc)
        return cli_usage_error("ddl", "unexpected argument '%s'", argv[optind]);
    if (!*output)
        return cli_usage_error("ddl", "--output LOCATION is required");
    return 0;
}

int cli_ddl(int argc, char **argv) {
    const char *output = NULL, *why = NULL;
    ddl_dialect d = DDL_DUCKDB;
    int prc = parse_ddl(argc, argv, &output, &d);
    if (prc)
        return prc < 0 ? 0 : prc;
    char *root = ddl_location(d, output, &why);
    if (!root)
        return cli_usage_error("ddl", "%s: %s", output, why);
    lake_buf sql;
    lake_buf_init(&sql);
    ddl_render(d, root, &sql);
    fwrite(sql.data, 1, sql.len, stdout);
    lake_buf_free(&sql);
    free(root);
    return 0;
}
