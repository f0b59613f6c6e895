/** @file
 * Parquet footer reader: decodes and validates a file's FileMetaData (and, on request, the page
 * headers of its column chunks) for `lake inspect`. Knows nothing of stores or of the Sparkify
 * tables; it works on the bytes of a whole file.
 *
 * Every input is untrusted: a truncated file, a wrong footer length, a flipped byte give
 * LAKE_ERR_PARSE with a one-line message that names the byte offset and what was expected, never
 * a crash. What other writers do that the format allows is read: fields a reader does not know
 * or that come with another wire type than their definition's are skipped (as Thrift's own
 * readers skip them), index_page_offset (which nothing uses) is not judged, and a chunk without
 * values may have no data page (data_page_offset 0). What lake cannot read is LAKE_ERR_UNSUPPORTED
 * with a message that names it: encrypted files ("encrypted Parquet is not supported", for an
 * encrypted footer, magic PARE, and for a plaintext footer of an encrypted file alike), a
 * required field of another wire type, column data in another file. */
#ifndef LAKE_PQREAD_H
#define LAKE_PQREAD_H

#include "lake/common.h"

#include <stdbool.h>

/** Enum values as parquet.thrift defines them. */
enum {
    PQ_TYPE_BOOLEAN = 0,
    PQ_TYPE_INT32 = 1,
    PQ_TYPE_INT64 = 2,
    PQ_TYPE_INT96 = 3,
    PQ_TYPE_FLOAT = 4,
    PQ_TYPE_DOUBLE = 5,
    PQ_TYPE_BYTE_ARRAY = 6,
    PQ_TYPE_FIXED_LEN_BYTE_ARRAY = 7
};

/** LogicalType union members (the value is the union's field id). */
typedef enum {
    PQ_LT_NONE = 0,
    PQ_LT_STRING = 1,
    PQ_LT_MAP = 2,
    PQ_LT_LIST = 3,
    PQ_LT_ENUM = 4,
    PQ_LT_DECIMAL = 5,
    PQ_LT_DATE = 6,
    PQ_LT_TIME = 7,
    PQ_LT_TIMESTAMP = 8,
    PQ_LT_INTEGER = 10,
    PQ_LT_UNKNOWN = 11, /**< "NullType" */
    PQ_LT_JSON = 12,
    PQ_LT_BSON = 13,
    PQ_LT_UUID = 14,
    PQ_LT_FLOAT16 = 15,
    PQ_LT_VARIANT = 16,
    PQ_LT_GEOMETRY = 17,
    PQ_LT_GEOGRAPHY = 18,
    PQ_LT_VECTOR = 19,
    PQ_LT_OTHER = 1000 /**< a member this reader does not know (field id in `other_id`) */
} pq_logical_kind;

/** TimeUnit of TIME and TIMESTAMP logical types (pq_logical.unit). */
enum { PQ_UNIT_NONE = 0, PQ_UNIT_MILLIS = 1, PQ_UNIT_MICROS = 2, PQ_UNIT_NANOS = 3 };

/** A column's LogicalType: its kind and the parameters of that kind. */
typedef struct {
    pq_logical_kind kind; /**< which member of the union */
    int other_id;         /**< PQ_LT_OTHER: the union field id */
    int unit;             /**< TIME, TIMESTAMP: PQ_UNIT_* */
    bool adjusted_to_utc; /**< TIME, TIMESTAMP */
    int bit_width;        /**< INTEGER */
    bool is_signed;       /**< INTEGER */
    int32_t scale;        /**< DECIMAL */
    int32_t precision;    /**< DECIMAL */
} pq_logical;

/** A string or binary copied out of the file: NUL-terminated, len excludes the NUL (a Parquet
 * string may contain NUL bytes, so use len). ptr == NULL when the field is absent. */
typedef struct {
    const char *ptr; /**< the bytes and a NUL, or NULL when absent */
    size_t len;      /**< bytes, the NUL excluded */
} pq_str;

/** One SchemaElement of the schema tree (depth-first, as in the footer), and what validating
 * the tree derived from it. */
typedef struct {
    pq_str name;            /**< the element's name */
    int32_t type;           /**< PQ_TYPE_*, -1 for a group */
    int32_t type_length;    /**< -1 when absent */
    int32_t repetition;     /**< 0 REQUIRED, 1 OPTIONAL, 2 REPEATED, 3 VECTOR; -1 (root) absent */
    int32_t num_children;   /**< -1 for a leaf */
    int32_t converted_type; /**< ConvertedType, -1 when absent */
    /** @{ */
    int32_t scale, precision, field_id; /**< -1 when absent (field_id: has_field_id) */
    /** @} */
    bool has_field_id;  /**< field_id is present */
    pq_logical logical; /**< LogicalType (kind PQ_LT_NONE when absent) */
    /** @{ */
    /** Derived while validating the tree: the maximum definition and repetition levels. */
    int max_def, max_rep;
    /** @} */
    int32_t leaf_index; /**< column index among the leaves, -1 for groups */
    pq_str path;        /**< dotted path from below the root ("a.b.c") */
} pq_schema_elem;

/** A column chunk's Statistics (parquet.thrift's fields of the same names). */
typedef struct {
    /** @{ */
    pq_str min, max; /**< legacy fields (signed order), ptr NULL when absent */
    /** @} */
    /** @{ */
    pq_str min_value, max_value; /**< in the column order's order, ptr NULL when absent */
    /** @} */
    /** @{ */
    int64_t null_count, distinct_count, nan_count; /**< -1 when absent */
    /** @} */
    /** @{ */
    int8_t min_exact, max_exact; /**< is_min_value_exact, is_max_value_exact: -1 absent, 0 false,
                                      1 true */
    /** @} */
    bool present; /**< the chunk has a Statistics structure at all */
} pq_stats;

/** A PageEncodingStats entry: how many pages of a type use an encoding. */
typedef struct {
    /** @{ */
    int32_t page_type, encoding, count; /**< parquet.thrift's fields of the same names */
    /** @} */
} pq_enc_stat;

/** A KeyValue metadata entry. */
typedef struct {
    /** @{ */
    pq_str key, value; /**< value.ptr NULL when absent */
    /** @} */
} pq_kv;

/** A ColumnChunk with its ColumnMetaData. Fields are parquet.thrift's of the same names (arrays
 * come with their lengths, n...); offsets are absolute file offsets. */
typedef struct {
    pq_str file_path;    /**< ptr NULL unless the data lives in another file */
    int64_t file_offset; /**< ColumnChunk.file_offset (deprecated in the format, kept as read) */
    /** @{ */
    /** ColumnMetaData's field of the same name (or an array's length). */
    int32_t type;
    int32_t *encodings;
    size_t nencodings;
    pq_str *path;
    size_t npath;
    int32_t codec;
    int64_t num_values, total_uncompressed_size, total_compressed_size;
    int64_t data_page_offset;
    /** @} */
    /** @{ */
    int64_t index_page_offset, dictionary_page_offset; /**< -1 when absent */
    /** @} */
    pq_stats stats; /**< ColumnMetaData.statistics */
    /** @{ */
    pq_enc_stat *enc_stats; /**< ColumnMetaData.encoding_stats, nenc_stats of them */
    size_t nenc_stats;
    /** @} */
    /** @{ */
    pq_kv *kv; /**< ColumnMetaData.key_value_metadata, nkv of them */
    size_t nkv;
    /** @} */
    int64_t bloom_filter_offset; /**< -1 when absent */
    int32_t bloom_filter_length; /**< -1 when absent */
    /** @{ */
    /** ColumnChunk: page index locations, -1 when absent */
    int64_t offset_index_offset, column_index_offset;
    int32_t offset_index_length, column_index_length;
    /** @} */
} pq_column_chunk;

/** A RowGroup (parquet.thrift's fields of the same names). */
typedef struct {
    pq_column_chunk *columns; /**< one per leaf column, ncolumns of them */
    size_t ncolumns;          /**< the length of columns */
    /** @{ */
    int64_t total_byte_size, num_rows; /**< parquet.thrift's fields of the same names */
    /** @} */
    /** @{ */
    int64_t file_offset, total_compressed_size; /**< -1 when absent */
    /** @} */
    int32_t ordinal;         /**< -1 when absent */
    size_t nsorting_columns; /**< entries of sorting_columns (their contents are not kept) */
} pq_row_group;

/** A file's decoded FileMetaData and where it lies in the file. */
typedef struct {
    int32_t version;        /**< FileMetaData.version */
    pq_schema_elem *schema; /**< schema[0] is the root */
    size_t nschema;         /**< elements in schema */
    size_t nleaves;         /**< leaf columns */
    size_t *leaves;         /**< leaves[i]: index into schema of column i */
    int64_t num_rows;       /**< FileMetaData.num_rows */
    /** @{ */
    pq_row_group *row_groups; /**< the row groups, nrow_groups of them */
    size_t nrow_groups;
    /** @} */
    /** @{ */
    pq_kv *kv; /**< key_value_metadata, nkv entries */
    size_t nkv;
    /** @} */
    pq_str created_by; /**< FileMetaData.created_by (ptr NULL when absent) */
    /** @{ */
    int32_t *column_orders; /**< ColumnOrder member ids (1 TYPE_ORDER, ...), ncolumn_orders */
    size_t ncolumn_orders;
    /** @} */
    uint64_t file_size;     /**< bytes of the whole file */
    uint64_t footer_offset; /**< file offset of FileMetaData */
    uint32_t footer_len;    /**< bytes of FileMetaData (the length before the final magic) */
    lake_arena *arena;      /**< owns everything above */
} pq_file_meta;

/** Decodes and validates the footer of the Parquet file file[0..len): magic at both ends, footer
 * length within the file, every structure well-formed, schema tree consistent with num_children,
 * column chunks matching the leaves, offsets and sizes inside the file, statistics of the size
 * their type demands. On success *out owns a pq_file_meta (free with pq_file_meta_free) that does
 * not point into file. On failure *out is NULL and err holds a one-line message (without the
 * file's name: callers prefix it). */
lake_rc pq_read_footer(const uint8_t *file, size_t len, pq_file_meta **out, lake_error *err);
/** Frees m and everything it holds; accepts NULL. */
void pq_file_meta_free(pq_file_meta *m);

/** What the page headers of one column chunk say. */
typedef struct {
    uint32_t pages;         /**< all pages */
    uint32_t data_pages;    /**< v1 and v2 */
    uint32_t data_pages_v2; /**< DATA_PAGE_V2 pages */
    uint32_t crc_pages;     /**< pages with a CRC, every one verified */
    int64_t values;         /**< sum of the data pages' num_values */
    bool has_dictionary;    /**< the chunk starts with a dictionary page */
    int32_t dict_entries;   /**< the dictionary page's num_values */
    /** @{ */
    int64_t dict_compressed_size, dict_uncompressed_size; /**< page sizes, header excluded */
    /** @} */
    int64_t dict_header_size; /**< bytes of the dictionary page's header */
} pq_chunk_scan;

/** Walks the page headers of column chunk cc (from its dictionary or first data page over
 * total_compressed_size bytes) and checks that they tile the chunk exactly, that their values add
 * up to num_values, that a dictionary page comes first, and every CRC present. */
lake_rc pq_scan_chunk(const uint8_t *file, size_t len, const pq_column_chunk *cc,
                      pq_chunk_scan *out, lake_error *err);

/** A statistics value decoded for display. */
typedef enum {
    PQ_VAL_BYTES,     /**< bytes (p, n): not valid UTF-8, or an undecodable size */
    PQ_VAL_STRING,    /**< valid UTF-8 text (p, n) */
    PQ_VAL_BOOL,      /**< i */
    PQ_VAL_INT,       /**< i */
    PQ_VAL_UINT,      /**< u */
    PQ_VAL_DOUBLE,    /**< d (FLOAT too; may be NaN or infinite) */
    PQ_VAL_TIMESTAMP, /**< text: ISO-8601 UTC ("2018-11-01T21:01:46.796000Z"), i: raw value */
    PQ_VAL_DATE,      /**< text: "2018-11-01", i: days since 1970-01-01 */
    PQ_VAL_TIME,      /**< text: "21:01:46.796", i: raw value */
    PQ_VAL_DECIMAL,   /**< text: "-12.34" */
    PQ_VAL_UUID       /**< text: "xxxxxxxx-xxxx-..." */
} pq_val_kind;

/** A decoded statistics value: kind says which of the other fields hold it. */
typedef struct {
    pq_val_kind kind; /**< what the value is */
    int64_t i;        /**< signed integers, booleans, raw temporal values */
    uint64_t u;       /**< unsigned integers */
    double d;         /**< DOUBLE and FLOAT */
    const uint8_t *p; /**< bytes and strings: the bytes given to pq_value_decode, n of them */
    size_t n;         /**< the length of p */
    bool has_raw;     /**< TIMESTAMP with a raw value in i (false for INT96 beyond int64 range) */
    char text[72];    /**< formatted dates, times, timestamps, decimals and UUIDs */
} pq_value;

/** Decodes a PLAIN statistics value (byte arrays without a length prefix) of leaf column `leaf`
 * according to its physical and logical type. Never fails: a value of the wrong size comes back
 * as PQ_VAL_BYTES. */
void pq_value_decode(const pq_schema_elem *leaf, const uint8_t *p, size_t n, pq_value *out);

/** True when p[0..n) is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
 */
bool pq_utf8_valid(const void *p, size_t n);

/** @{ */
/** Names as parquet.thrift spells them: of a physical type, codec, encoding, repetition,
 * converted type or page type ("INT64", "SNAPPY", "RLE_DICTIONARY", "OPTIONAL",
 * "TIMESTAMP_MICROS", "DATA_PAGE"); unknown values give "UNKNOWN". */
const char *pq_type_name(int32_t t);
const char *pq_codec_name(int32_t c);
const char *pq_encoding_name(int32_t e);
const char *pq_repetition_name(int32_t r);
const char *pq_converted_type_name(int32_t c);
const char *pq_page_type_name(int32_t t);
/** @} */
/** Writes the logical type as "STRING", "TIMESTAMP(isAdjustedToUTC=true, unit=MICROS)",
 * "INTEGER(bitWidth=8, isSigned=true)", "DECIMAL(precision=9, scale=2)" ... into buf; "" for
 * none. Returns buf. */
const char *pq_logical_format(const pq_logical *lt, char *buf, size_t size);

#endif
