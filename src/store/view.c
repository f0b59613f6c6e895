/* The map API: dispatch to the backend's map, and the windowing and release of mapped views.
 * How a view is made (the local backend maps a file) is the backend's: local/local_map.c. */
#include "store/view.h"

#include "store/store_impl.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

bool lake_store_can_map(const lake_store *s) {
    return s->ops->map != NULL;
}

lake_rc lake_store_map(lake_store *s, const char *key, lake_view *out, lake_error *err) {
    memset(out, 0, sizeof *out);
    if (!s->ops->map)
        return lake_error_set(err, LAKE_ERR_UNSUPPORTED, "%s cannot map objects",
                              lake_store_url(s));
    return s->ops->map(s, key, out, err);
}

static size_t page_round(size_t n) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (n + page - 1) / page * page;
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif

/* Sets up the page tables of [from, to) of the mapping in one call instead of one fault per
 * 64 KiB (what MAP_POPULATE does for a whole mapping); a kernel without MADV_POPULATE_READ
 * leaves it to the faults. */
static void populate(lake_view *v, size_t from, size_t to) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    from = from / page * page;
    to = to > v->len ? page_round(v->len) : page_round(to);
    if (from < to)
        madvise((char *)v->map + from, to - from, MADV_POPULATE_READ);
}

void lake_view_advance(lake_view *v, size_t pos) {
    if (!v->map || pos + LAKE_VIEW_WINDOW <= v->resident_to)
        return;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    /* one window behind the reader stays, for a parser that looks back a little */
    size_t keep = pos > LAKE_VIEW_WINDOW ? (pos - LAKE_VIEW_WINDOW) / page * page : 0;
    if (keep > v->resident_from) {
        madvise((char *)v->map + v->resident_from, keep - v->resident_from, MADV_DONTNEED);
        v->resident_from = keep;
    }
    populate(v, v->resident_to, pos + 2 * LAKE_VIEW_WINDOW);
    v->resident_to = pos + 2 * LAKE_VIEW_WINDOW;
}

void lake_view_release(lake_view *v) {
    if (v->map)
        munmap(v->map, v->map_len);
    memset(v, 0, sizeof *v);
}
