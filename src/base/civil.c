/* Civil-date arithmetic on day numbers (era-based, valid for the whole int64 day range we use):
 * the one place lake converts between dates and day numbers. */
#include "base/civil.h"

int64_t lake_floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t lake_days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = lake_floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void lake_civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
    z += 719468;
    int64_t era = lake_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* ISO week: the week belongs to the year of its Thursday. */
static int iso_week(int64_t days) {
    /* Day 0 (1970-01-01) is a Thursday, so Mondays are the days with (days + 3) % 7 == 0. */
    int64_t thursday = lake_floor_div(days + 3, 7) * 7;
    int64_t y;
    int m, d;
    lake_civil_from_days(thursday, &y, &m, &d);
    return (int)((thursday - lake_days_from_civil(y, 1, 1)) / 7 + 1);
}

void lake_time_parts_from_us(int64_t us, lake_time_parts *out) {
    int64_t secs = lake_floor_div(us, 1000000);
    int64_t days = lake_floor_div(secs, 86400);
    int64_t y;
    int m, d;
    lake_civil_from_days(days, &y, &m, &d);
    out->year = (int32_t)y;
    out->month = m;
    out->day = d;
    out->hour = (int32_t)((secs - days * 86400) / 3600);
    /* 1970-01-01 was a Thursday: (days + 4) mod 7 is 0 on Sundays. */
    out->weekday = (int32_t)(days + 4 - lake_floor_div(days + 4, 7) * 7) + 1;
    out->week = iso_week(days);
}
