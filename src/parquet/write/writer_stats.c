/* Statistics (see writer_stats.h). */
#include "parquet/write/writer_stats.h"

#include <math.h>
#include <string.h>

void pq_stats_init(pq_stats *s, pq_phys phys) {
    memset(s, 0, sizeof *s);
    s->phys = phys;
}

void pq_stats_null(pq_stats *s) {
    s->null_count++;
}

static int str_cmp(const void *a, size_t alen, const void *b, size_t blen) {
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return alen < blen ? -1 : alen > blen;
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
    if (!s->has_minmax || str_cmp(x.ptr, x.len, s->min.s.ptr, s->min.s.len) < 0)
        s->min.s = x;
    if (!s->has_minmax || str_cmp(s->max.s.ptr, s->max.s.len, x.ptr, x.len) < 0)
        s->max.s = x;
    s->has_minmax = 1;
}

void pq_stats_add(pq_stats *s, const uint8_t *v, uint32_t len) {
    s->values++;
    switch (s->phys) {
    case PQ_PHYS_INT32: {
        int32_t x;
        memcpy(&x, v, 4);
        add_int(s, x);
        break;
    }
    case PQ_PHYS_INT64: {
        int64_t x;
        memcpy(&x, v, 8);
        add_int(s, x);
        break;
    }
    case PQ_PHYS_DOUBLE: {
        double x;
        memcpy(&x, v, 8);
        add_double(s, x);
        break;
    }
    case PQ_PHYS_BYTE_ARRAY:
        add_str(s, (lake_str){(const char *)v, len});
        break;
    case PQ_PHYS_INT96:
        break;
    }
}

void pq_stats_merge(pq_stats *dst, const pq_stats *src) {
    dst->null_count += src->null_count;
    dst->nan_count += src->nan_count;
    dst->values += src->values;
    if (!src->has_minmax)
        return;
    switch (dst->phys) {
    case PQ_PHYS_INT32:
    case PQ_PHYS_INT64:
        add_int(dst, src->min.i);
        add_int(dst, src->max.i);
        break;
    case PQ_PHYS_DOUBLE:
        add_double(dst, src->min.f);
        add_double(dst, src->max.f);
        break;
    case PQ_PHYS_BYTE_ARRAY:
        add_str(dst, src->min.s);
        add_str(dst, src->max.s);
        break;
    case PQ_PHYS_INT96:
        break;
    }
}

static int64_t get_le(const uint8_t *p, size_t n) {
    uint64_t v = 0;
    for (size_t b = 0; b < n; b++)
        v |= (uint64_t)p[b] << (8 * b);
    if (n == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

int pq_stats_cmp_bound(pq_phys phys, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
    switch (phys) {
    case PQ_PHYS_INT32:
    case PQ_PHYS_INT64: {
        int64_t x = get_le(a, alen), y = get_le(b, blen);
        return x < y ? -1 : x > y;
    }
    case PQ_PHYS_DOUBLE: {
        double x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return x < y ? -1 : x > y;
    }
    case PQ_PHYS_BYTE_ARRAY:
    case PQ_PHYS_INT96:
        break;
    }
    return str_cmp(a, alen, b, blen);
}

static void put_le(lake_buf *out, uint64_t v, int n) {
    for (int b = 0; b < n; b++)
        lake_buf_putc(out, (uint8_t)(v >> (8 * b)));
}

size_t pq_stats_bound(const pq_stats *s, int is_max, lake_buf *out) {
    switch (s->phys) {
    case PQ_PHYS_INT32:
        put_le(out, (uint64_t)(is_max ? s->max.i : s->min.i), 4);
        return 4;
    case PQ_PHYS_INT64:
        put_le(out, (uint64_t)(is_max ? s->max.i : s->min.i), 8);
        return 8;
    case PQ_PHYS_DOUBLE: {
        double d = is_max ? s->max.f : s->min.f;
        if (d == 0.0)
            d = is_max ? 0.0 : -0.0; /* a zero bound must cover both zeros */
        uint64_t bits;
        memcpy(&bits, &d, 8);
        put_le(out, bits, 8);
        return 8;
    }
    case PQ_PHYS_BYTE_ARRAY: {
        const lake_str *x = is_max ? &s->max.s : &s->min.s;
        lake_buf_append(out, x->ptr, x->len);
        return x->len;
    }
    case PQ_PHYS_INT96:
        break;
    }
    return 0;
}

static int bounds_writable(const pq_stats *s) {
    if (!s->has_minmax)
        return 0;
    if (s->phys == PQ_PHYS_BYTE_ARRAY)
        return s->min.s.len <= PQ_STATS_MAX_STR && s->max.s.len <= PQ_STATS_MAX_STR;
    return 1;
}

/* Legacy min/max (fields 1, 2) were defined with signed comparison, which agrees with the real
 * order for numbers but not for strings, so strings get only min_value/max_value. */
/* Room for a number's bound (at most 8 bytes) as a lake_buf that never grows. */
#define BOUND_ROOM (16 + LAKE_BUF_PADDING)

/* The bytes of a bound without copying: strings point at the value, numbers are encoded into
 * room (a bound of a one-row file's chunk is written once per file, so no buffer is allocated). */
static const uint8_t *bound_bytes(const pq_stats *s, int is_max, uint8_t room[BOUND_ROOM],
                                  size_t *n) {
    if (s->phys == PQ_PHYS_BYTE_ARRAY) {
        const lake_str *x = is_max ? &s->max.s : &s->min.s;
        *n = x->len;
        return x->len ? (const uint8_t *)x->ptr : room;
    }
    lake_buf b = {room, 0, BOUND_ROOM};
    *n = pq_stats_bound(s, is_max, &b);
    return room;
}

void pq_stats_write(const pq_stats *s, pq_tc *w, int16_t id) {
    int bounds = bounds_writable(s);
    uint8_t minb[BOUND_ROOM] = {0}, maxb[BOUND_ROOM] = {0};
    size_t minn = 0, maxn = 0;
    const uint8_t *minp = minb, *maxp = maxb;
    if (bounds) {
        minp = bound_bytes(s, 0, minb, &minn);
        maxp = bound_bytes(s, 1, maxb, &maxn);
    }
    pq_tc_field_struct(w, id);
    if (bounds && s->phys != PQ_PHYS_BYTE_ARRAY) {
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
    if (s->phys == PQ_PHYS_DOUBLE)
        pq_tc_field_i64(w, 9, s->nan_count);
    pq_tc_struct_end(w);
}
