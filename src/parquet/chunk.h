/* Column chunk encoder: turns a range of one column's rows into Parquet pages.
 *
 * A chunk is a sequence of pages written back to back: (in a later version) one dictionary page,
 * then data pages v1, each a page header followed by the compressed body (definition levels, then
 * PLAIN values). The encoder appends to any buffer and reports offsets relative to where the chunk
 * starts there, so chunks can later be encoded in parallel into separate buffers. */
#ifndef LAKE_PQ_CHUNK_H
#define LAKE_PQ_CHUNK_H

#include "lake/codec.h"
#include "lake/table.h"
#include "parquet/stats.h"

/* A data page ends after this many rows or once its values reach PQ_PAGE_MAX_BYTES. */
#define PQ_PAGE_MAX_ROWS 20000
#define PQ_PAGE_MAX_BYTES (1u << 20)

/* Parquet Encoding values this writer uses (Encodings.md numbering). */
enum { PQ_ENC_PLAIN = 0, PQ_ENC_RLE = 3, PQ_ENC_RLE_DICTIONARY = 8 };

/* Parquet PageType values. */
enum { PQ_PAGE_DATA = 0, PQ_PAGE_DICTIONARY = 2 };

/* Buffers reused across pages and chunks, so steady-state encoding does not allocate. */
typedef struct {
    uint32_t *levels; /* PQ_PAGE_MAX_ROWS definition levels of the current page */
    lake_buf values;  /* PLAIN values of the current page */
    lake_buf page;    /* uncompressed page body */
    lake_buf comp;    /* compressed page body */
} pq_scratch;

void pq_scratch_init(pq_scratch *sc);
void pq_scratch_free(pq_scratch *sc);

/* The result of encoding one column chunk; offsets are relative to the chunk's first byte. */
typedef struct {
    int64_t num_values;        /* rows, nulls included */
    int64_t uncompressed_size; /* page headers + uncompressed bodies */
    int64_t compressed_size;   /* page headers + bodies as written */
    int64_t dict_page_offset;  /* -1 while there is no dictionary page */
    int64_t data_page_offset;  /* first data page */
    int32_t data_pages;
    uint32_t encodings; /* bit e is set when Encoding e is used (values or levels) */
    pq_stats stats;
} pq_chunk;

/* Encodes rows[begin..end) of col (rows == NULL: rows begin..end-1) and appends the pages to out.
 * Returns LAKE_OK, or a codec or size-limit error with detail in err. */
lake_rc pq_chunk_encode(const lake_col *col, const uint32_t *rows, size_t begin, size_t end,
                        lake_codec codec, int level, pq_scratch *sc, lake_buf *out, pq_chunk *ch,
                        lake_error *err);

#endif
