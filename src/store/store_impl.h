/* Backend contract behind include/lake/store.h: each backend fills a lake_store_ops table. */
#ifndef LAKE_STORE_IMPL_H
#define LAKE_STORE_IMPL_H

#include "lake/store.h"

typedef struct {
    lake_rc (*list)(lake_store *s, const char *prefix, lake_obj_list *out, lake_error *err);
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
    void (*close)(lake_store *s);
} lake_store_ops;

struct lake_store {
    const lake_store_ops *ops;
    char *url;
    void *impl;
};

/* Opens a local directory store (src/store/local.c). */
lake_rc lake__store_local_open(const char *path, lake_store **out, lake_error *err);
/* The root directory of a local store, or NULL when s is another backend (src/store/view.c maps
 * files under it). */
const char *lake__store_local_root(const lake_store *s);

/* Opens an S3 store for s3://bucket/prefix or s3a://bucket/prefix (src/store/s3.c). */
lake_rc lake__store_s3_open(const char *url, const lake_store_options *opts, lake_store **out,
                            lake_error *err);

/* Appends (key, size) to l, copying key. */
void lake__obj_list_add(lake_obj_list *l, const char *key, uint64_t size);
/* Moves obj (its key) into l; obj->key becomes NULL. */
void lake__obj_list_take(lake_obj_list *l, lake_obj *obj);
/* Sorts l by key, byte-wise ascending. */
void lake__obj_list_sort(lake_obj_list *l);

#endif
