/* Bounds-checked Thrift compact protocol decoder for Parquet footers and page headers.
 *
 * Written for hostile input: every read checks the remaining bytes, varints longer than their
 * type allows are refused, nesting is limited to PQ_TD_MAX_DEPTH, a list may not announce more
 * elements than its remaining bytes could hold, and unknown fields (structs, lists, maps
 * included) are skipped. The first error is kept in the decoder (and in its lake_error) and
 * every later call fails fast, so callers may check once per struct.
 *
 * Usage: pq_td_init(); pq_td_struct_begin(); loop pq_td_field() (or pq_td_next_field(), or
 * pq_td_next_known()) until it reports PQ_TC_STOP, which also leaves the struct, reading each
 * field with pq_td_i32()/... or pq_td_skip() for fields the caller does not know. Error messages
 * name the absolute file offset ("truncated footer at byte 57: expected a list header").
 *
 * A known field that arrives with another wire type than its definition's is skipped, as the
 * code Thrift generates does (pq_td_next_known): writers have extended the format with their
 * own fields under ids the format later gave to others (Dremio's parquet-mr put a list at
 * ColumnMetaData 15, now bloom_filter_length, an i32). If the skipped field was required, the
 * file cannot be read, and pq_td_missing says it is unsupported rather than corrupt.
 *
 * Owns: the decoder state (pq_td). Uses: parquet/thrift_compact.h (type codes), lake/common.h. */
#ifndef LAKE_PQ_READER_THRIFT_H
#define LAKE_PQ_READER_THRIFT_H

#include "lake/common.h"
#include "parquet/thrift_compact.h"

#include <stdbool.h>

/* Parquet structures nest at most 6 deep (FileMetaData.row_groups.columns.meta_data.statistics);
 * lists add one level each. Anything deeper is corrupt, not a future format. */
#define PQ_TD_MAX_DEPTH 32

typedef struct {
    const uint8_t *start; /* first byte of the encoded data */
    const uint8_t *p;     /* cursor */
    const uint8_t *end;   /* one past the last readable byte */
    uint64_t file_off;    /* file offset of start, for messages */
    const char *what;     /* "footer" or "page header", for messages */
    const char *field;    /* the structure or field being read ("ColumnMetaData.codec"), or NULL */
    int depth;
    lake_rc rc; /* first error, LAKE_OK while healthy */
    lake_error *err;
} pq_td;

/* Prepares to decode len bytes at buf, which sit at file offset file_off. */
void pq_td_init(pq_td *d, const uint8_t *buf, size_t len, uint64_t file_off, const char *what,
                lake_error *err);

/* Records the first error with the current position: "corrupt footer at byte N: <fmt>". */
lake_rc pq_td_fail(pq_td *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, for running out of bytes: "truncated footer at byte N: expected <what>". */
lake_rc pq_td_truncated(pq_td *d, const char *expected);

/* Bytes consumed so far. */
static inline size_t pq_td_pos(const pq_td *d) {
    return (size_t)(d->p - d->start);
}

/* Per-struct state: the last field id, for delta-encoded field headers, and the fields
 * pq_td_next_known skipped for their wire type. */
typedef struct {
    int32_t last_id;
    uint64_t mistyped;     /* bit id set: field id (< 64) came with an unexpected wire type */
    int16_t mistyped_id;   /* the last such field */
    uint8_t mistyped_type; /* and the wire type it came with */
} pq_td_struct;

/* Enters a struct (depth-checked). */
lake_rc pq_td_struct_begin(pq_td *d, pq_td_struct *s);
/* Reads the next field header. At the stop byte sets *type = PQ_TC_STOP and leaves the struct.
 * For bool fields *type is PQ_TC_TRUE or PQ_TC_FALSE (the value lives in the header). */
lake_rc pq_td_field(pq_td *d, pq_td_struct *s, int16_t *id, uint8_t *type);
/* pq_td_field for a loop over a struct's fields, `while (pq_td_next_field(d, &s, "RowGroup",
 * &id, &t)) switch (id) {...}`: names the struct in messages (d->field = name), then reads the
 * next field header. Returns true for a field to read, false at the struct's end or on an error
 * (check d->rc after the loop). */
bool pq_td_next_field(pq_td *d, pq_td_struct *s, const char *name, int16_t *id, uint8_t *type);

/* pq_td_next_field that also checks wire types: want[id] (for id < nwant; 0 = any) is the
 * compact type field id's definition gives it (PQ_TC_TRUE for bool; any integer type fits an
 * integer field, whose value is range-checked when read; a set fits a list). A field of
 * another type is skipped and recorded in s, and the loop goes on to the next field. */
bool pq_td_next_known(pq_td *d, pq_td_struct *s, const char *name, const uint8_t *want,
                      size_t nwant, int16_t *id, uint8_t *type);
/* The error for required field `id` (named "ColumnMetaData.codec") missing from struct s once
 * it has been read: LAKE_ERR_UNSUPPORTED when the field came with another wire type (a format
 * extension lake cannot read, not damage), else LAKE_ERR_PARSE ("lacks required field"). */
lake_rc pq_td_missing(pq_td *d, const pq_td_struct *s, int16_t id, const char *name);

/* Value readers. `type` is the field type from pq_td_field or a list's element type; a value of
 * another type is an error (the caller names the field in a prefix). Integer readers accept any
 * narrower integer type and refuse values that do not fit. */
lake_rc pq_td_bool(pq_td *d, uint8_t type, bool in_list, bool *out);
lake_rc pq_td_i8(pq_td *d, uint8_t type, int8_t *out);
lake_rc pq_td_i16(pq_td *d, uint8_t type, int16_t *out);
lake_rc pq_td_i32(pq_td *d, uint8_t type, int32_t *out);
lake_rc pq_td_i64(pq_td *d, uint8_t type, int64_t *out);
lake_rc pq_td_double(pq_td *d, uint8_t type, double *out);
/* Points *p at the bytes inside the buffer (no copy). */
lake_rc pq_td_binary(pq_td *d, uint8_t type, const uint8_t **p, size_t *n);
/* Reads a list (or set) header; the caller then reads exactly *n elements of *elem_type. *n is
 * checked against the bytes left (each element takes at least one byte). */
lake_rc pq_td_list(pq_td *d, uint8_t type, uint8_t *elem_type, uint32_t *n);
/* Skips one value of any type, nested values included. */
lake_rc pq_td_skip(pq_td *d, uint8_t type);

/* Name of a compact type code for messages ("i32", "list", ...). */
const char *pq_td_type_name(uint8_t type);

#endif
