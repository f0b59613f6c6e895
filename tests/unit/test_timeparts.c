#include "base/civil.h"
#include "unit.h"

static int64_t us_of(int y, int m, int d, int h) {
    return (lake_days_from_civil(y, m, d) * 86400 + (int64_t)h * 3600) * 1000000;
}

static void expect(int y, int m, int d, int week, int weekday) {
    lake_time_parts p;
    lake_time_parts_from_us(us_of(y, m, d, 13), &p);
    CHECK_EQ_INT(p.year, y);
    CHECK_EQ_INT(p.month, m);
    CHECK_EQ_INT(p.day, d);
    CHECK_EQ_INT(p.hour, 13);
    CHECK_EQ_INT(p.week, week);
    CHECK_EQ_INT(p.weekday, weekday);
}

UNIT_TEST(timeparts_iso_week_year_boundaries) {
    expect(2018, 12, 31, 1, 2);  /* Monday: ISO week 1 of 2019 */
    expect(2021, 1, 3, 53, 1);   /* Sunday: week 53 of 2020 */
    expect(2020, 12, 31, 53, 5); /* Thursday */
    expect(2019, 1, 1, 1, 3);
    expect(2016, 1, 1, 53, 6); /* Friday: week 53 of 2015 */
    expect(2018, 11, 12, 46, 2);
    expect(1970, 1, 1, 1, 5);
    expect(2000, 2, 29, 9, 3);
}

UNIT_TEST(timeparts_sparkify_ts) {
    lake_time_parts p;
    lake_time_parts_from_us(1541990258796LL * 1000, &p); /* 2018-11-12T02:37:38.796Z */
    CHECK_EQ_INT(p.year, 2018);
    CHECK_EQ_INT(p.month, 11);
    CHECK_EQ_INT(p.day, 12);
    CHECK_EQ_INT(p.hour, 2);
    CHECK_EQ_INT(p.weekday, 2);
    CHECK_EQ_INT(p.week, 46);
}

UNIT_TEST(timeparts_before_epoch) {
    lake_time_parts p;
    lake_time_parts_from_us(-1, &p); /* 1969-12-31T23:59:59.999999Z, a Wednesday */
    CHECK_EQ_INT(p.year, 1969);
    CHECK_EQ_INT(p.month, 12);
    CHECK_EQ_INT(p.day, 31);
    CHECK_EQ_INT(p.hour, 23);
    CHECK_EQ_INT(p.weekday, 4);
    CHECK_EQ_INT(p.week, 1);
}
