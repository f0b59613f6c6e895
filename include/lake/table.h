/* Typed column vectors: the in-memory form of a table between transform and Parquet.
 *
 * A column holds one value slot per row and a validity byte per row (1 = value, 0 = null).
 * String values are (pointer, length) views; the bytes belong to an arena that the owner of the
 * column keeps alive at least as long as the column. */
#ifndef LAKE_TABLE_H
#define LAKE_TABLE_H

#include "lake/common.h"

#include <stdbool.h>

typedef enum {
    LAKE_T_INT32,
    LAKE_T_INT64,
    LAKE_T_DOUBLE,
    LAKE_T_STRING,      /* BYTE_ARRAY annotated STRING (UTF-8) */
    LAKE_T_TIMESTAMP_US /* INT64 TIMESTAMP(isAdjustedToUTC=true, MICROS) */
} lake_type;

typedef struct {
    const char *ptr;
    uint32_t len;
} lake_str;

typedef struct {
    const char *name; /* not owned: usually a string literal */
    lake_type type;
    size_t len; /* number of rows */
    size_t cap;
    uint8_t *valid; /* valid[i] == 1 when row i has a value */
    union {
        int32_t *i32;
        int64_t *i64; /* INT64 and TIMESTAMP_US */
        double *f64;
        lake_str *str;
        void *raw;
    } v;
} lake_col;

void lake_col_init(lake_col *c, const char *name, lake_type type);
void lake_col_free(lake_col *c);  /* accepts a zeroed column */
void lake_col_clear(lake_col *c); /* keeps capacity, sets len to 0 */
void lake_col_reserve(lake_col *c, size_t extra);
void lake_col_push_null(lake_col *c);
void lake_col_push_i32(lake_col *c, int32_t x);
void lake_col_push_i64(lake_col *c, int64_t x); /* also for TIMESTAMP_US */
void lake_col_push_f64(lake_col *c, double x);
/* The bytes at p must outlive the column (copy them into an arena first). */
void lake_col_push_str(lake_col *c, const char *p, uint32_t len);
/* Appends row `row` of src (same type) to dst. */
void lake_col_push_from(lake_col *dst, const lake_col *src, size_t row);
/* Size in bytes of one value slot of this type. */
size_t lake_type_width(lake_type t);
const char *lake_type_name(lake_type t);

/* Three-way comparison of row a and row b of c; nulls sort first. Strings compare as unsigned
 * bytes, doubles by numeric value (NaN last). */
int lake_col_cmp(const lake_col *c, size_t a, size_t b);

#endif
