/* pq_options: defaults, the check pq_write_stream applies, and the parsers of their textual forms
 * (codec and timestamp names, sizes such as "128m") that a CLI uses. */
#include "lake/parquet.h"

#include "lake/codec.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void pq_options_default(pq_options *o) {
    memset(o, 0, sizeof *o);
    o->codec = LAKE_CODEC_SNAPPY;
    o->level = 0;
    o->created_by = NULL;
    o->row_group_bytes = PQ_DEFAULT_ROW_GROUP_BYTES;
    o->page_bytes = PQ_DEFAULT_PAGE_BYTES;
    o->page_rows = PQ_DEFAULT_PAGE_ROWS;
    o->timestamp_type = PQ_TS_MICROS;
    o->dictionary = true;
    o->delta = true;
    o->page_index = true;
    o->page_crc = true;
    o->spark_metadata = PQ_SPARK_AUTO;
    o->spill_bytes = PQ_DEFAULT_SPILL_BYTES;
}

static const struct {
    const char *name;
    lake_codec codec;
} codec_names[] = {
    {"snappy", LAKE_CODEC_SNAPPY}, {"none", LAKE_CODEC_NONE}, {"uncompressed", LAKE_CODEC_NONE},
    {"gzip", LAKE_CODEC_GZIP},     {"zstd", LAKE_CODEC_ZSTD}, {"lz4_raw", LAKE_CODEC_LZ4_RAW},
};

lake_rc pq_codec_parse(const char *name, lake_codec *out, lake_error *err) {
    for (size_t i = 0; name && i < sizeof codec_names / sizeof codec_names[0]; i++) {
        if (strcasecmp(name, codec_names[i].name) == 0) {
            *out = codec_names[i].codec;
            return LAKE_OK;
        }
    }
    return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                          "unknown codec '%s' (expected snappy, none, uncompressed, gzip, zstd or "
                          "lz4_raw)",
                          name ? name : "");
}

lake_rc pq_parse_timestamp_type(const char *name, pq_ts_type *out, lake_error *err) {
    static const struct {
        const char *name;
        pq_ts_type t;
    } names[] = {{"micros", PQ_TS_MICROS}, {"millis", PQ_TS_MILLIS}, {"int96", PQ_TS_INT96}};
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].t;
            return LAKE_OK;
        }
    }
    return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                          "unknown timestamp type '%s' (expected micros, millis or int96)",
                          name ? name : "");
}

lake_rc pq_parse_spark_mode(const char *name, pq_spark_mode *out, lake_error *err) {
    static const char *const names[] = {"never", "auto", "always"};
    for (int i = 0; name && i < 3; i++) {
        if (strcasecmp(name, names[i]) == 0) {
            *out = (pq_spark_mode)i;
            return LAKE_OK;
        }
    }
    return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                          "unknown --spark-metadata value '%s' (expected auto, always or never)",
                          name ? name : "");
}

lake_rc pq_parse_size(const char *text, int64_t min, int64_t max, int64_t *out, lake_error *err) {
    static const struct {
        const char *suffix;
        int shift;
    } units[] = {{"", 0},    {"b", 0},    {"k", 10}, {"kb", 10}, {"kib", 10}, {"m", 20},
                 {"mb", 20}, {"mib", 20}, {"g", 30}, {"gb", 30}, {"gib", 30}};
    const char *p = text ? text : "";
    char *end = NULL;
    if (!isdigit((unsigned char)*p))
        goto bad;
    errno = 0;
    unsigned long long v = strtoull(p, &end, 10);
    if (errno)
        goto bad;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(end, units[i].suffix) != 0)
            continue;
        if (v > (unsigned long long)INT64_MAX >> units[i].shift)
            goto bad;
        int64_t n = (int64_t)(v << units[i].shift);
        if (n < min || n > max)
            return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                                  "size '%s' is outside %lld..%lld bytes", p, (long long)min,
                                  (long long)max);
        *out = n;
        return LAKE_OK;
    }
bad:
    return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                          "bad size '%s' (expected bytes, optionally with k, m or g, e.g. 128m)",
                          p);
}

const char *pq_codec_file_tag(lake_codec c) {
    switch (c) {
    case LAKE_CODEC_SNAPPY:
        return "snappy";
    case LAKE_CODEC_GZIP:
        return "gz";
    case LAKE_CODEC_ZSTD:
        return "zstd";
    case LAKE_CODEC_LZ4_RAW:
        return "lz4raw";
    case LAKE_CODEC_NONE:
        break;
    }
    return NULL;
}

lake_rc pq_options_check(const pq_options *opt, lake_error *err) {
    if ((unsigned)opt->codec > LAKE_CODEC_LZ4_RAW)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "parquet: unknown codec %d",
                              (int)opt->codec);
    if ((unsigned)opt->timestamp_type > PQ_TS_INT96)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "parquet: unknown timestamp type %d",
                              (int)opt->timestamp_type);
    if (opt->row_group_bytes < 0 || opt->page_bytes > INT32_MAX || opt->page_rows > INT32_MAX)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "parquet: row group or page size out of range");
    lake_rc rc = lake_codec_check_level(opt->codec, opt->level, err);
    if (rc)
        return lake_error_prefix(err, "parquet: ");
    return LAKE_OK;
}
