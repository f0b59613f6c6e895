/* Rendering of lake ddl's statements from the job's table definitions. Identifiers are always
 * quoted: `time` and `user` are reserved words in Athena's DDL. */
#include "cli/ddl.h"
#include "lake/sparkify.h"

#include <string.h>

bool ddl_dialect_parse(const char *name, ddl_dialect *out) {
    static const char *const names[] = {"athena", "spark", "duckdb"};
    for (int d = DDL_ATHENA; d <= DDL_DUCKDB; d++)
        if (!strcmp(name, names[d])) {
            *out = (ddl_dialect)d;
            return true;
        }
    return false;
}

/* Hive's types, which Athena and Spark share. */
static const char *hive_type(lake_type t) {
    switch (t) {
    case LAKE_T_INT32:
        return "INT";
    case LAKE_T_INT64:
        return "BIGINT";
    case LAKE_T_DOUBLE:
        return "DOUBLE";
    case LAKE_T_TIMESTAMP_US:
        return "TIMESTAMP";
    default:
        return "STRING";
    }
}

/* DuckDB's type of a partition column (columns in the files carry their own types). */
static const char *duckdb_type(lake_type t) {
    switch (t) {
    case LAKE_T_INT32:
        return "INTEGER";
    case LAKE_T_INT64:
        return "BIGINT";
    case LAKE_T_DOUBLE:
        return "DOUBLE";
    case LAKE_T_TIMESTAMP_US:
        return "TIMESTAMPTZ";
    default:
        return "VARCHAR";
    }
}

static bool is_partition(const lake_table_def *t, size_t col) {
    for (size_t p = 0; p < t->npart; p++)
        if ((size_t)t->part_cols[p] == col)
            return true;
    return false;
}

/* "  `name` TYPE" lines, comma-separated: the columns in the files, or the partition columns in
 * directory order (Hive needs them in that order). */
static void hive_columns(const lake_table_def *t, bool partitions, lake_buf *out) {
    const char *sep = "";
    size_t n = partitions ? t->npart : t->ncols;
    for (size_t i = 0; i < n; i++) {
        size_t c = partitions ? (size_t)t->part_cols[i] : i;
        if (!partitions && is_partition(t, c))
            continue;
        lake_buf_printf(out, "%s  `%s` %s", sep, t->cols[c].name, hive_type(t->cols[c].type));
        sep = ",\n";
    }
    lake_buf_puts(out, "\n");
}

static void hive_table(const lake_table_def *t, const char *root, lake_buf *out) {
    lake_buf_printf(out, "CREATE EXTERNAL TABLE IF NOT EXISTS `%s` (\n", t->name);
    hive_columns(t, false, out);
    lake_buf_puts(out, ")\n");
    if (t->npart) {
        lake_buf_puts(out, "PARTITIONED BY (\n");
        hive_columns(t, true, out);
        lake_buf_puts(out, ")\n");
    }
    lake_buf_printf(out, "STORED AS PARQUET\nLOCATION '%s/%s/';\n\n", root, t->name);
    if (t->npart)
        lake_buf_printf(out, "MSCK REPAIR TABLE `%s`;\n\n", t->name);
}

/* SELECT and every column in the contract's order, lines wrapped before 100 characters. */
static void duckdb_select(const lake_table_def *t, lake_buf *out) {
    size_t width = strlen("SELECT ");
    lake_buf_puts(out, "SELECT ");
    for (size_t c = 0; c < t->ncols; c++) {
        size_t w = strlen(t->cols[c].name) + 4; /* quotes, comma, space */
        if (c && width + w > 100) {
            lake_buf_puts(out, ",\n       ");
            width = strlen("SELECT ");
        } else if (c) {
            lake_buf_puts(out, ", ");
        }
        lake_buf_printf(out, "\"%s\"", t->cols[c].name);
        width += w;
    }
}

static void duckdb_view(const lake_table_def *t, const char *root, lake_buf *out) {
    lake_buf_printf(out, "CREATE OR REPLACE VIEW \"%s\" AS\n", t->name);
    duckdb_select(t, out);
    lake_buf_printf(out, "\nFROM read_parquet('%s/%s/**/*.parquet', hive_partitioning = %s", root,
                    t->name, t->npart ? "true" : "false");
    if (t->npart) {
        lake_buf_puts(out, ",\n                  hive_types = {");
        for (size_t p = 0; p < t->npart; p++) {
            const lake_column_def *c = &t->cols[t->part_cols[p]];
            lake_buf_printf(out, "%s'%s': %s", p ? ", " : "", c->name, duckdb_type(c->type));
        }
        lake_buf_puts(out, "}");
    }
    lake_buf_puts(out, ");\n\n");
}

void ddl_render(ddl_dialect d, const char *root, lake_buf *out) {
    for (int i = 0; i < LAKE_TABLE_COUNT; i++) {
        const lake_table_def *t = lake_table_schema(i);
        if (d == DDL_DUCKDB)
            duckdb_view(t, root, out);
        else
            hive_table(t, root, out);
    }
    lake_buf_resize(out, out->len - 1); /* the blank line after the last statement */
}
