/* Thrift compact protocol type codes, shared by the writer's encoder (write/writer_thrift.h) and
 * the reader's decoder (read/reader_thrift.h). Only the wire format lives here, so neither side
 * depends on the other: the two use the same numbers and nothing else.
 *
 * Owns: the type code values. Uses: nothing. */
#ifndef LAKE_PQ_THRIFT_COMPACT_H
#define LAKE_PQ_THRIFT_COMPACT_H

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
    PQ_TC_STRUCT = 12,
    PQ_TC_UUID = 13 /* read and skipped; Parquet never writes it */
};

#endif
