/* Spark-compatible escaping of partition values: what Spark writes, lake writes, so Spark,
 * Athena and DuckDB decode the same value. */
#include "engine/load/partition.h"

#include <stdio.h>
#include <string.h>

static bool needs_escape(unsigned char c) {
    return c < 0x20 || c == 0x7f || strchr("\"#%'*/:=?\\{[]^", c) != NULL;
}

void lake_partition_append(lake_buf *out, const char *name, const char *value, size_t len) {
    static const char hex[] = "0123456789ABCDEF";
    lake_buf_puts(out, name);
    lake_buf_putc(out, '=');
    if (!value || len == 0) {
        lake_buf_puts(out, LAKE_HIVE_DEFAULT_PARTITION);
    } else {
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)value[i];
            if (c && !needs_escape(c)) {
                lake_buf_putc(out, c);
                continue;
            }
            lake_buf_putc(out, '%');
            lake_buf_putc(out, (uint8_t)hex[c >> 4]);
            lake_buf_putc(out, (uint8_t)hex[c & 15]);
        }
    }
    lake_buf_putc(out, '/');
}

size_t lake_partition_name_len(const char *name, const char *value, size_t len) {
    size_t n = strlen(name) + 1;
    if (!value || len == 0)
        return n + strlen(LAKE_HIVE_DEFAULT_PARTITION);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        n += c && !needs_escape(c) ? 1 : 3;
    }
    return n;
}

bool lake_partition_value_ok(const char *name, const char *value, size_t len, char *why,
                             size_t why_size) {
    if (len + strlen(name) + 1 <= LAKE_PARTITION_NAME_MAX / 3)
        return true; /* short enough escaped or not: the common case costs no scan */
    size_t n = lake_partition_name_len(name, value, len);
    if (n <= LAKE_PARTITION_NAME_MAX)
        return true;
    snprintf(why, why_size,
             "field '%s': a value of %zu bytes cannot be a partition directory: '%s=...' would "
             "be %zu bytes escaped, over the limit of %d bytes per path component",
             name, len, name, n, LAKE_PARTITION_NAME_MAX);
    return false;
}
