/* lake ddl's statements: the job's tables (lake_table_schema) as SQL that registers them where
 * lake run wrote them, for Athena (Glue), Spark (Hive metastore) or DuckDB. cmd_ddl.c parses the
 * options; this module turns the location into each dialect's form and renders the statements. */
#ifndef LAKE_CLI_DDL_H
#define LAKE_CLI_DDL_H

#include "lake/common.h"

#include <stdbool.h>

typedef enum { DDL_ATHENA, DDL_SPARK, DDL_DUCKDB } ddl_dialect;

/* The dialect called name ("athena", "spark" or "duckdb"); false for any other name. */
bool ddl_dialect_parse(const char *name, ddl_dialect *out);

/* The output root `location` (a local path, or s3:// / s3a://bucket/prefix) as dialect d reads
 * it, without a trailing '/': s3:// stays s3://; s3a:// becomes s3:// for Athena and DuckDB and
 * stays s3a:// for Spark (the Hadoop connector the user chose); a local path is made absolute,
 * as file:///path for Spark. Returns a new string, or NULL with *why set to a static reason when
 * d cannot read the location (Athena reads only S3) or it holds a character the statements
 * cannot carry (quote, backslash, control characters; for DuckDB also glob characters). */
char *ddl_location(ddl_dialect d, const char *location, const char **why);

/* Appends to out the statements for every table under root (a ddl_location result): for Athena
 * and Spark CREATE EXTERNAL TABLE ... STORED AS PARQUET LOCATION, and MSCK REPAIR TABLE for each
 * partitioned table; for DuckDB one view per table over read_parquet with hive partitioning. */
void ddl_render(ddl_dialect d, const char *root, lake_buf *out);

#endif
