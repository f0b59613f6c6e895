/* lake_view: local files mapped read-only, with zeroed padding after the last byte. */
#include "store/view.h"

#include "store/store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Backs views of empty files (nothing to map, the padding must still be readable). */
static const uint8_t empty_view[LAKE_BUF_PADDING];

bool lake_store_can_map(const lake_store *s) {
    return s->ops->map != NULL;
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

/* Reserves zeroed anonymous memory for the file plus its padding, then maps the file over the
 * start of it: the tail of the file's last page reads as zeros (mmap's guarantee) and the pages
 * after it are the anonymous zero pages, so the padding exists even when the file ends at a page
 * boundary. Only the first windows are faulted in; lake_view_advance moves them along. */
static lake_rc map_fd(int fd, size_t len, const char *path, lake_view *out, lake_error *err) {
    size_t total = page_round(len + LAKE_BUF_PADDING);
    void *base = mmap(NULL, total, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return lake_error_set(err, LAKE_ERR_IO, "cannot map %s: %s", path, strerror(errno));
    void *file = mmap(base, page_round(len), PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
    if (file == MAP_FAILED) {
        int e = errno;
        munmap(base, total);
        return lake_error_set(err, LAKE_ERR_IO, "cannot map %s: %s", path, strerror(e));
    }
    *out = (lake_view){base, len, base, total, 0, 0};
    lake_view_advance(out, 0);
    return LAKE_OK;
}

lake_rc lake__map_file(const char *path, lake_view *out, lake_error *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lake_error_set(err, errno == ENOENT ? LAKE_ERR_NOT_FOUND : LAKE_ERR_IO,
                              "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    lake_rc rc = LAKE_OK;
    if (fstat(fd, &st) != 0)
        rc = lake_error_set(err, LAKE_ERR_IO, "cannot stat %s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = lake_error_set(err, LAKE_ERR_IO, "%s is not a regular file", path);
    else if (st.st_size == 0)
        *out = (lake_view){empty_view, 0, NULL, 0, 0, 0};
    else
        rc = map_fd(fd, (size_t)st.st_size, path, out, err);
    close(fd);
    return rc;
}

lake_rc lake_store_map(lake_store *s, const char *key, lake_view *out, lake_error *err) {
    memset(out, 0, sizeof *out);
    if (!s->ops->map)
        return lake_error_set(err, LAKE_ERR_UNSUPPORTED, "%s cannot map objects",
                              lake_store_url(s));
    return s->ops->map(s, key, out, err);
}

void lake_view_release(lake_view *v) {
    if (v->map)
        munmap(v->map, v->map_len);
    memset(v, 0, sizeof *v);
}
