/* Validation of a decoded footer: what decoding each structure alone cannot see. The schema tree
 * must agree with num_children; every row group must have one column chunk per leaf, with the
 * leaf's path and type; offsets and sizes must lie inside the file's data area; statistics must
 * have the size their type demands.
 *
 * Owns: the derived schema fields (max_def, max_rep, leaf_index, path, and pq_file_meta.leaves).
 * Uses: read/reader_decode.h (the reader's arena and allocation cap). */
#ifndef LAKE_PQ_READER_CHECK_H
#define LAKE_PQ_READER_CHECK_H

#include "parquet/read/reader_decode.h"

/* Checks m as pq_meta_decode left it (m->footer_offset set: the data area ends there) and fills
 * the derived schema fields, allocating paths and the leaf list through r. Returns LAKE_OK, or
 * LAKE_ERR_PARSE (LAKE_ERR_LIMIT past the allocation cap) with a one-line message in r->d.err. */
lake_rc pq_meta_check(pq_meta_reader *r, pq_file_meta *m);

#endif
