/* Thrift compact protocol encoder, just enough for Parquet's page headers and footer.
 *
 * Usage: pq_tc_init() on a buffer, pq_tc_struct_begin() for the top-level struct, then fields in
 * ascending id order, nested structs with pq_tc_field_struct()/pq_tc_struct_end(), lists with
 * pq_tc_field_list() followed by exactly n pq_tc_elem_*() calls, and pq_tc_struct_end() last.
 * A union is a struct with exactly one field. Encoding never fails (the buffer grows). */
#ifndef LAKE_PQ_THRIFT_H
#define LAKE_PQ_THRIFT_H

#include "lake/common.h"

#include <stdbool.h>

/* Compact protocol type codes, as they appear in field headers and list headers. */
enum {
    PQ_TC_STOP = 0,
    PQ_TC_TRUE = 1, /* in a field header: bool true; in a list header: bool */
    PQ_TC_FALSE = 2,
    PQ_TC_BYTE = 3,
    PQ_TC_I16 = 4,
    PQ_TC_I32 = 5,
    PQ_TC_I64 = 6,
    PQ_TC_DOUBLE = 7,
    PQ_TC_BINARY = 8,
    PQ_TC_LIST = 9,
    PQ_TC_SET = 10,
    PQ_TC_MAP = 11,
    PQ_TC_STRUCT = 12
};

/* Parquet's structures nest at most 5 deep; the margin is for future fields. */
#define PQ_TC_MAX_DEPTH 16

typedef struct {
    lake_buf *out;
    int depth;                     /* number of open structs */
    int16_t last[PQ_TC_MAX_DEPTH]; /* last field id written in each open struct */
} pq_tc;

void pq_tc_init(pq_tc *w, lake_buf *out);

/* Low-level pieces, public for tests: unsigned LEB128 varint and zigzag mapping. */
void pq_tc_varint(lake_buf *out, uint64_t v);
uint64_t pq_tc_zigzag(int64_t v);

/* Opens the top-level struct (or a struct that is a list element). */
void pq_tc_struct_begin(pq_tc *w);
/* Writes the stop byte of the innermost open struct and closes it. */
void pq_tc_struct_end(pq_tc *w);

void pq_tc_field_bool(pq_tc *w, int16_t id, bool v);
void pq_tc_field_i16(pq_tc *w, int16_t id, int16_t v);
void pq_tc_field_i32(pq_tc *w, int16_t id, int32_t v); /* also for enums */
void pq_tc_field_i64(pq_tc *w, int16_t id, int64_t v);
void pq_tc_field_binary(pq_tc *w, int16_t id, const void *p, size_t n);
void pq_tc_field_string(pq_tc *w, int16_t id, const char *s);
/* Writes a struct-valued field's header and opens the struct. */
void pq_tc_field_struct(pq_tc *w, int16_t id);
/* Writes a field holding an empty struct (Parquet's marker structs such as StringType). */
void pq_tc_field_empty_struct(pq_tc *w, int16_t id);
/* Writes a list field's header; the caller then writes exactly n elements of elem_type. */
void pq_tc_field_list(pq_tc *w, int16_t id, uint8_t elem_type, size_t n);

/* A bool list element: one byte, 1 for true and 2 for false, as the Java and C++ Thrift
 * libraries write them (readers take anything but 1 as false). */
void pq_tc_elem_bool(pq_tc *w, bool v);
void pq_tc_elem_i32(pq_tc *w, int32_t v);
void pq_tc_elem_i64(pq_tc *w, int64_t v);
void pq_tc_elem_binary(pq_tc *w, const void *p, size_t n);
void pq_tc_elem_string(pq_tc *w, const char *s);

#endif
