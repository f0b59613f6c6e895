/* Parquet writer options of `lake run` (and of any later command that writes Parquet). */
#include "cli/cli.h"
#include "lake/codec.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

const char cli_pq_usage[] =
    "Parquet options:\n"
    "  -c, --compression CODEC    snappy (default), zstd, gzip, lz4_raw or none\n"
    "      --compression-level N  codec level: zstd up to 22 (negative levels are its fast\n"
    "                             modes), gzip 1..9; snappy, lz4_raw and none take none\n"
    "                             (default: the codec's own, zstd 3 and gzip 6)\n"
    "      --row-group-size SIZE  row group size, e.g. 128m (default 128 MiB)\n"
    "      --page-size SIZE       data page size, e.g. 1m (default 1 MiB)\n"
    "      --max-rows-per-file N  split a partition's rows over files of at most N rows\n"
    "      --timestamp-type T     micros (default), millis or int96 (old Hive/Presto readers)\n"
    "      --no-dictionary        never dictionary-encode\n"
    "      --no-delta             never use DELTA_BINARY_PACKED (readers before Spark 3.3)\n"
    "      --no-page-index        no ColumnIndex/OffsetIndex (page statistics in headers)\n"
    "      --no-page-crc          no CRC32 in page headers\n"
    "      --spark-metadata WHEN  Spark's schema JSON in the footer: auto (default: where it adds\n"
    "                             at most 5 % to the file's column data), always or never\n"
    "      --no-spark-metadata    same as --spark-metadata never\n";

static int size_option(const char *cmd, const char *opt, const char *arg, int64_t min, int64_t max,
                       int64_t *out) {
    lake_error err = {0};
    if (pq_parse_size(arg, min, max, out, &err))
        return cli_usage_error(cmd, "%s: %s", opt, err.msg);
    return 0;
}

static int value_option(const char *cmd, int c, const char *arg, pq_options *o,
                        uint64_t *max_rows) {
    lake_error err = {0};
    int64_t v;
    uint64_t n;
    switch (c) {
    case 'c':
        return pq_codec_parse(arg, &o->codec, &err) ? cli_usage_error(cmd, "%s", err.msg) : 0;
    case CLI_OPT_LEVEL:
        /* The range depends on the codec, which may come later: cli_pq_check checks it. */
        return cli_parse_int(cmd, "--compression-level", arg, &o->level) ? 0 : 2;
    case CLI_OPT_ROW_GROUP:
        if (size_option(cmd, "--row-group-size", arg, 1 << 20, INT64_MAX, &v))
            return 2;
        o->row_group_bytes = v;
        return 0;
    case CLI_OPT_PAGE_SIZE:
        if (size_option(cmd, "--page-size", arg, 1024, INT32_MAX, &v))
            return 2;
        o->page_bytes = (size_t)v;
        return 0;
    case CLI_OPT_MAX_ROWS:
        if (!cli_parse_u64(cmd, "--max-rows-per-file", arg, &n))
            return 2;
        *max_rows = n;
        return 0;
    case CLI_OPT_SPARK:
        return pq_parse_spark_mode(arg, &o->spark_metadata, &err)
                   ? cli_usage_error(cmd, "%s", err.msg)
                   : 0;
    case CLI_OPT_TS_TYPE:
        return pq_parse_timestamp_type(arg, &o->timestamp_type, &err)
                   ? cli_usage_error(cmd, "%s", err.msg)
                   : 0;
    default:
        return -1;
    }
}

int cli_pq_check(const char *cmd, const pq_options *o) {
    lake_error err = {0};
    if (lake_codec_check_level(o->codec, o->level, &err))
        return cli_usage_error(cmd, "--compression-level: %s", err.msg);
    if (pq_options_check(o, &err))
        return cli_usage_error(cmd, "%s", err.msg);
    return 0;
}

int cli_pq_option(const char *cmd, int c, const char *arg, pq_options *o, uint64_t *max_rows) {
    switch (c) {
    case CLI_OPT_NO_DICT:
        o->dictionary = false;
        return 0;
    case CLI_OPT_NO_DELTA:
        o->delta = false;
        return 0;
    case CLI_OPT_NO_INDEX:
        o->page_index = false;
        return 0;
    case CLI_OPT_NO_CRC:
        o->page_crc = false;
        return 0;
    case CLI_OPT_NO_SPARK:
        o->spark_metadata = PQ_SPARK_NEVER;
        return 0;
    default:
        return value_option(cmd, c, arg, o, max_rows);
    }
}
