/* Read-only views of whole objects: a local file is mapped into memory instead of copied into a
 * buffer (the JSON parser reads it in place), other backends have no views and their objects are
 * read with lake_store_get. The map API of the store module, for its readers outside src/store/
 * (view.c; the local backend makes the mappings, local/local_map.c). Uses the public store API. */
#ifndef LAKE_VIEW_H
#define LAKE_VIEW_H

#include "lake/common.h"
#include "lake/store.h"

#include <stdbool.h>

/* Bytes [data, data + len) of an object followed by LAKE_BUF_PADDING readable zero bytes, like
 * a lake_buf. */
typedef struct lake_view_s {
    const uint8_t *data;
    size_t len;
    void *map; /* the mapping to release, or NULL */
    size_t map_len;
    size_t resident_from, resident_to; /* the bytes lake_view_advance keeps mapped in */
} lake_view;

/* A mapped view holds at most about this many bytes of the object in the process at once when
 * its reader calls lake_view_advance as it goes: the pages behind the reader are released (they
 * stay in the page cache) and the next window is faulted in ahead of it. */
#define LAKE_VIEW_WINDOW ((size_t)8 << 20)

/* Objects at least this large are worth a mapping; smaller ones cost less to read (a mapping is
 * three system calls and a TLB shootdown when released). */
#define LAKE_VIEW_MIN_BYTES (1u << 20)

/* True when s can map objects (the local backend). */
bool lake_store_can_map(const lake_store *s);

/* Maps object key read-only. The file must not be truncated by another process while mapped (as
 * with every reader that maps its input, the kernel would then signal SIGBUS). Errors name the
 * file, as lake_store_get's do. */
lake_rc lake_store_map(lake_store *s, const char *key, lake_view *out, lake_error *err);

/* The reader of v has reached byte pos (reads may still go back: a released page is faulted in
 * again from the page cache). Keeps the process's share of a large object to a few windows
 * instead of the whole object; does nothing for views that are not mappings. */
void lake_view_advance(lake_view *v, size_t pos);

/* Releases a view from lake_store_map; accepts a zeroed view and leaves v zeroed. */
void lake_view_release(lake_view *v);

#endif
