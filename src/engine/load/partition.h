/* Hive-style partition directory names with Spark's escaping. */
#ifndef LAKE_PARTITION_H
#define LAKE_PARTITION_H

#include "lake/common.h"

#include <stdbool.h>

#define LAKE_HIVE_DEFAULT_PARTITION "__HIVE_DEFAULT_PARTITION__"

/* Appends "name=value/" to out, escaping value as Spark's escapePathName does: bytes 0x00-0x1F,
 * '"', '#', '%', '\'', '*', '/', ':', '=', '?', '\\', 0x7F, '{', '[', ']', '^' become %XX
 * (upper-case hex). A NULL or empty value becomes __HIVE_DEFAULT_PARTITION__. */
void lake_partition_append(lake_buf *out, const char *name, const char *value, size_t len);

#endif
