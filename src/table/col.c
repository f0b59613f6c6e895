/* Typed column vectors with a validity byte per row. */
#include "lake/table.h"

#include <stdlib.h>
#include <string.h>

size_t lake_type_width(lake_type t) {
    switch (t) {
    case LAKE_T_INT32:
        return sizeof(int32_t);
    case LAKE_T_INT64:
    case LAKE_T_TIMESTAMP_US:
        return sizeof(int64_t);
    case LAKE_T_DOUBLE:
        return sizeof(double);
    case LAKE_T_STRING:
        return sizeof(lake_str);
    }
    return 8;
}

const char *lake_type_name(lake_type t) {
    switch (t) {
    case LAKE_T_INT32:
        return "int32";
    case LAKE_T_INT64:
        return "int64";
    case LAKE_T_DOUBLE:
        return "double";
    case LAKE_T_STRING:
        return "string";
    case LAKE_T_TIMESTAMP_US:
        return "timestamp";
    }
    return "?";
}

void lake_col_init(lake_col *c, const char *name, lake_type type) {
    memset(c, 0, sizeof *c);
    c->name = name;
    c->type = type;
}

void lake_col_free(lake_col *c) {
    free(c->valid);
    free(c->v.raw);
    c->valid = NULL;
    c->v.raw = NULL;
    c->len = c->cap = 0;
}

void lake_col_clear(lake_col *c) {
    c->len = 0;
}

void lake_col_reserve(lake_col *c, size_t extra) {
    if (c->len + extra <= c->cap)
        return;
    size_t cap = c->cap ? c->cap : 64;
    while (cap < c->len + extra)
        cap *= 2;
    c->valid = lake_xrealloc(c->valid, cap);
    c->v.raw = lake_xrealloc(c->v.raw, cap * lake_type_width(c->type));
    c->cap = cap;
}

static size_t slot(lake_col *c, uint8_t valid) {
    if (c->len == c->cap)
        lake_col_reserve(c, 1);
    c->valid[c->len] = valid;
    return c->len++;
}

void lake_col_push_null(lake_col *c) {
    size_t i = slot(c, 0);
    memset((char *)c->v.raw + i * lake_type_width(c->type), 0, lake_type_width(c->type));
}

/* slot() may move the value array, so the index is taken before the array is read. */
void lake_col_push_i32(lake_col *c, int32_t x) {
    size_t i = slot(c, 1);
    c->v.i32[i] = x;
}

void lake_col_push_i64(lake_col *c, int64_t x) {
    size_t i = slot(c, 1);
    c->v.i64[i] = x;
}

void lake_col_push_f64(lake_col *c, double x) {
    size_t i = slot(c, 1);
    c->v.f64[i] = x;
}

void lake_col_push_str(lake_col *c, const char *p, uint32_t len) {
    size_t i = slot(c, 1);
    c->v.str[i].ptr = p;
    c->v.str[i].len = len;
}

void lake_col_push_from(lake_col *dst, const lake_col *src, size_t row) {
    size_t w = lake_type_width(src->type);
    size_t i = slot(dst, src->valid[row]);
    memcpy((char *)dst->v.raw + i * w, (const char *)src->v.raw + row * w, w);
}

static int cmp_str(lake_str a, lake_str b) {
    uint32_t n = a.len < b.len ? a.len : b.len;
    int r = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (r)
        return r < 0 ? -1 : 1;
    return a.len < b.len ? -1 : a.len > b.len;
}

static int cmp_f64(double a, double b) {
    if (a != a || b != b)
        return (a != a) - (b != b);
    return a < b ? -1 : a > b;
}

int lake_col_cmp(const lake_col *c, size_t a, size_t b) {
    if (!c->valid[a] || !c->valid[b])
        return (int)c->valid[a] - (int)c->valid[b];
    switch (c->type) {
    case LAKE_T_INT32:
        return c->v.i32[a] < c->v.i32[b] ? -1 : c->v.i32[a] > c->v.i32[b];
    case LAKE_T_INT64:
    case LAKE_T_TIMESTAMP_US:
        return c->v.i64[a] < c->v.i64[b] ? -1 : c->v.i64[a] > c->v.i64[b];
    case LAKE_T_DOUBLE:
        return cmp_f64(c->v.f64[a], c->v.f64[b]);
    case LAKE_T_STRING:
        return cmp_str(c->v.str[a], c->v.str[b]);
    }
    return 0;
}
