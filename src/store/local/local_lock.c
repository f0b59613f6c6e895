/* The local backend's lock: an flock(2) on a file under the root, which the kernel releases when
 * the holder exits however it ends, so a killed run never leaves a stale lock. The file holds the
 * holder's one-line description for the next taker's message. */
#include "base/clock.h"
#include "store/local/local_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define LOCK_POLL_NS 50000000L /* 50 ms between tries while waiting */

static lake_rc held_by_other(int fd, const char *path, double wait_s, lake_error *err) {
    char who[512];
    ssize_t n = pread(fd, who, sizeof who - 1, 0);
    who[n > 0 ? n : 0] = '\0';
    who[strcspn(who, "\n")] = '\0';
    return lake_error_set(err, LAKE_ERR_LOCKED, "%s is held by another run (%s)%s", path,
                          *who ? who : "holder unknown", wait_s > 0 ? ", still after waiting" : "");
}

/* Tries until the lock is taken or wait_s has passed. */
static lake_rc take(int fd, const char *path, double wait_s, lake_error *err) {
    double deadline = lake_now() + wait_s;
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return LAKE_OK;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return lake_error_set(err, LAKE_ERR_IO, "cannot lock %s: %s", path, strerror(errno));
        if (lake_now() >= deadline)
            return held_by_other(fd, path, wait_s, err);
        struct timespec ts = {0, LOCK_POLL_NS};
        nanosleep(&ts, NULL);
    }
}

lake_rc lake__local_lock(lake_store *s, const char *key, const char *holder, double wait_s,
                         void **out, lake_error *err) {
    char *path = lake_xconcat(lake_store_url(s), "/", key);
    lake_rc rc = lake__local_make_parents(path, err);
    int fd = rc ? -1 : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (!rc && fd < 0)
        rc = lake_error_set(err, LAKE_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    if (!rc)
        rc = take(fd, path, wait_s, err);
    if (!rc && (ftruncate(fd, 0) != 0 || pwrite(fd, holder, strlen(holder), 0) < 0 ||
                pwrite(fd, "\n", 1, (off_t)strlen(holder)) < 0))
        rc = lake_error_set(err, LAKE_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    if (rc && fd >= 0)
        close(fd);
    else if (!rc)
        *out = (void *)(intptr_t)fd;
    free(path);
    return rc;
}

void lake__local_unlock(lake_store *s, void *handle) {
    (void)s;
    int fd = (int)(intptr_t)handle;
    if (ftruncate(fd, 0) != 0) {
        /* the description stays; the lock itself goes with the descriptor */
    }
    close(fd);
}
