/** @file
 * Typed column vectors: the in-memory form of a table between transform and Parquet.
 *
 * A column holds one value slot per row and a validity byte per row (1 = value, 0 = null).
 * String values are (pointer, length) views; the bytes belong to an arena that the owner of the
 * column keeps alive at least as long as the column. */
#ifndef LAKE_TABLE_H
#define LAKE_TABLE_H

#include "lake/common.h"

#include <stdbool.h>

/** The type of a column's values, and of the Parquet column it becomes. */
typedef enum {
    LAKE_T_INT32,       /**< INT32 */
    LAKE_T_INT64,       /**< INT64 */
    LAKE_T_DOUBLE,      /**< DOUBLE */
    LAKE_T_STRING,      /**< BYTE_ARRAY annotated STRING (UTF-8) */
    LAKE_T_TIMESTAMP_US /**< INT64 TIMESTAMP(isAdjustedToUTC=true, MICROS) */
} lake_type;

/** A string value: a view of bytes owned elsewhere (not NUL-terminated). */
typedef struct {
    const char *ptr; /**< the first byte */
    uint32_t len;    /**< bytes */
} lake_str;

/** A typed column: one value slot and one validity byte per row. */
typedef struct {
    const char *name; /**< not owned: usually a string literal */
    lake_type type;   /**< the type of every value */
    size_t len;       /**< number of rows */
    size_t cap;       /**< rows allocated */
    uint8_t *valid;   /**< valid[i] == 1 when row i has a value */
    /** The values, by type (a null row's slot is zero). */
    union {
        int32_t *i32;  /**< LAKE_T_INT32 */
        int64_t *i64;  /**< INT64 and TIMESTAMP_US */
        double *f64;   /**< LAKE_T_DOUBLE */
        lake_str *str; /**< LAKE_T_STRING */
        void *raw;     /**< any of them, untyped */
    } v;
} lake_col;

/** Makes c an empty column called name (not copied) of the given type; allocates nothing. */
void lake_col_init(lake_col *c, const char *name, lake_type type);
/** Frees c's vectors; accepts a zeroed column. */
void lake_col_free(lake_col *c);
/** Empties c, keeping its capacity. */
void lake_col_clear(lake_col *c);
/** Makes room for extra more rows. */
void lake_col_reserve(lake_col *c, size_t extra);
/** @{ */
/** Appends one row: a null, or a value of the column's type (lake_col_push_i64 also for
 * LAKE_T_TIMESTAMP_US, in microseconds). The column grows as needed. */
void lake_col_push_null(lake_col *c);
void lake_col_push_i32(lake_col *c, int32_t x);
void lake_col_push_i64(lake_col *c, int64_t x);
void lake_col_push_f64(lake_col *c, double x);
/** @} */
/** Appends a string row viewing p[0..len): the bytes must outlive the column (copy them into an
 * arena first). */
void lake_col_push_str(lake_col *c, const char *p, uint32_t len);
/** Appends row `row` of src (same type) to dst. */
void lake_col_push_from(lake_col *dst, const lake_col *src, size_t row);
/** Size in bytes of one value slot of this type. */
size_t lake_type_width(lake_type t);
/** The type's name: "int32", "int64", "double", "string" or "timestamp". */
const char *lake_type_name(lake_type t);

/** Three-way comparison of row a and row b of c; nulls sort first. Strings compare as unsigned
 * bytes, doubles by numeric value (NaN last). */
int lake_col_cmp(const lake_col *c, size_t a, size_t b);

#endif
