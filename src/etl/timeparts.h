/* Calendar parts of a UTC timestamp, as Spark's hour/dayofmonth/weekofyear/month/year/dayofweek
 * compute them. */
#ifndef LAKE_TIMEPARTS_H
#define LAKE_TIMEPARTS_H

#include <stdint.h>

typedef struct {
    int32_t year, month, day, hour;
    int32_t week;    /* ISO-8601 week number, 1..53 */
    int32_t weekday; /* 1 = Sunday ... 7 = Saturday */
} lake_time_parts;

/* Splits microseconds since the epoch (UTC) into calendar parts (proleptic Gregorian). */
void lake_time_parts_from_us(int64_t us, lake_time_parts *out);

/* Days since 1970-01-01 of a civil date. */
int64_t lake_days_from_civil(int64_t y, int m, int d);

#endif
