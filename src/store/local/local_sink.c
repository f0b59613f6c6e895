/* Streaming writer of the local backend. Same placement rules as local.c's put and put_new: a
 * new (staging) key is written in place, any other key to a temporary name in the same
 * directory that is renamed over the key at finish, so the object is complete or absent. Bytes
 * pass through a small buffer, and the file is opened at the first flush: a file that fits the
 * buffer costs one open, one write and one close, as a put does. Like local.c, no fsync: the
 * commit protocols rely on rename atomicity, not on durability across a crash.
 *
 * Files and directories are named relative to the store's root directory when it is open (the
 * kernel then walks the key's components only, not the root's path again for every mkdir and
 * open of tens of thousands of partition files), else by their full path. */
#include "store/local/local_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCAL_SINK_BUF ((size_t)1 << 20)

typedef struct {
    lake_store_writer base;
    char *path;     /* the key's file, for messages */
    char *tmp;      /* temporary name renamed to path at finish, for messages; NULL when in place */
    int at;         /* directory the names below are relative to (the root, or AT_FDCWD) */
    char *name;     /* path, relative to at */
    char *tmp_name; /* tmp, relative to at */
    int fd;         /* -1 until the first flush */
    bool new_dir;   /* LAKE_STORE_WRITE_NEW_DIR: create the parent before the first open */
    lake_buf buf;   /* bytes not yet written */
} local_sink;

static atomic_uint sink_counter;

static const char *target(const local_sink *l) {
    return l->tmp ? l->tmp : l->path;
}

static const char *target_name(const local_sink *l) {
    return l->tmp_name ? l->tmp_name : l->name;
}

/* Creates the missing parent directories of name (relative to at), deepest first: with tens of
 * thousands of partition files most parents exist, so this usually costs one mkdir. shown is
 * name's full path, for messages. */
static lake_rc make_parents_at(int at, const char *name, const char *shown, lake_error *err) {
    char *p = lake_xstrdup(name);
    char *slash = strrchr(p, '/');
    lake_rc rc = LAKE_OK;
    if (!slash || slash == p)
        goto out;
    *slash = '\0';
    if (mkdirat(at, p, 0777) == 0 || errno == EEXIST)
        goto out;
    if (errno == ENOENT)
        rc = make_parents_at(at, p, shown, err);
    if (!rc && mkdirat(at, p, 0777) != 0 && errno != EEXIST)
        rc = lake_error_set(err, LAKE_ERR_IO, "cannot create the directory of %s: %s", shown,
                            strerror(errno));
out:
    free(p);
    return rc;
}

lake_rc lake__local_make_parents(const char *path, lake_error *err) {
    return make_parents_at(AT_FDCWD, path, path, err);
}

static lake_rc open_target(local_sink *l, lake_error *err) {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (l->tmp ? O_TRUNC : O_EXCL);
    if (l->new_dir) {
        lake_rc rc = make_parents_at(l->at, target_name(l), target(l), err);
        if (rc)
            return rc;
    }
    l->fd = openat(l->at, target_name(l), flags, 0666);
    if (l->fd < 0 && errno == ENOENT) {
        lake_rc rc = make_parents_at(l->at, target_name(l), target(l), err);
        if (rc)
            return rc;
        l->fd = openat(l->at, target_name(l), flags, 0666);
    }
    if (l->fd < 0)
        return lake_error_set(err, LAKE_ERR_IO, "cannot create %s: %s", target(l), strerror(errno));
    return LAKE_OK;
}

static lake_rc write_fd(local_sink *l, const void *data, size_t len, lake_error *err) {
    if (l->fd < 0) {
        lake_rc rc = open_target(l, err);
        if (rc)
            return rc;
    }
    const char *p = data;
    while (len) {
        ssize_t n = write(l->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return lake_error_set(err, LAKE_ERR_IO, "cannot write %s: %s", target(l),
                                  strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    return LAKE_OK;
}

static lake_rc flush(local_sink *l, lake_error *err) {
    lake_rc rc = write_fd(l, l->buf.data ? l->buf.data : (const uint8_t *)"", l->buf.len, err);
    lake_buf_resize(&l->buf, 0);
    return rc;
}

static lake_rc sink_write(lake_store_writer *w, const void *data, size_t len, lake_error *err) {
    local_sink *l = (local_sink *)w;
    if (l->buf.len + len <= LOCAL_SINK_BUF) {
        lake_buf_append(&l->buf, data, len);
        return LAKE_OK;
    }
    lake_rc rc = flush(l, err);
    if (rc)
        return rc;
    if (len >= LOCAL_SINK_BUF)
        return write_fd(l, data, len, err); /* large pieces skip the copy */
    lake_buf_append(&l->buf, data, len);
    return LAKE_OK;
}

static void sink_abort(lake_store_writer *w) {
    local_sink *l = (local_sink *)w;
    if (l->fd < 0)
        return; /* nothing was created */
    close(l->fd);
    l->fd = -1;
    unlinkat(l->at, target_name(l), 0);
}

static lake_rc sink_finish(lake_store_writer *w, lake_error *err) {
    local_sink *l = (local_sink *)w;
    lake_rc rc = flush(l, err);
    if (!rc) {
        int fd = l->fd;
        l->fd = -1;
        if (close(fd) != 0)
            rc =
                lake_error_set(err, LAKE_ERR_IO, "cannot write %s: %s", target(l), strerror(errno));
        else if (l->tmp && renameat(l->at, l->tmp_name, l->at, l->name) != 0)
            rc = lake_error_set(err, LAKE_ERR_IO, "cannot rename %s to %s: %s", l->tmp, l->path,
                                strerror(errno));
        if (rc)
            unlinkat(l->at, target_name(l), 0);
    }
    if (rc)
        sink_abort(w);
    return rc;
}

static void sink_free(lake_store_writer *w) {
    local_sink *l = (local_sink *)w;
    if (l->fd >= 0)
        close(l->fd);
    lake_buf_free(&l->buf);
    free(l->path);
    free(l->tmp);
    if (l->name != l->path)
        free(l->name);
    if (l->tmp_name != l->tmp)
        free(l->tmp_name);
    free(l);
}

static const lake_store_writer_ops local_sink_ops = {
    .write = sink_write,
    .finish = sink_finish,
    .abort = sink_abort,
    .free = sink_free,
};

lake_rc lake__local_writer_open(const char *root, int rootfd, const char *key, unsigned flags,
                                lake_store_writer **out, lake_error *err) {
    (void)err;
    local_sink *l = lake_xcalloc(1, sizeof *l);
    l->base.ops = &local_sink_ops;
    l->path = lake_xconcat(root, "/", key);
    if (!(flags & LAKE_STORE_WRITE_NEW)) {
        char suffix[48];
        snprintf(suffix, sizeof suffix, ".tmp-%d-%u", (int)getpid(),
                 atomic_fetch_add(&sink_counter, 1));
        l->tmp = lake_xconcat(l->path, suffix);
        if (rootfd >= 0)
            l->tmp_name = lake_xconcat(key, suffix);
    }
    l->at = rootfd >= 0 ? rootfd : AT_FDCWD;
    l->name = rootfd >= 0 ? lake_xstrdup(key) : l->path;
    if (!l->tmp_name)
        l->tmp_name = l->tmp;
    l->fd = -1;
    l->new_dir = flags & LAKE_STORE_WRITE_NEW_DIR;
    lake_buf_init(&l->buf);
    *out = &l->base;
    return LAKE_OK;
}
