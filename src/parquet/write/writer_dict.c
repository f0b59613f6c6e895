/* Dictionary builder (see writer_dict.h). */
#include "base/hash.h"
#include "parquet/write/writer_dict.h"

#include <stdlib.h>
#include <string.h>

#define MIN_SLOTS 64
/* Tables larger than this are freed on reset rather than cleared: clearing would cost more than
 * encoding a tiny chunk. */
#define KEEP_SLOTS 4096
/* pq_dict_clear keeps a dictionary only this small: one that lost the sample to PLAIN is dead
 * weight for the rest of the chunk. */
#define CLEAR_KEEP_SLOTS 1024
#define CLEAR_KEEP_BYTES ((size_t)16 << 10)

void pq_dict_init(pq_dict *d) {
    memset(d, 0, sizeof *d);
}

void pq_dict_free(pq_dict *d) {
    lake_buf_free(&d->page);
    free(d->ent);
    free(d->slots);
    memset(d, 0, sizeof *d);
}

void pq_dict_clear(pq_dict *d) {
    if (d->nslots > CLEAR_KEEP_SLOTS || d->page.cap > CLEAR_KEEP_BYTES) {
        pq_dict_free(d);
        return;
    }
    lake_buf_resize(&d->page, 0);
    d->nent = 0;
}

void pq_dict_reset(pq_dict *d, bool byte_array, size_t max_bytes) {
    lake_buf_resize(&d->page, 0);
    d->nent = 0;
    d->byte_array = byte_array;
    d->max_bytes = max_bytes;
    if (d->nslots > KEEP_SLOTS) {
        free(d->slots);
        d->slots = NULL;
        d->nslots = 0;
    }
    if (!d->slots) {
        d->nslots = MIN_SLOTS;
        d->slots = lake_xzalloc(d->nslots * sizeof *d->slots);
    } else {
        memset(d->slots, 0, d->nslots * sizeof *d->slots);
    }
}

static void grow(pq_dict *d) {
    size_t n = d->nslots * 2;
    uint32_t *slots = lake_xzalloc(n * sizeof *slots);
    for (size_t e = 0; e < d->nent; e++) {
        size_t i = d->ent[e].hash & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = (uint32_t)e + 1;
    }
    free(d->slots);
    d->slots = slots;
    d->nslots = n;
}

int64_t pq_dict_add(pq_dict *d, const uint8_t *v, uint32_t len) {
    uint32_t h = (uint32_t)lake_hash(v, len, 0x9e3779b97f4a7c15ULL);
    size_t mask = d->nslots - 1, i = h & mask;
    for (uint32_t s; (s = d->slots[i]) != 0; i = (i + 1) & mask) {
        const pq_dict_entry *e = &d->ent[s - 1];
        if (e->hash == h && e->len == len && memcmp(d->page.data + e->off, v, len) == 0)
            return (int64_t)(s - 1);
    }
    size_t add = len + (d->byte_array ? 4 : 0);
    if (d->page.len + add > d->max_bytes || d->nent >= UINT32_MAX - 1)
        return -1;
    if (d->nent == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 256;
        d->ent = lake_xrealloc(d->ent, d->cap * sizeof *d->ent);
    }
    if (d->byte_array) {
        uint8_t le[4] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
                         (uint8_t)(len >> 24)};
        lake_buf_append(&d->page, le, 4);
    }
    d->ent[d->nent] = (pq_dict_entry){(uint32_t)d->page.len, len, h};
    lake_buf_append(&d->page, v, len);
    d->slots[i] = (uint32_t)d->nent + 1;
    int64_t idx = (int64_t)d->nent++;
    if (d->nent * 2 > d->nslots) /* load factor at most 1/2 */
        grow(d);
    return idx;
}

int pq_dict_bit_width(const pq_dict *d) {
    int bw = 1;
    while (bw < 32 && d->nent > ((size_t)1 << bw))
        bw++;
    return bw;
}
