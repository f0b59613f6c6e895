/* The FileMetaData footer: schema, row groups with their column chunks, column orders. */
#ifndef LAKE_PQ_FOOTER_H
#define LAKE_PQ_FOOTER_H

#include "lake/parquet.h"
#include "parquet/chunk.h"

/* One row group as the footer describes it; chunk offsets here are absolute file offsets. */
typedef struct {
    int64_t num_rows;
    pq_chunk *chunks; /* ncols entries */
} pq_rowgroup;

/* Parquet CompressionCodec value of c. */
int32_t pq_codec_thrift(pq_codec c);

/* Appends the Thrift-encoded FileMetaData for ncols columns and nrg row groups to out (without
 * the length and magic that follow it in a file). */
void pq_footer_write(lake_buf *out, const lake_col *const *cols, size_t ncols, int64_t num_rows,
                     const pq_rowgroup *rgs, size_t nrg, pq_codec codec, const char *created_by);

#endif
