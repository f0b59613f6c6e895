/* The FileMetaData footer (schema, row groups with their column chunks, column orders, Spark's
 * schema JSON) and the page index structures that precede it, encoded from the chunks' metadata
 * (writer_chunk.h) with writer_thrift.h. Writes into a buffer; writer.c hands it to the sink. */
#ifndef LAKE_PQ_WRITER_FOOTER_H
#define LAKE_PQ_WRITER_FOOTER_H

#include "lake/parquet.h"
#include "parquet/write/writer_chunk.h"

/* One row group as the footer describes it; chunk offsets here are absolute file offsets. */
typedef struct {
    int64_t num_rows;
    pq_chunk *chunks; /* ncols entries */
} pq_rowgroup;

/* Parquet CompressionCodec value of c. */
int32_t pq_codec_thrift(lake_codec c);

/* The key Spark stores its schema under, and the JSON it stores there for these columns
 * ({"type":"struct","fields":[...]}), appended to out. */
#define PQ_SPARK_SCHEMA_KEY "org.apache.spark.sql.parquet.row.metadata"
void pq_spark_schema_json(const pq_coldesc *cols, size_t ncols, lake_buf *out);

/* Appends the Thrift-encoded FileMetaData for ncols columns and nrg row groups to out (without
 * the length and magic that follow it in a file). */
void pq_footer_write(lake_buf *out, const pq_coldesc *cols, size_t ncols, int64_t num_rows,
                     const pq_rowgroup *rgs, size_t nrg, const pq_options *opt,
                     const char *created_by);

/* Appends the ColumnIndex of a chunk whose column_index flag is set. */
void pq_column_index_write(lake_buf *out, const pq_chunk *ch);
/* Appends the OffsetIndex of a chunk (page offsets must already be file offsets). */
void pq_offset_index_write(lake_buf *out, const pq_chunk *ch);

#endif
