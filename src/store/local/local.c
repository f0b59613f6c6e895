/* Local directory backend: keys are paths relative to the root directory. Writes go to a
 * temporary file in the same directory and are renamed into place, so an object is complete or
 * absent. The listing walk is in local_list.c, the streaming writer in local_sink.c, the map in
 * local_map.c. */
#include "store/local/local_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h> /* rename */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char *root;         /* without trailing '/' */
    _Atomic int rootfd; /* the root directory once it exists (keys resolve from it, a shorter
                         * path walk than from '/'), else -1 */
} local_store;

/* The root's descriptor, opened on first use when the root did not exist at open (an output
 * directory is created by the first file written into it). -1 while it does not exist. */
static int root_fd(local_store *l) {
    int fd = atomic_load(&l->rootfd);
    if (fd >= 0)
        return fd;
    fd = open(l->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int none = -1;
    if (!atomic_compare_exchange_strong(&l->rootfd, &none, fd)) {
        close(fd); /* another thread opened it first */
        return none;
    }
    return fd;
}

static char *full_path(lake_store *s, const char *key) {
    local_store *l = s->impl;
    return lake_xasprintf("%s/%s", l->root, key);
}

static lake_rc local_list_read(lake_store *s, const char *prefix, size_t read_max, size_t budget,
                               unsigned flags, lake_obj_list *out, lake_error *err) {
    local_store *l = s->impl;
    return lake__local_list_read(l->root, prefix, read_max, budget, flags, out, err);
}

static lake_rc local_list(lake_store *s, const char *prefix, lake_obj_list *out, lake_error *err) {
    return local_list_read(s, prefix, 0, 0, 0, out, err);
}

static lake_rc local_list_delim(lake_store *s, const char *prefix, lake_obj_list *objects,
                                lake_obj_list *prefixes, lake_error *err) {
    local_store *l = s->impl;
    return lake__local_list_delim(l->root, prefix, objects, prefixes, err);
}

static lake_rc read_all(int fd, const char *path, lake_buf *out, lake_error *err) {
    struct stat st;
    if (fstat(fd, &st) != 0)
        return lake_error_set(err, LAKE_ERR_IO, "cannot stat %s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return lake_error_set(err, LAKE_ERR_IO, "%s is not a regular file", path);
    size_t start = out->len, want = (size_t)st.st_size;
    lake_buf_reserve(out, want + 1);
    for (;;) {
        lake_buf_reserve(out, 1 << 16);
        size_t room = out->cap - out->len - LAKE_BUF_PADDING;
        ssize_t n = read(fd, out->data + out->len, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return lake_error_set(err, LAKE_ERR_IO, "cannot read %s: %s", path, strerror(errno));
        out->len += (size_t)n;
        /* A short read of a regular file is its end: with the whole size read, this saves the
         * read that would return 0 (one system call per small song file). */
        if (n == 0 || ((size_t)n < room && out->len - start >= want))
            break;
    }
    memset(out->data + out->len, 0, LAKE_BUF_PADDING);
    return LAKE_OK;
}

static lake_rc local_get(lake_store *s, const char *key, lake_buf *out, lake_error *err) {
    local_store *l = s->impl;
    char *path = full_path(s, key);
    lake_rc rc;
    int at = root_fd(l);
    int fd = at >= 0 ? openat(at, key, O_RDONLY | O_CLOEXEC) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = lake_error_set(err, errno == ENOENT ? LAKE_ERR_NOT_FOUND : LAKE_ERR_IO,
                            "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    rc = read_all(fd, path, out, err);
    close(fd);
out:
    free(path);
    return rc;
}

/* Puts go through the streaming writer (local_sink.c): one copy of the placement
 * rules (temporary name + rename, or in place for private staging keys). */
static lake_rc put_with(lake_store *s, const char *key, const void *data, size_t len,
                        unsigned flags, lake_error *err) {
    lake_store_writer *w = NULL;
    lake_rc rc = lake_store_writer_open(s, key, flags, &w, err);
    if (!rc)
        rc = lake_store_writer_write(w, data, len, err);
    if (rc) {
        lake_store_writer_abort(w);
        return rc;
    }
    return lake_store_writer_finish(w, err);
}

static lake_rc local_put(lake_store *s, const char *key, const void *data, size_t len,
                         lake_error *err) {
    return put_with(s, key, data, len, 0, err);
}

static lake_rc local_put_new(lake_store *s, const char *key, const void *data, size_t len,
                             lake_error *err) {
    return put_with(s, key, data, len, LAKE_STORE_WRITE_NEW, err);
}

static lake_rc local_del(lake_store *s, const char *key, lake_error *err) {
    char *path = full_path(s, key);
    lake_rc rc = LAKE_OK;
    if (unlink(path) != 0 && errno != ENOENT)
        rc = lake_error_set(err, LAKE_ERR_IO, "cannot delete %s: %s", path, strerror(errno));
    free(path);
    return rc;
}

static lake_rc remove_tree(const char *path, lake_error *err) {
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT
                   ? LAKE_OK
                   : lake_error_set(err, LAKE_ERR_IO, "cannot stat %s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            return lake_error_set(err, LAKE_ERR_IO, "cannot list %s: %s", path, strerror(errno));
        struct dirent *e;
        lake_rc rc = LAKE_OK;
        while (!rc && (e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char *child = lake_xasprintf("%s/%s", path, e->d_name);
            rc = remove_tree(child, err);
            free(child);
        }
        closedir(d);
        if (rc)
            return rc;
        if (rmdir(path) != 0)
            return lake_error_set(err, LAKE_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
        return LAKE_OK;
    }
    if (unlink(path) != 0 && errno != ENOENT)
        return lake_error_set(err, LAKE_ERR_IO, "cannot delete %s: %s", path, strerror(errno));
    return LAKE_OK;
}

/* Prefixes handed to the local backend are directory prefixes ("songs/"); strip the slash. */
static char *dir_path(lake_store *s, const char *prefix) {
    char *p = full_path(s, prefix);
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    return p;
}

static lake_rc local_del_prefix(lake_store *s, const char *prefix, lake_error *err) {
    if (!*prefix)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "refusing to delete the store root");
    char *p = dir_path(s, prefix);
    lake_rc rc = remove_tree(p, err);
    free(p);
    return rc;
}

static lake_rc local_rename_prefix(lake_store *s, const char *from, const char *to,
                                   lake_error *err) {
    char *a = dir_path(s, from), *b = dir_path(s, to);
    lake_rc rc = lake__local_make_parents(b, err);
    if (!rc && rename(a, b) != 0)
        rc = lake_error_set(err, errno == ENOENT ? LAKE_ERR_NOT_FOUND : LAKE_ERR_IO,
                            "cannot rename %s to %s: %s", a, b, strerror(errno));
    free(a);
    free(b);
    return rc;
}

/* renameat2's RENAME_EXCHANGE swaps two directories in one step, so the destination is never
 * missing; a destination that does not exist yet takes a plain rename. */
static int swap_paths(const char *a, const char *b) {
    if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0)
        return 0;
    if (errno != ENOENT || access(a, F_OK) != 0)
        return -1;
    return rename(a, b);
}

static lake_rc local_swap_prefix(lake_store *s, const char *from, const char *to, lake_error *err) {
    char *a = dir_path(s, from), *b = dir_path(s, to);
    lake_rc rc = lake__local_make_parents(b, err);
    if (!rc && swap_paths(a, b) != 0) {
        if (errno == EINVAL || errno == ENOSYS)
            rc = lake_error_set(err, LAKE_ERR_UNSUPPORTED,
                                "cannot swap %s and %s: the file system cannot exchange two "
                                "directories at once (renameat2 RENAME_EXCHANGE), which lake's "
                                "commit needs; write to a local file system (ext4, xfs, btrfs, "
                                "tmpfs) or to S3",
                                a, b);
        else
            rc = lake_error_set(err, errno == ENOENT ? LAKE_ERR_NOT_FOUND : LAKE_ERR_IO,
                                "cannot swap %s and %s: %s", a, b, strerror(errno));
    }
    free(a);
    free(b);
    return rc;
}

static lake_rc local_exists(lake_store *s, const char *key, bool *yes, lake_error *err) {
    char *p = dir_path(s, key);
    struct stat st;
    lake_rc rc = LAKE_OK;
    *yes = stat(p, &st) == 0;
    if (!*yes && errno != ENOENT && errno != ENOTDIR)
        rc = lake_error_set(err, LAKE_ERR_IO, "cannot stat %s: %s", p, strerror(errno));
    free(p);
    return rc;
}

static void local_close(lake_store *s) {
    local_store *l = s->impl;
    int fd = atomic_load(&l->rootfd);
    if (fd >= 0)
        close(fd);
    free(l->root);
    free(l);
}

static lake_rc local_map(lake_store *s, const char *key, lake_view *out, lake_error *err) {
    char *path = full_path(s, key);
    lake_rc rc = lake__local_map_file(path, out, err);
    free(path);
    return rc;
}

static lake_rc local_writer_open(lake_store *s, const char *key, unsigned flags,
                                 lake_store_writer **out, lake_error *err) {
    local_store *l = s->impl;
    return lake__local_writer_open(l->root, root_fd(l), key, flags, out, err);
}

static const lake_store_ops local_ops = {
    .list = local_list,
    .list_read = local_list_read,
    .list_delim = local_list_delim,
    .get = local_get,
    .put = local_put,
    .put_new = local_put_new,
    .del = local_del,
    .del_prefix = local_del_prefix,
    .rename_prefix = local_rename_prefix,
    .swap_prefix = local_swap_prefix,
    .exists = local_exists,
    .lock = lake__local_lock,
    .unlock = lake__local_unlock,
    .map = local_map,
    .writer_open = local_writer_open,
    .close = local_close,
};

lake_rc lake__store_local_open(const char *path, lake_store **out, lake_error *err) {
    (void)err;
    local_store *l = lake_xcalloc(1, sizeof *l);
    l->root = lake_xstrdup(path);
    size_t n = strlen(l->root);
    while (n > 1 && l->root[n - 1] == '/')
        l->root[--n] = '\0';
    atomic_init(&l->rootfd, -1);
    root_fd(l);
    lake_store *s = lake_xcalloc(1, sizeof *s);
    s->ops = &local_ops;
    s->url = lake_xstrdup(path);
    s->impl = l;
    *out = s;
    return LAKE_OK;
}
