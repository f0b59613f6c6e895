/* The local backend's listing: a recursive walk of the root directory that keeps the keys under
 * a prefix, optionally reading small files as it goes (lake_store_list_read). The first level
 * inside the prefix is walked on one thread, the directories found there on several.
 *
 * The walk follows symbolic links, so a link to one of its own ancestors would make it endless:
 * every directory it enters is checked, by device and inode, against the directories on its
 * path from the root (a chain that deferred directories carry to the thread that walks them),
 * and such a loop fails the listing, naming the link and the ancestor it leads back to. Two
 * links to one directory that is not an ancestor are no loop: it is listed under both names. */
#include "store/local/local_internal.h"
#include "base/pool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A directory on the walk's current path: its identity, and the length of its path (a prefix
 * of every path below it), for naming it in a loop error. */
typedef struct dir_id {
    dev_t dev;
    ino_t ino;
    size_t pathlen;
    const struct dir_id *up; /* its parent on the path; NULL for the root */
} dir_id;

/* One listing walk: entries outside the prefix are skipped; with `pending` set, directories
 * inside the prefix are collected there instead of entered (the parallel second phase walks
 * them). */
typedef struct {
    char *dir, *rel;
    dir_id *chain; /* the path of its parent, copied (chain[0] is the parent); freed after */
} pending_dir;

typedef struct {
    const char *prefix;
    size_t plen;
    lake_obj_list *out;
    pending_dir *pending; /* NULL: recurse */
    size_t npending, cap;
    size_t read_max;           /* files up to this size are read while listed; 0: none */
    _Atomic size_t *read_left; /* bytes the listing may still read, shared by its threads */
    bool skip_hidden;          /* LAKE_LIST_SKIP_HIDDEN: skip '_' and '.' names below prefix */
} walk_ctx;

/* Directory entries are read this many bytes at a time (getdents64). */
#define WALK_DENTS_BYTES 32768

static lake_rc walk(walk_ctx *w, int at, const char *name, const char *dir, const char *rel,
                    const dir_id *up, lake_error *err);

/* Is key inside prefix, or a directory on the way to it? */
static bool on_prefix_path(const char *key, size_t klen, const char *prefix, size_t plen) {
    return !strncmp(key, prefix, klen < plen ? klen : plen);
}

/* A heap copy of the chain up, linked inside itself, for a directory walked later. */
static dir_id *copy_chain(const dir_id *up) {
    size_t n = 0;
    for (const dir_id *d = up; d; d = d->up)
        n++;
    dir_id *c = lake_xmalloc(n * sizeof *c);
    size_t i = 0;
    for (const dir_id *d = up; d; d = d->up, i++)
        c[i] = (dir_id){d->dev, d->ino, d->pathlen, i + 1 < n ? &c[i + 1] : NULL};
    return c;
}

static void defer_dir(walk_ctx *w, const char *dir, const char *name, const char *key,
                      const dir_id *up) {
    if (w->npending == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 32;
        w->pending = lake_xrealloc(w->pending, w->cap * sizeof *w->pending);
    }
    w->pending[w->npending++] =
        (pending_dir){lake_xasprintf("%s/%s", dir, name), lake_xstrdup(key), copy_chain(up)};
}

static lake_rc enter_dir(walk_ctx *w, int dfd, const char *dir, const char *name, const char *key,
                         size_t klen, const dir_id *up, lake_error *err) {
    if (w->pending && klen >= w->plen) {
        defer_dir(w, dir, name, key, up);
        return LAKE_OK;
    }
    char *path = lake_xasprintf("%s/%s", dir, name);
    lake_rc rc = walk(w, dfd, name, path, key, up, err);
    free(path);
    return rc;
}

/* Is the directory open as fd, at path dir, one of its own ancestors (a link loop)? Fills *me
 * with its identity for the directories below it. */
static lake_rc check_loop(int fd, int at, const char *name, const char *dir, const dir_id *up,
                          dir_id *me, lake_error *err) {
    struct stat st;
    if (fstat(fd, &st) != 0)
        return lake_error_set(err, LAKE_ERR_IO, "cannot stat %s: %s", dir, strerror(errno));
    *me = (dir_id){st.st_dev, st.st_ino, strlen(dir), up};
    for (const dir_id *a = up; a; a = a->up) {
        if (a->dev != st.st_dev || a->ino != st.st_ino)
            continue;
        char target[512];
        ssize_t n = readlinkat(at, name, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        return lake_error_set(err, LAKE_ERR_IO,
                              "directory loop: %s%s%s leads back to its ancestor %.*s (a symbolic "
                              "link to a directory above it; remove the link or point it "
                              "elsewhere)",
                              dir, n > 0 ? " -> " : "", target, (int)a->pathlen, dir);
    }
    return LAKE_OK;
}

/* Takes n bytes of the listing's read budget, if it has them. */
static bool take_budget(walk_ctx *w, size_t n) {
    size_t left = atomic_load(w->read_left);
    while (left >= n)
        if (atomic_compare_exchange_weak(w->read_left, &left, left - n))
            return true;
    return false;
}

/* Reads the whole file fd of st.st_size bytes into a padded buffer, or returns NULL (a short
 * read means the file changed: the later get reads it again and reports what it finds). */
static uint8_t *read_whole(int fd, size_t size) {
    uint8_t *p = lake_xmalloc(size + LAKE_BUF_PADDING);
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, p + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got != size) {
        free(p);
        return NULL;
    }
    memset(p + size, 0, LAKE_BUF_PADDING);
    return p;
}

/* A regular file listed with its bytes: opened relative to the directory being read, so the
 * stat the listing needs comes from the open file, and the get it saves would have walked the
 * whole path again. Returns false when the file could not be opened or is not a regular file;
 * the caller then stats it as usual and the get reports any error. */
static bool list_with_data(walk_ctx *w, int dfd, const char *name, const char *key) {
    int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return false;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (ok) {
        size_t size = (size_t)st.st_size;
        uint8_t *data = NULL;
        if (size <= w->read_max && take_budget(w, size))
            data = read_whole(fd, size);
        lake_obj_list_add_data(w->out, key, (uint64_t)st.st_size, data);
    }
    close(fd);
    return ok;
}

/* One directory entry: d_type saves a stat for directories; files need one (relative to the
 * open directory, so no full path walk) for their size. */
static lake_rc walk_entry(walk_ctx *w, int dfd, const char *dir, const char *rel, const char *name,
                          unsigned char type, const dir_id *up, lake_error *err) {
    char *key = *rel ? lake_xconcat(rel, "/", name) : lake_xstrdup(name);
    size_t klen = strlen(key);
    lake_rc rc = LAKE_OK;
    struct stat st;
    if (!on_prefix_path(key, klen, w->prefix, w->plen))
        goto out;
    /* a hidden name whose component lies below the prefix: not entered, not even stat'ed */
    if (w->skip_hidden && klen - strlen(name) >= w->plen && (name[0] == '_' || name[0] == '.'))
        goto out;
    bool is_dir = type == DT_DIR, is_reg = type == DT_REG;
    if (is_reg && klen >= w->plen && w->read_max && list_with_data(w, dfd, name, key))
        goto out;
    if ((is_reg && klen >= w->plen) || type == DT_UNKNOWN || type == DT_LNK) {
        if (fstatat(dfd, name, &st, 0) != 0) {
            rc = lake_error_set(err, LAKE_ERR_IO, "cannot stat %s/%s: %s", dir, name,
                                strerror(errno));
            goto out;
        }
        is_dir = S_ISDIR(st.st_mode);
        is_reg = S_ISREG(st.st_mode);
    }
    if (is_dir)
        rc = enter_dir(w, dfd, dir, name, key, klen, up, err);
    else if (is_reg && klen >= w->plen)
        lake_obj_list_add(w->out, key, (uint64_t)st.st_size);
out:
    free(key);
    return rc;
}

/* The entries of one getdents64 block. */
static lake_rc walk_block(walk_ctx *w, int fd, const char *dir, const char *rel, const char *buf,
                          size_t len, const dir_id *up, lake_error *err) {
    lake_rc rc = LAKE_OK;
    for (size_t off = 0; !rc && off < len;) {
        const struct dirent64 *e = (const void *)(buf + off);
        off += e->d_reclen;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        rc = walk_entry(w, fd, dir, rel, e->d_name, e->d_type, up, err);
    }
    return rc;
}

/* Lists directory `name` under the open directory at, whose path is dir (for messages), below
 * the directories up. The entries are read with getdents64 into a buffer of our own: opendir
 * would add an fstat and two fcntl calls per directory, and song_data has one directory per one
 * or two files (the loop check's one fstat stays). */
static lake_rc walk(walk_ctx *w, int at, const char *name, const char *dir, const char *rel,
                    const dir_id *up, lake_error *err) {
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return LAKE_OK;
        return lake_error_set(err, LAKE_ERR_IO, "cannot list %s: %s", dir, strerror(errno));
    }
    dir_id me;
    lake_rc rc = check_loop(fd, at, name, dir, up, &me, err);
    if (rc) {
        close(fd);
        return rc;
    }
    char *buf = lake_xmalloc(WALK_DENTS_BYTES);
    for (;;) {
        ssize_t n = getdents64(fd, buf, WALK_DENTS_BYTES);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = lake_error_set(err, LAKE_ERR_IO, "cannot list %s: %s", dir, strerror(errno));
        if (n <= 0 || (rc = walk_block(w, fd, dir, rel, buf, (size_t)n, &me, err)) != LAKE_OK)
            break;
    }
    free(buf);
    close(fd);
    return rc;
}

/* Second phase: the directories inside the prefix, walked on several threads (listing tens of
 * thousands of song files is directory reads and stats in the kernel, which run in parallel). */
typedef struct {
    walk_ctx *top;
    lake_obj_list *lists;
    lake_error *errs;
} list_job;

static int list_task(void *ctx, size_t i, unsigned worker) {
    (void)worker;
    list_job *j = ctx;
    walk_ctx w = *j->top;
    w.out = &j->lists[i];
    w.pending = NULL, w.npending = w.cap = 0;
    pending_dir *p = &j->top->pending[i];
    return (int)walk(&w, AT_FDCWD, p->dir, p->dir, p->rel, p->chain, &j->errs[i]);
}

static unsigned list_threads(size_t n) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t t = cpus < 1 ? 1 : cpus > 8 ? 8 : (size_t)cpus;
    return (unsigned)(t < n ? t : n ? n : 1);
}

static lake_rc walk_pending(walk_ctx *top, lake_error *err) {
    size_t n = top->npending;
    list_job j = {top, lake_xcalloc(n + 1, sizeof *j.lists), lake_xcalloc(n + 1, sizeof *j.errs)};
    lake_rc rc = n ? (lake_rc)lake_parallel_for(list_threads(n), n, list_task, &j) : LAKE_OK;
    bool reported = false;
    for (size_t i = 0; i < n; i++) {
        if (rc && j.errs[i].rc && !reported)
            *err = j.errs[i], reported = true;
        for (size_t k = 0; k < j.lists[i].n; k++)
            lake_obj_list_take(top->out, &j.lists[i].items[k]);
        lake_obj_list_free(&j.lists[i]);
        free(top->pending[i].dir);
        free(top->pending[i].rel);
        free(top->pending[i].chain);
    }
    free(j.lists);
    free(j.errs);
    return rc;
}

lake_rc lake__local_list_read(const char *root, const char *prefix, size_t read_max, size_t budget,
                              unsigned flags, lake_obj_list *out, lake_error *err) {
    _Atomic size_t left = budget;
    walk_ctx w = {prefix,
                  strlen(prefix),
                  out,
                  NULL,
                  0,
                  0,
                  read_max,
                  &left,
                  (flags & LAKE_LIST_SKIP_HIDDEN) != 0};
    w.pending = lake_xmalloc(sizeof *w.pending);
    w.cap = 1;
    lake_rc rc = walk(&w, AT_FDCWD, root, root, "", NULL, err);
    for (size_t i = 0; rc && i < w.npending; i++) /* failed: free what was collected */
        free(w.pending[i].dir), free(w.pending[i].rel), free(w.pending[i].chain);
    if (!rc)
        rc = walk_pending(&w, err);
    free(w.pending);
    if (!rc)
        lake_obj_list_sort(out);
    return rc;
}

/* One entry of a level: a directory is a common prefix, a regular file an object (with its
 * size); anything else (sockets, fifos, dangling links) is neither, as in the walk. */
static void level_entry(int dfd, const char *prefix, const char *name, unsigned char type,
                        lake_obj_list *objects, lake_obj_list *prefixes) {
    bool is_dir = type == DT_DIR;
    uint64_t size = 0;
    if (!is_dir) {
        struct stat st;
        if (fstatat(dfd, name, &st, 0) != 0)
            return;
        is_dir = S_ISDIR(st.st_mode);
        if (!is_dir && !S_ISREG(st.st_mode))
            return;
        size = is_dir ? 0 : (uint64_t)st.st_size;
    }
    char *key = lake_xasprintf("%s%s%s", prefix, name, is_dir ? "/" : "");
    lake_obj_list_add(is_dir ? prefixes : objects, key, size);
    free(key);
}

lake_rc lake__local_list_delim(const char *root, const char *prefix, lake_obj_list *objects,
                               lake_obj_list *prefixes, lake_error *err) {
    char *path = lake_xasprintf("%s/%s", root, prefix);
    DIR *d = opendir(path);
    lake_rc rc = LAKE_OK;
    if (!d) {
        if (errno != ENOENT && errno != ENOTDIR)
            rc = lake_error_set(err, LAKE_ERR_IO, "cannot list %s: %s", path, strerror(errno));
        goto out;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            level_entry(dirfd(d), prefix, e->d_name, e->d_type, objects, prefixes);
    closedir(d);
out:
    free(path);
    return rc;
}
