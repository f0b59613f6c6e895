/* Open-addressing hash maps: bytes -> uint32 and int64 -> uint32. Owns nothing but its slots
 * (keys stay the caller's). Uses base/hash. */
#ifndef LAKE_MAP_H
#define LAKE_MAP_H

#include "lake/common.h"

#include <stdbool.h>

/* Map from byte strings to uint32 values. Keys are not copied: they must outlive the map (keep
 * them in an arena). */
typedef struct {
    struct lake_smap_slot *slots;
    size_t cap; /* power of two */
    size_t n;
} lake_smap;

void lake_smap_init(lake_smap *m);
void lake_smap_free(lake_smap *m); /* accepts a zeroed map */
/* Makes room for n keys in all, so inserting up to n never grows the table: a map filled from a
 * known count skips the rehashes and the pages of every smaller table. */
void lake_smap_reserve(lake_smap *m, size_t n);
/* Looks key up; if absent, inserts it with value *val and returns false; if present, sets *val to
 * the stored value and returns true. */
bool lake_smap_upsert(lake_smap *m, const void *key, uint32_t len, uint32_t *val);
/* Returns true and sets *val if key is present. */
bool lake_smap_get(const lake_smap *m, const void *key, uint32_t len, uint32_t *val);
/* Returns true and sets *stored to the map's own key pointer if key is present (interning). */
bool lake_smap_get_key(const lake_smap *m, const void *key, uint32_t len, const char **stored);

/* Map from int64 keys to uint32 values. */
typedef struct {
    struct lake_imap_slot *slots;
    size_t cap;
    size_t n;
} lake_imap;

void lake_imap_init(lake_imap *m);
void lake_imap_free(lake_imap *m);
bool lake_imap_upsert(lake_imap *m, int64_t key, uint32_t *val);
bool lake_imap_get(const lake_imap *m, int64_t key, uint32_t *val);
/* Writes every key (in no particular order) to out, which has room for m->n; returns m->n. */
size_t lake_imap_keys(const lake_imap *m, int64_t *out);

#endif
