/* Optional values into columns, and their comparisons (see opt.h). */
#include "table/opt.h"

#include <string.h>

void lake_col_push_opt_str(lake_col *c, lake_str s) {
    if (s.ptr)
        lake_col_push_str(c, s.ptr, s.len);
    else
        lake_col_push_null(c);
}

void lake_col_push_opt_f64(lake_col *c, lake_opt_f64 x) {
    if (x.ok)
        lake_col_push_f64(c, x.v);
    else
        lake_col_push_null(c);
}

void lake_col_push_opt_i64(lake_col *c, lake_opt_i64 x) {
    if (x.ok)
        lake_col_push_i64(c, x.v);
    else
        lake_col_push_null(c);
}

int lake_str_cmp(lake_str a, lake_str b) {
    if (!a.ptr || !b.ptr)
        return (a.ptr != NULL) - (b.ptr != NULL);
    uint32_t n = a.len < b.len ? a.len : b.len;
    int r = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (r)
        return r;
    return a.len < b.len ? -1 : a.len > b.len;
}

int lake_opt_i64_cmp(lake_opt_i64 a, lake_opt_i64 b) {
    if (a.ok != b.ok)
        return a.ok ? 1 : -1;
    return a.v < b.v ? -1 : a.v > b.v;
}
