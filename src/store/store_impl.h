/* Backend contract behind include/lake/store.h: each backend fills a lake_store_ops table. */
#ifndef LAKE_STORE_IMPL_H
#define LAKE_STORE_IMPL_H

#include "lake/store.h"
#include "store/view.h"

typedef struct {
    lake_rc (*list)(lake_store *s, const char *prefix, lake_obj_list *out, lake_error *err);
    /* Optional: NULL makes lake_store_list_read a plain list. */
    lake_rc (*list_read)(lake_store *s, const char *prefix, size_t max_bytes, size_t budget,
                         lake_obj_list *out, lake_error *err);
    lake_rc (*get)(lake_store *s, const char *key, lake_buf *out, lake_error *err);
    /* Optional: NULL makes lake_store_get_many loop over get. */
    lake_rc (*get_many)(lake_store *s, const char *const *keys, size_t n, lake_buf *outs,
                        lake_error *errs);
    lake_rc (*put)(lake_store *s, const char *key, const void *data, size_t len, lake_error *err);
    /* Optional: NULL makes lake_store_put_new use put. */
    lake_rc (*put_new)(lake_store *s, const char *key, const void *data, size_t len,
                       lake_error *err);
    lake_rc (*del)(lake_store *s, const char *key, lake_error *err);
    lake_rc (*del_prefix)(lake_store *s, const char *prefix, lake_error *err);
    lake_rc (*rename_prefix)(lake_store *s, const char *from, const char *to, lake_error *err);
    /* Optional: maps an object read-only (lake_store_map); NULL means objects are read. */
    lake_rc (*map)(lake_store *s, const char *key, lake_view *out, lake_error *err);
    /* Starts a streaming writer for key (see lake_store_writer_open). */
    lake_rc (*writer_open)(lake_store *s, const char *key, unsigned flags, lake_store_writer **out,
                           lake_error *err);
    void (*close)(lake_store *s);
} lake_store_ops;

/* What every streaming writer starts with; backends embed it as their first member. */
typedef struct {
    lake_rc (*write)(lake_store_writer *w, const void *data, size_t len, lake_error *err);
    /* Completes the object, or on failure removes what exists of it. */
    lake_rc (*finish)(lake_store_writer *w, lake_error *err);
    void (*abort)(lake_store_writer *w); /* removes what exists of the object */
    void (*free)(lake_store_writer *w);  /* called by the generic layer after finish or abort */
} lake_store_writer_ops;

struct lake_store_writer {
    const lake_store_writer_ops *ops;
    uint64_t size; /* bytes accepted so far */
};

struct lake_store {
    const lake_store_ops *ops;
    char *url;
    void *impl;
};

/* Creates the missing parent directories of the file path (src/store/local/local_sink.c). */
lake_rc lake__local_make_parents(const char *path, lake_error *err);
/* The same for name relative to the directory at (or AT_FDCWD); shown names it in messages. */
lake_rc lake__local_make_parents_at(int at, const char *name, const char *shown, lake_error *err);
/* Streaming writer into a local store rooted at the directory root, given without a trailing
 * '/' as the local store keeps it, and open as rootfd (-1 while the directory does not exist:
 * names are then full paths) (src/store/local/local_sink.c): writes in place for
 * LAKE_STORE_WRITE_NEW, else to a temporary name renamed at finish, as lake_store_put_new and
 * lake_store_put do. */
lake_rc lake__local_writer_open(const char *root, int rootfd, const char *key, unsigned flags,
                                lake_store_writer **out, lake_error *err);

/* Opens a local directory store (src/store/local/local.c). */
lake_rc lake__store_local_open(const char *path, lake_store **out, lake_error *err);
/* Maps the file at path as a lake_view (src/store/view.c, for the local backend's map). */
lake_rc lake__map_file(const char *path, lake_view *out, lake_error *err);

/* Opens an S3 store for s3://bucket/prefix or s3a://bucket/prefix (src/store/s3/s3.c). */
lake_rc lake__store_s3_open(const char *url, const lake_store_options *opts, lake_store **out,
                            lake_error *err);

#endif
