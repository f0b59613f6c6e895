/* Column chunk encoder: turns a range of one column's rows into Parquet pages.
 *
 * A chunk is an optional dictionary page (PLAIN values) followed by data pages v1, each a page
 * header and the compressed body: definition levels (RLE hybrid with a 4-byte length), then the
 * values in RLE_DICTIONARY, PLAIN or DELTA_BINARY_PACKED. The encoding is chosen per chunk on its
 * first page (see pq_colenc); a dictionary that outgrows its page limit covers the rows before
 * that point and the rest of the chunk falls back to PLAIN. The encoder appends to any buffer
 * and reports offsets relative to where the chunk starts there.
 *
 * Uses the value encoders (writer_dict.h, writer_delta.h, writer_rle.h), writer_stats.h, the
 * page header encoder (writer_thrift.h) and the block codecs of lake/codec.h. */
#ifndef LAKE_PQ_WRITER_CHUNK_H
#define LAKE_PQ_WRITER_CHUNK_H

#include "lake/codec.h"
#include "lake/parquet.h"
#include "parquet/write/writer_dict.h"
#include "parquet/write/writer_stats.h"

#include <stdbool.h>

/* A dictionary page larger than this ends dictionary encoding for the rest of the chunk. */
#define PQ_DICT_MAX_BYTES ((size_t)1 << 20)
/* Column index bounds of byte arrays are truncated to about this many bytes, as parquet-java's
 * default column-index truncate length does. */
#define PQ_INDEX_TRUNCATE 64

/* Parquet Encoding values this writer uses (Encodings.md numbering). */
enum {
    PQ_ENC_PLAIN = 0,
    PQ_ENC_RLE = 3,
    PQ_ENC_DELTA_BINARY_PACKED = 5,
    PQ_ENC_RLE_DICTIONARY = 8
};

/* Parquet PageType values. */
enum { PQ_PAGE_DATA = 0, PQ_PAGE_DICTIONARY = 2 };

/* How one column is stored: the physical type, and for timestamps the unit conversion. */
typedef struct {
    const lake_col *col;
    pq_phys phys;
    pq_ts_type ts; /* only for LAKE_T_TIMESTAMP_US */
} pq_coldesc;

/* Fills d for column c under the given timestamp storage. */
void pq_coldesc_init(pq_coldesc *d, const lake_col *c, pq_ts_type ts);

/* Encoder settings derived from pq_options. */
typedef struct {
    lake_codec codec;
    int level;
    size_t page_bytes, page_rows;
    bool dictionary, delta, crc;
    bool header_stats; /* statistics in data page headers (when no page index is written) */
} pq_enc_opts;

/* Buffers shared by the columns of a file for the page being written out, so steady-state
 * encoding does not allocate. */
typedef struct {
    lake_buf page; /* uncompressed page body */
    lake_buf comp; /* compressed page body */
    lake_buf hdr;  /* page header */
} pq_scratch;

void pq_scratch_init(pq_scratch *sc);
void pq_scratch_free(pq_scratch *sc);
/* Bytes the scratch buffers have allocated (what pq_write_info.peak_held counts). */
size_t pq_scratch_bytes(const pq_scratch *sc);

/* One data page as the page index describes it. Offsets are relative to the chunk until the
 * writer rebases them to the file. */
typedef struct {
    int64_t offset;     /* of the page header */
    int32_t size;       /* header + compressed body */
    int64_t first_row;  /* index within the chunk's rows */
    int64_t null_count; /* nulls in the page */
    int64_t nan_count;
    bool null_page;            /* every value is null */
    uint32_t min_off, min_len; /* lower bound, in pq_chunk.bounds */
    uint32_t max_off, max_len; /* upper bound, in pq_chunk.bounds */
} pq_page_rec;

/* The result of encoding one column chunk; offsets are relative to the chunk's first byte. */
typedef struct {
    pq_phys phys;
    int64_t num_values;        /* rows, nulls included */
    int64_t uncompressed_size; /* page headers + uncompressed bodies */
    int64_t compressed_size;   /* page headers + bodies as written */
    int64_t dict_page_offset;  /* -1 when there is no dictionary page */
    int64_t data_page_offset;  /* first data page */
    int32_t data_pages;
    int32_t pages_by_enc[16]; /* data pages per Encoding value, for encoding_stats */
    uint32_t encodings;       /* bit e is set when Encoding e is used (values or levels) */
    pq_stats stats;
    /* page index */
    pq_page_rec *pages;
    size_t npages, pages_cap;
    lake_buf bounds;
    bool column_index; /* false when some page's bounds cannot be written (all NaN, INT96) */
    int32_t boundary_order;
    int64_t column_index_offset, offset_index_offset; /* set by the writer; -1 = none */
    int32_t column_index_length, offset_index_length;
} pq_chunk;

void pq_chunk_init(pq_chunk *ch);
void pq_chunk_free(pq_chunk *ch); /* accepts a zeroed or initialised chunk */

/* Incremental encoder of one column's chunks. Rows are added in any number of calls; each data
 * page is encoded and compressed as soon as it is complete and kept, compressed, until
 * pq_colenc_finish writes the chunk (dictionary page first, then the data pages). The page
 * boundaries and encodings depend only on the rows, not on how they were split into calls.
 *
 * The encoding is chosen on the chunk's first page of values (up to page_rows rows or page_bytes
 * of PLAIN values, whichever comes first): the smallest of PLAIN, DELTA_BINARY_PACKED (INT32 and
 * INT64) and dictionary (dictionary page + indices) there wins for the chunk. A dictionary chunk
 * whose dictionary page would pass PQ_DICT_MAX_BYTES falls back to PLAIN for the rest of the
 * chunk; the pages written before stay dictionary encoded. */
enum { PQ_CE_SAMPLE, PQ_CE_DICT, PQ_CE_PLAIN, PQ_CE_DELTA, PQ_CE_FALLBACK };

typedef struct {
    pq_phys phys;
    int state;       /* PQ_CE_*; PQ_CE_SAMPLE until the chunk's encoding is chosen */
    bool open;       /* a chunk has been started (rows added since the last finish) */
    bool dict_ok;    /* while sampling: the dictionary has not overflowed */
    pq_chunk ch;     /* the chunk's metadata; page offsets relative to data's start */
    lake_buf data;   /* the chunk's data pages so far, compressed, with their headers, after */
    int64_t spilled; /* the first `spilled` bytes of them, which the caller moved out of data */
    pq_dict dict;    /* the chunk's dictionary (PQ_CE_SAMPLE, PQ_CE_DICT, PQ_CE_FALLBACK) */
    int64_t rows;    /* rows added to the chunk */
    /* the page being gathered */
    int64_t first; /* its first row within the chunk */
    size_t k, cnt; /* rows, non-null values */
    size_t cap;    /* capacity of levels, idx and ints */
    uint32_t *levels;
    uint32_t *idx;   /* dictionary indices (PQ_CE_SAMPLE, PQ_CE_DICT) */
    int64_t *ints;   /* integer values (PQ_CE_SAMPLE, PQ_CE_DELTA) */
    lake_buf values; /* PLAIN values (PQ_CE_SAMPLE, PQ_CE_PLAIN, PQ_CE_FALLBACK) */
    pq_stats ps;     /* the page's statistics */
} pq_colenc;

void pq_colenc_init(pq_colenc *e, pq_phys phys);
void pq_colenc_free(pq_colenc *e); /* accepts a zeroed encoder */
/* Makes an initialised encoder (of any column type, whose chunk was finished or abandoned) a new
 * one for phys, keeping its buffers of up to 1 MiB. */
void pq_colenc_reuse(pq_colenc *e, pq_phys phys);
/* Bytes the encoder holds (allocated capacities): compressed pages, dictionary, page buffers. */
size_t pq_colenc_bytes(const pq_colenc *e);

/* Adds rows[begin..end) of the column (rows == NULL: rows begin..end-1) to the open chunk,
 * starting one if none is open. The bytes of string values must stay valid until the file's
 * footer is written (statistics point at them). Returns LAKE_OK, or a codec or size-limit error
 * with detail in err. */
lake_rc pq_colenc_add(pq_colenc *e, const pq_coldesc *d, const uint32_t *rows, size_t begin,
                      size_t end, const pq_enc_opts *o, pq_scratch *sc, lake_error *err);

/* Ends the open chunk: writes its last page, appends the dictionary page (if any) to out and
 * moves the chunk's metadata into *ch (which must be initialised; it is reset), offsets relative
 * to where the chunk starts in out. The data pages follow the dictionary page: the caller writes
 * the e->spilled bytes it moved out, then e->data, and empties e->data. A chunk with no rows
 * gives no pages. */
lake_rc pq_colenc_finish(pq_colenc *e, const pq_enc_opts *o, pq_scratch *sc, lake_buf *out,
                         pq_chunk *ch, lake_error *err);

#endif
