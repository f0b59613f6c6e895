/* Optional scalar values (a value or null) and the column operations on them: what a record's
 * field becomes after type checks, and how it goes into a typed column. Owns nothing; uses
 * lake/table.h only. */
#ifndef LAKE_OPT_H
#define LAKE_OPT_H

#include "lake/table.h"

#include <stdbool.h>

typedef struct {
    double v;
    bool ok; /* false: null */
} lake_opt_f64;

typedef struct {
    int64_t v;
    bool ok; /* false: null */
} lake_opt_i64;

/* Appends s to c, or a null when s.ptr is NULL (the bytes must outlive the column). */
void lake_col_push_opt_str(lake_col *c, lake_str s);
/* Appends x's value to c, or a null. */
void lake_col_push_opt_f64(lake_col *c, lake_opt_f64 x);
void lake_col_push_opt_i64(lake_col *c, lake_opt_i64 x);

/* Three-way comparisons with nulls first: strings as unsigned bytes, then by length. */
int lake_str_cmp(lake_str a, lake_str b);
int lake_opt_i64_cmp(lake_opt_i64 a, lake_opt_i64 b);

#endif
