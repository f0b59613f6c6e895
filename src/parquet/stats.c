/* Column chunk statistics (see stats.h). */
#include "parquet/stats.h"

#include <math.h>
#include <string.h>

void pq_stats_init(pq_stats *s, lake_type type) {
    memset(s, 0, sizeof *s);
    s->type = type;
}

void pq_stats_null(pq_stats *s) {
    s->null_count++;
}

static int str_less(lake_str a, lake_str b) {
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    return c < 0 || (c == 0 && a.len < b.len);
}

static void add_int(pq_stats *s, int64_t x) {
    if (!s->has_minmax || x < s->min.i)
        s->min.i = x;
    if (!s->has_minmax || x > s->max.i)
        s->max.i = x;
    s->has_minmax = 1;
}

static void add_double(pq_stats *s, double x) {
    if (isnan(x)) {
        s->nan_count++;
        return;
    }
    if (!s->has_minmax || x < s->min.f)
        s->min.f = x;
    if (!s->has_minmax || x > s->max.f)
        s->max.f = x;
    s->has_minmax = 1;
}

static void add_str(pq_stats *s, lake_str x) {
    if (!s->has_minmax || str_less(x, s->min.s))
        s->min.s = x;
    if (!s->has_minmax || str_less(s->max.s, x))
        s->max.s = x;
    s->has_minmax = 1;
}

void pq_stats_add(pq_stats *s, const lake_col *c, size_t row) {
    switch (c->type) {
    case LAKE_T_INT32:
        add_int(s, c->v.i32[row]);
        break;
    case LAKE_T_INT64:
    case LAKE_T_TIMESTAMP_US:
        add_int(s, c->v.i64[row]);
        break;
    case LAKE_T_DOUBLE:
        add_double(s, c->v.f64[row]);
        break;
    case LAKE_T_STRING:
        add_str(s, c->v.str[row]);
        break;
    }
}

static void put_le(uint8_t *dst, uint64_t v, int n) {
    for (int b = 0; b < n; b++)
        dst[b] = (uint8_t)(v >> (8 * b));
}

/* PLAIN encoding of a bound, without a length prefix for strings. */
static size_t encode_bound(const pq_stats *s, int is_max, uint8_t buf[8], const void **p) {
    *p = buf;
    switch (s->type) {
    case LAKE_T_INT32:
        put_le(buf, (uint64_t)(is_max ? s->max.i : s->min.i), 4);
        return 4;
    case LAKE_T_INT64:
    case LAKE_T_TIMESTAMP_US:
        put_le(buf, (uint64_t)(is_max ? s->max.i : s->min.i), 8);
        return 8;
    case LAKE_T_DOUBLE: {
        double d = is_max ? s->max.f : s->min.f;
        if (d == 0.0)
            d = is_max ? 0.0 : -0.0; /* a zero bound must cover both zeros */
        uint64_t bits;
        memcpy(&bits, &d, 8);
        put_le(buf, bits, 8);
        return 8;
    }
    case LAKE_T_STRING:
        *p = is_max ? s->max.s.ptr : s->min.s.ptr;
        return is_max ? s->max.s.len : s->min.s.len;
    }
    return 0;
}

static int bounds_writable(const pq_stats *s) {
    if (!s->has_minmax)
        return 0;
    if (s->type == LAKE_T_STRING)
        return s->min.s.len <= PQ_STATS_MAX_STR && s->max.s.len <= PQ_STATS_MAX_STR;
    return 1;
}

/* Legacy min/max (fields 1, 2) were defined with signed comparison, which agrees with the real
 * order for numbers but not for strings, so strings get only min_value/max_value. */
void pq_stats_write(const pq_stats *s, pq_tc *w, int16_t id) {
    uint8_t minb[8], maxb[8];
    const void *minp = NULL, *maxp = NULL;
    size_t minn = 0, maxn = 0;
    int bounds = bounds_writable(s);
    if (bounds) {
        minn = encode_bound(s, 0, minb, &minp);
        maxn = encode_bound(s, 1, maxb, &maxp);
    }
    pq_tc_field_struct(w, id);
    if (bounds && s->type != LAKE_T_STRING) {
        pq_tc_field_binary(w, 1, maxp, maxn);
        pq_tc_field_binary(w, 2, minp, minn);
    }
    pq_tc_field_i64(w, 3, s->null_count);
    if (bounds) {
        pq_tc_field_binary(w, 5, maxp, maxn);
        pq_tc_field_binary(w, 6, minp, minn);
        pq_tc_field_bool(w, 7, 1);
        pq_tc_field_bool(w, 8, 1);
    }
    if (s->type == LAKE_T_DOUBLE)
        pq_tc_field_i64(w, 9, s->nan_count);
    pq_tc_struct_end(w);
}
