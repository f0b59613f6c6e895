/* Civil dates: day numbers since 1970-01-01 and back, and the calendar parts of a UTC timestamp, as
 * Spark's hour/dayofmonth/weekofyear/month/year/dayofweek compute them. */
#ifndef LAKE_CIVIL_H
#define LAKE_CIVIL_H

#include <stdint.h>

typedef struct {
    int32_t year, month, day, hour;
    int32_t week;    /* ISO-8601 week number, 1..53 */
    int32_t weekday; /* 1 = Sunday ... 7 = Saturday */
} lake_time_parts;

/* Splits microseconds since the epoch (UTC) into calendar parts (proleptic Gregorian). */
void lake_time_parts_from_us(int64_t us, lake_time_parts *out);

/* a / b rounded toward minus infinity (day numbers of instants before 1970). */
int64_t lake_floor_div(int64_t a, int64_t b);

/* Days since 1970-01-01 of a civil date. */
int64_t lake_days_from_civil(int64_t y, int m, int d);

/* The civil date (proleptic Gregorian) of a day number since 1970-01-01. */
void lake_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

#endif
