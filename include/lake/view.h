/* Read-only views of whole objects: a local file is mapped into memory instead of copied into a
 * buffer (the JSON parser reads it in place), other backends have no views and their objects are
 * read with lake_store_get. */
#ifndef LAKE_VIEW_H
#define LAKE_VIEW_H

#include "lake/common.h"
#include "lake/store.h"

#include <stdbool.h>

/* Bytes [data, data + len) of an object followed by LAKE_BUF_PADDING readable zero bytes, like
 * a lake_buf. */
typedef struct {
    const uint8_t *data;
    size_t len;
    void *map; /* the mapping to release, or NULL */
    size_t map_len;
} lake_view;

/* Objects at least this large are worth a mapping; smaller ones cost less to read (a mapping is
 * three system calls and a TLB shootdown when released). */
#define LAKE_VIEW_MIN_BYTES (1u << 20)

/* True when s can map objects (the local backend). */
bool lake_store_can_map(const lake_store *s);

/* Maps object key read-only. The file must not be truncated by another process while mapped (as
 * with every reader that maps its input, the kernel would then signal SIGBUS). Errors name the
 * file, as lake_store_get's do. */
lake_rc lake_store_map(lake_store *s, const char *key, lake_view *out, lake_error *err);

/* Releases a view from lake_store_map; accepts a zeroed view and leaves v zeroed. */
void lake_view_release(lake_view *v);

#endif
