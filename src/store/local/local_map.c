/* The local backend's map: a file mapped read-only as a lake_view, with zeroed padding after
 * its last byte (see store/view.h). */
#include "store/local/local_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Backs views of empty files (nothing to map, the padding must still be readable). */
static const uint8_t empty_view[LAKE_BUF_PADDING];

static size_t page_round(size_t n) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (n + page - 1) / page * page;
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

lake_rc lake__local_map_file(const char *path, lake_view *out, lake_error *err) {
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
