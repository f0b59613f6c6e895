/* Spark-compatible escaping of partition values: what Spark writes, lake writes, so Spark,
 * Athena and DuckDB decode the same value. */
#include "engine/load/partition.h"

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
