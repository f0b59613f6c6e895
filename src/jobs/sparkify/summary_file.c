/* The summaries' files: written to a temporary file beside the target, flushed to disk, then
 * renamed over it, so a reader sees the old file or the whole new one. */
#include "jobs/sparkify/summary_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static lake_rc write_all(int fd, const lake_buf *b) {
    size_t done = 0;
    while (done < b->len) {
        ssize_t n = write(fd, b->data + done, b->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return LAKE_ERR_IO;
        done += (size_t)n;
    }
    return fsync(fd) ? LAKE_ERR_IO : LAKE_OK;
}

lake_rc sp_write_file_atomic(const char *path, const lake_buf *b, const char *what,
                             lake_error *err) {
    lake_buf tmp;
    lake_buf_init(&tmp);
    lake_buf_printf(&tmp, "%s.tmp-%ld", path, (long)getpid());
    lake_buf_putc(&tmp, 0);
    const char *tmp_path = (const char *)tmp.data;
    lake_rc rc = LAKE_OK;
    int fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = lake_error_set(err, LAKE_ERR_IO, "%s %s: %s", what, path, strerror(errno));
    } else {
        if (write_all(fd, b))
            rc = lake_error_set(err, LAKE_ERR_IO, "%s %s: %s", what, tmp_path, strerror(errno));
        if (close(fd) && !rc)
            rc = lake_error_set(err, LAKE_ERR_IO, "%s %s: %s", what, tmp_path, strerror(errno));
        if (!rc && rename(tmp_path, path))
            rc = lake_error_set(err, LAKE_ERR_IO, "%s %s: %s", what, path, strerror(errno));
        if (rc)
            unlink(tmp_path);
    }
    lake_buf_free(&tmp);
    return rc;
}

lake_rc lake_run_summary_write_json(const char *path, const lake_run_summary *sum,
                                    const lake_run_report *rep, lake_error *err) {
    lake_buf b;
    lake_buf_init(&b);
    sp_summary_json(&b, sum, rep);
    lake_rc rc = sp_write_file_atomic(path, &b, "summary", err);
    lake_buf_free(&b);
    return rc;
}
