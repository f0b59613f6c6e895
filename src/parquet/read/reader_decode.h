/* FileMetaData decoder: turns the Thrift bytes of a Parquet footer into a pq_file_meta
 * (lake/pqread.h). Each structure is checked on its own (required fields, value types, enum
 * ranges, union members); what ties structures together (the schema tree, chunks against leaves,
 * offsets against the file) is left to reader_check.h. Every string is copied into the result's
 * arena, so the metadata does not point into the file.
 *
 * Owns: pq_meta_reader and the cap on decoded metadata. Uses: read/reader_thrift.h. */
#ifndef LAKE_PQ_READER_DECODE_H
#define LAKE_PQ_READER_DECODE_H

#include "lake/pqread.h"
#include "parquet/read/reader_thrift.h"

/* A footer being read: its decoder, whose rc and err hold the first error, and the arena of the
 * pq_file_meta it fills. Initialise as {.arena = m->arena}, then pq_td_init(&r.d, ...). */
typedef struct {
    pq_td d;
    lake_arena *arena;
    size_t allocated; /* bytes handed out by pq_meta_alloc so far */
} pq_meta_reader;

/* Zeroed room for count items of size bytes in r's arena (NULL when count is 0). Once the
 * metadata would pass 1 GiB it returns NULL and records LAKE_ERR_LIMIT in r->d: a corrupt list
 * length cannot make the reader allocate without bound. */
void *pq_meta_alloc(pq_meta_reader *r, size_t count, size_t size);

/* Decodes a FileMetaData struct that fills r->d's bytes exactly into m (zeroed, its arena that of
 * r). Returns LAKE_OK, or LAKE_ERR_PARSE / LAKE_ERR_LIMIT / LAKE_ERR_UNSUPPORTED (encrypted
 * column chunks) with a message naming the byte offset and field in r->d.err; m then holds
 * partial data that only pq_file_meta_free may use. */
lake_rc pq_meta_decode(pq_meta_reader *r, pq_file_meta *m);

#endif
