/* Backend contract behind include/lake/store.h, private to src/store/: each backend (local/,
 * s3/) fills a lake_store_ops table and embeds lake_store_writer as the first member of its
 * streaming writers; store.c and view.c dispatch through them. Owns nothing itself; uses the
 * public store API and store/view.h. Code outside src/store/ must not include it (tests that
 * fake a backend are the exception). */
#ifndef LAKE_STORE_IMPL_H
#define LAKE_STORE_IMPL_H

#include "lake/store.h"
#include "store/view.h"

typedef struct {
    lake_rc (*list)(lake_store *s, const char *prefix, lake_obj_list *out, lake_error *err);
    /* Optional: NULL makes lake_store_list_read a plain list. flags may be acted on (a local
     * walk skips hidden directories); store.c applies LAKE_LIST_SKIP_HIDDEN to the result
     * either way. */
    lake_rc (*list_read)(lake_store *s, const char *prefix, size_t max_bytes, size_t budget,
                         unsigned flags, lake_obj_list *out, lake_error *err);
    /* Optional: one level below prefix ("" or ending in '/'; lake_store_list_delim), both lists
     * in any order; NULL derives it from a full listing. */
    lake_rc (*list_delim)(lake_store *s, const char *prefix, lake_obj_list *objects,
                          lake_obj_list *prefixes, lake_error *err);
    /* Optional: every object under prefixes[i] into outs[i], sorted, for all i at once
     * (lake_store_list_many); NULL runs list_read per prefix on several threads. flags may be
     * acted on, as list_read's; store.c applies LAKE_LIST_SKIP_HIDDEN either way. On failure
     * the caller frees whatever outs hold. */
    lake_rc (*list_many)(lake_store *s, const char *const *prefixes, size_t n, unsigned flags,
                         lake_obj_list *outs, lake_error *err);
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
    /* Optional: NULL makes lake_store_delete_many loop over del. */
    lake_rc (*del_many)(lake_store *s, const char *const *keys, size_t n, lake_error *err);
    /* Optional, all three or none: pending objects (lake_store_publish, lake_store_discard,
     * lake_store_discard_all); the writers then implement pend. */
    lake_rc (*publish)(lake_store *s, const char *const *keys, const char *const *tokens, size_t n,
                       lake_error *err);
    lake_rc (*discard)(lake_store *s, const char *const *keys, const char *const *tokens, size_t n,
                       lake_error *err);
    lake_rc (*discard_all)(lake_store *s, const char *prefix, size_t *n, lake_error *err);
    lake_rc (*rename_prefix)(lake_store *s, const char *from, const char *to, lake_error *err);
    /* Optional (with rename_prefix): see lake_store_swap_prefix. */
    lake_rc (*swap_prefix)(lake_store *s, const char *from, const char *to, lake_error *err);
    /* Optional: a cheaper lake_store_exists than listing. */
    lake_rc (*exists)(lake_store *s, const char *key, bool *yes, lake_error *err);
    /* Optional: see lake_store_lock; *out is the backend's handle, released by unlock. */
    lake_rc (*lock)(lake_store *s, const char *key, const char *holder, double wait_s, void **out,
                    lake_error *err);
    void (*unlock)(lake_store *s, void *handle);
    /* Optional: false once the lock was lost (an S3 lease taken over). */
    bool (*lock_held)(lake_store *s, void *handle);
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
    /* Optional: stores every byte and leaves the object pending (LAKE_STORE_WRITE_PENDING), or
     * on failure removes what exists of it. */
    lake_rc (*pend)(lake_store_writer *w, char **token, lake_error *err);
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

/* Opens a local directory store rooted at path (src/store/local/local.c). Succeeds also when
 * the directory does not exist yet (an output is created by its first write). */
lake_rc lake__store_local_open(const char *path, lake_store **out, lake_error *err);

/* Opens an S3 store for s3://bucket/prefix or s3a://bucket/prefix (src/store/s3/s3.c). Fails
 * when libcurl cannot be loaded, the URL or settings are invalid, no credentials are found, the
 * bucket does not exist or its endpoint cannot be reached; err then says which. */
lake_rc lake__store_s3_open(const char *url, const lake_store_options *opts, lake_store **out,
                            lake_error *err);

#endif
