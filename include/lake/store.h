/* Object store interface: a local directory or (later) an S3 prefix, addressed by keys relative
 * to the store's root with '/' separators. The ETL talks to storage only through this. */
#ifndef LAKE_STORE_H
#define LAKE_STORE_H

#include "lake/common.h"

#include <stdbool.h>

typedef struct {
    char *key; /* relative to the store root, '/'-separated */
    uint64_t size;
} lake_obj;

typedef struct {
    lake_obj *items;
    size_t n;
    size_t cap;
} lake_obj_list;

void lake_obj_list_free(lake_obj_list *l); /* accepts a zeroed list */

typedef struct lake_store lake_store;

/* Opens a store rooted at url: a local directory path (need not exist yet for output) or, where
 * supported, s3://bucket/prefix. */
lake_rc lake_store_open(const char *url, lake_store **out, lake_error *err);
void lake_store_close(lake_store *s); /* accepts NULL */
const char *lake_store_url(const lake_store *s);

/* Lists every object whose key starts with prefix ("" for all), recursively, sorted by key in
 * byte-wise ascending order. A missing prefix gives an empty list, not an error. */
lake_rc lake_store_list(lake_store *s, const char *prefix, lake_obj_list *out, lake_error *err);

/* Reads a whole object, appending it to out (padding kept, see lake_buf). */
lake_rc lake_store_get(lake_store *s, const char *key, lake_buf *out, lake_error *err);

/* Writes a whole object, creating parent "directories" as needed; replaces an existing one. The
 * object appears complete or not at all. */
lake_rc lake_store_put(lake_store *s, const char *key, const void *data, size_t len,
                       lake_error *err);

/* Deletes one object; a missing one is not an error. */
lake_rc lake_store_delete(lake_store *s, const char *key, lake_error *err);

/* Deletes every object under prefix (which should end in '/'). */
lake_rc lake_store_delete_prefix(lake_store *s, const char *prefix, lake_error *err);

/* Moves every object under prefix `from` to prefix `to` (both ending in '/'); `to` must be empty.
 * Local stores do it with one rename, so a reader sees the old or the new set, never a mix.
 * Returns LAKE_ERR_UNSUPPORTED where the backend cannot (the caller then copies). */
lake_rc lake_store_rename_prefix(lake_store *s, const char *from, const char *to, lake_error *err);

/* True when the backend moves a prefix at once (lake_store_rename_prefix works). */
bool lake_store_can_rename(const lake_store *s);

#endif
