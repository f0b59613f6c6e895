/* Dictionary builder for one column chunk: maps PLAIN-encoded values to dense indices and keeps
 * the dictionary page body (the distinct values, PLAIN encoded, in first-seen order). Uses
 * base/hash.h only. */
#ifndef LAKE_PQ_WRITER_DICT_H
#define LAKE_PQ_WRITER_DICT_H

#include "lake/common.h"

#include <stdbool.h>

typedef struct {
    uint32_t off, len; /* value bytes in page (after the length prefix for byte arrays) */
    uint32_t hash;
} pq_dict_entry;

typedef struct {
    lake_buf page; /* dictionary page body: PLAIN values */
    pq_dict_entry *ent;
    size_t nent, cap;
    uint32_t *slots; /* open addressing; 0 = empty, else entry index + 1 */
    size_t nslots;   /* power of two */
    bool byte_array; /* values carry a 4-byte length prefix in the page */
    size_t max_bytes;
} pq_dict;

void pq_dict_init(pq_dict *d);
void pq_dict_free(pq_dict *d); /* accepts a zeroed dictionary */

/* Empties d for a new chunk whose page may hold at most max_bytes bytes. Keeps small
 * allocations, drops large ones, so that many tiny chunks stay cheap. */
void pq_dict_reset(pq_dict *d, bool byte_array, size_t max_bytes);

/* Empties d when its values are no longer needed, keeping small allocations for the next
 * pq_dict_reset (large ones are freed). */
void pq_dict_clear(pq_dict *d);

/* Index of the value v[0..len) in the dictionary, adding it if new. Returns -1, leaving d
 * unchanged, when adding it would make the page larger than max_bytes. */
int64_t pq_dict_add(pq_dict *d, const uint8_t *v, uint32_t len);

/* Bits needed for an index into d (at least 1: some readers mishandle width 0). */
int pq_dict_bit_width(const pq_dict *d);

#endif
