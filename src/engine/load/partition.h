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

/* The longest "name=value" directory name (escaped, without the '/'), in bytes: NAME_MAX of
 * Linux and macOS file systems. S3 keys have no such limit per component (only 1,024 bytes in
 * all), but a table must stay readable wherever it is copied (distcp to HDFS, a local sync), so
 * both stores keep to it. */
#define LAKE_PARTITION_NAME_MAX 255

/* Length in bytes of "name=value" with value escaped as lake_partition_append does (without the
 * '/'). */
size_t lake_partition_name_len(const char *name, const char *value, size_t len);

/* Whether value can be the partition directory of column name. Returns true, or false with a
 * one-line reason in why (why_size bytes) naming the column, the value's length, the directory
 * name's length and LAKE_PARTITION_NAME_MAX: a job calls it while it extracts a record, so a
 * value that cannot be written makes that record bad instead of failing the run. */
bool lake_partition_value_ok(const char *name, const char *value, size_t len, char *why,
                             size_t why_size);

#endif
