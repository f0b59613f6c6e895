/* Dispatch from the public store API to a backend chosen by the URL scheme. */
#include "base/pool.h"
#include "store/store_impl.h"

#include <stdlib.h>
#include <string.h>

lake_rc lake_store_open_ex(const char *url, const lake_store_options *opts, lake_store **out,
                           lake_error *err) {
    *out = NULL;
    if (!url || !*url)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "empty store location");
    if (!strncmp(url, "s3://", 5) || !strncmp(url, "s3a://", 6))
        return lake__store_s3_open(url, opts, out, err);
    if (strstr(url, "://"))
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "%s: unknown scheme (expected a local path or s3://bucket/prefix)",
                              url);
    return lake__store_local_open(url, out, err);
}

lake_rc lake_store_open(const char *url, lake_store **out, lake_error *err) {
    return lake_store_open_ex(url, NULL, out, err);
}

void lake_store_close(lake_store *s) {
    if (!s)
        return;
    s->ops->close(s);
    free(s->url);
    free(s);
}

const char *lake_store_url(const lake_store *s) {
    return s->url;
}

lake_rc lake_store_list(lake_store *s, const char *prefix, lake_obj_list *out, lake_error *err) {
    return s->ops->list(s, prefix ? prefix : "", out, err);
}

bool lake_key_hidden_below(const char *key, size_t plen) {
    for (size_t i = 0; key[i]; i++)
        if ((i == 0 || key[i - 1] == '/') && i >= plen && (key[i] == '_' || key[i] == '.'))
            return true;
    return false;
}

/* Drops the hidden keys of l (in place, keeping the order), with any bytes read for them. */
static void drop_hidden(lake_obj_list *l, size_t plen) {
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (lake_key_hidden_below(l->items[i].key, plen)) {
            free(l->items[i].key);
            free(l->items[i].data);
            continue;
        }
        l->items[n++] = l->items[i];
    }
    l->n = n;
}

lake_rc lake_store_list_read(lake_store *s, const char *prefix, size_t max_bytes, size_t budget,
                             unsigned flags, lake_obj_list *out, lake_error *err) {
    prefix = prefix ? prefix : "";
    lake_rc rc = s->ops->list_read
                     ? s->ops->list_read(s, prefix, max_bytes, budget, flags, out, err)
                     : lake_store_list(s, prefix, out, err);
    if (!rc && (flags & LAKE_LIST_SKIP_HIDDEN))
        drop_hidden(out, strlen(prefix));
    return rc;
}

/* One level of a full listing: keys without a '/' after prefix are objects, the others give
 * their first component as a common prefix, once each (the keys are sorted, so equal ones are
 * neighbours). */
static void level_of(const lake_obj_list *all, size_t plen, lake_obj_list *objects,
                     lake_obj_list *prefixes) {
    for (size_t i = 0; i < all->n; i++) {
        const char *key = all->items[i].key;
        const char *slash = strchr(key + plen, '/');
        if (!slash) {
            lake_obj_list_add(objects, key, all->items[i].size);
            continue;
        }
        char *cp = lake_xstrndup(key, (size_t)(slash - key) + 1);
        if (!prefixes->n || strcmp(prefixes->items[prefixes->n - 1].key, cp) != 0)
            lake_obj_list_add(prefixes, cp, 0);
        free(cp);
    }
}

lake_rc lake_store_list_delim(lake_store *s, const char *prefix, lake_obj_list *objects,
                              lake_obj_list *prefixes, lake_error *err) {
    prefix = prefix ? prefix : "";
    size_t plen = strlen(prefix);
    if (plen && prefix[plen - 1] != '/')
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "%s%s: a level is listed below a prefix ending in '/'", s->url,
                              prefix);
    lake_rc rc;
    if (s->ops->list_delim) {
        rc = s->ops->list_delim(s, prefix, objects, prefixes, err);
    } else {
        lake_obj_list all = {0};
        rc = lake_store_list(s, prefix, &all, err);
        if (!rc)
            level_of(&all, plen, objects, prefixes);
        lake_obj_list_free(&all);
    }
    if (rc) {
        lake_obj_list_free(objects);
        lake_obj_list_free(prefixes);
        return rc;
    }
    lake_obj_list_sort(objects);
    lake_obj_list_sort(prefixes);
    return LAKE_OK;
}

lake_rc lake_store_list_names(lake_store *s, const char *prefix, lake_obj_list *out,
                              lake_error *err) {
    lake_obj_list objects = {0};
    lake_rc rc = lake_store_list_delim(s, prefix, &objects, out, err);
    for (size_t i = 0; i < objects.n; i++) {
        objects.items[i].size = 0;
        lake_obj_list_take(out, &objects.items[i]);
    }
    lake_obj_list_free(&objects);
    if (!rc)
        lake_obj_list_sort(out);
    return rc;
}

/* ---- many prefixes at once ---- */

typedef struct {
    lake_store *s;
    const char *const *prefixes;
    unsigned flags;
    lake_obj_list *outs;
    lake_error *errs;
} many_job;

static int many_task(void *ctx, size_t i, unsigned worker) {
    (void)worker;
    many_job *j = ctx;
    return (int)lake_store_list_read(j->s, j->prefixes[i], 0, 0, j->flags, &j->outs[i],
                                     &j->errs[i]);
}

/* Without a backend op: list_read per prefix, several at a time (a local walk is directory reads
 * and stats, which run in parallel in the kernel). The error is the lowest failing prefix's. */
static lake_rc many_by_prefix(lake_store *s, const char *const *prefixes, size_t n, unsigned flags,
                              lake_obj_list *outs, lake_error *err) {
    many_job j = {s, prefixes, flags, outs, lake_xcalloc(n, sizeof *j.errs)};
    unsigned threads = n < 8 ? (unsigned)n : 8;
    lake_rc rc = (lake_rc)lake_parallel_for(threads, n, many_task, &j);
    for (size_t i = 0; rc && i < n; i++) {
        if (j.errs[i].rc) {
            if (err)
                *err = j.errs[i];
            break;
        }
    }
    free(j.errs);
    return rc;
}

/* Moves every item of outs[0..n) into out, sorted, each key once. */
static void merge_unique(lake_obj_list *outs, size_t n, lake_obj_list *out) {
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < outs[i].n; k++)
            lake_obj_list_take(out, &outs[i].items[k]);
        lake_obj_list_free(&outs[i]);
    }
    lake_obj_list_sort(out);
    size_t m = 0;
    for (size_t i = 0; i < out->n; i++) {
        if (m && !strcmp(out->items[m - 1].key, out->items[i].key)) {
            free(out->items[i].key);
            free(out->items[i].data);
            continue;
        }
        out->items[m++] = out->items[i];
    }
    out->n = m;
}

lake_rc lake_store_list_many(lake_store *s, const char *const *prefixes, size_t n, unsigned flags,
                             lake_obj_list *out, lake_error *err) {
    if (!n)
        return LAKE_OK;
    lake_obj_list *outs = lake_xcalloc(n, sizeof *outs);
    lake_rc rc;
    if (s->ops->list_many) {
        rc = s->ops->list_many(s, prefixes, n, flags, outs, err);
        for (size_t i = 0; !rc && (flags & LAKE_LIST_SKIP_HIDDEN) && i < n; i++)
            drop_hidden(&outs[i], strlen(prefixes[i]));
    } else {
        rc = many_by_prefix(s, prefixes, n, flags, outs, err);
    }
    if (rc) {
        for (size_t i = 0; i < n; i++)
            lake_obj_list_free(&outs[i]);
    } else {
        merge_unique(outs, n, out);
    }
    free(outs);
    return rc;
}

lake_rc lake_store_get(lake_store *s, const char *key, lake_buf *out, lake_error *err) {
    return s->ops->get(s, key, out, err);
}

lake_rc lake_store_get_many(lake_store *s, const char *const *keys, size_t n, lake_buf *outs,
                            lake_error *errs) {
    if (s->ops->get_many)
        return s->ops->get_many(s, keys, n, outs, errs);
    lake_rc first = LAKE_OK;
    for (size_t i = 0; i < n; i++) {
        lake_rc rc = s->ops->get(s, keys[i], &outs[i], &errs[i]);
        if (rc && !first)
            first = rc;
    }
    return first;
}

lake_rc lake_store_put_new(lake_store *s, const char *key, const void *data, size_t len,
                           lake_error *err) {
    if (s->ops->put_new)
        return s->ops->put_new(s, key, data, len, err);
    return s->ops->put(s, key, data, len, err);
}

lake_rc lake_store_put(lake_store *s, const char *key, const void *data, size_t len,
                       lake_error *err) {
    return s->ops->put(s, key, data, len, err);
}

lake_rc lake_store_delete(lake_store *s, const char *key, lake_error *err) {
    return s->ops->del(s, key, err);
}

lake_rc lake_store_delete_many(lake_store *s, const char *const *keys, size_t n, lake_error *err) {
    if (s->ops->del_many)
        return n ? s->ops->del_many(s, keys, n, err) : LAKE_OK;
    lake_rc rc = LAKE_OK;
    for (size_t i = 0; i < n && !rc; i++)
        rc = s->ops->del(s, keys[i], err);
    return rc;
}

lake_rc lake_store_delete_prefix(lake_store *s, const char *prefix, lake_error *err) {
    return s->ops->del_prefix(s, prefix, err);
}

lake_rc lake_store_rename_prefix(lake_store *s, const char *from, const char *to, lake_error *err) {
    if (!s->ops->rename_prefix)
        return lake_error_set(err, LAKE_ERR_UNSUPPORTED, "rename not supported");
    return s->ops->rename_prefix(s, from, to, err);
}

lake_rc lake_store_swap_prefix(lake_store *s, const char *from, const char *to, lake_error *err) {
    if (!s->ops->swap_prefix)
        return lake_error_set(err, LAKE_ERR_UNSUPPORTED, "%s: cannot swap prefixes", s->url);
    return s->ops->swap_prefix(s, from, to, err);
}

/* Without a backend op: list the key as a prefix and look for it or anything under it. */
lake_rc lake_store_exists(lake_store *s, const char *key, bool *yes, lake_error *err) {
    if (s->ops->exists)
        return s->ops->exists(s, key, yes, err);
    lake_obj_list l = {0};
    lake_rc rc = lake_store_list(s, key, &l, err);
    size_t n = strlen(key);
    *yes = false;
    for (size_t i = 0; !rc && i < l.n && !*yes; i++)
        *yes = !strcmp(l.items[i].key, key) || (n && key[n - 1] == '/');
    lake_obj_list_free(&l);
    return rc;
}

struct lake_store_lock {
    lake_store *s;
    void *handle;
};

lake_rc lake_store_lock_take(lake_store *s, const char *key, const char *holder, double wait_s,
                             lake_store_lock **out, lake_error *err) {
    *out = NULL;
    if (!s->ops->lock)
        return lake_error_set(err, LAKE_ERR_UNSUPPORTED, "%s: no lock", s->url);
    void *h = NULL;
    lake_rc rc = s->ops->lock(s, key, holder, wait_s, &h, err);
    if (!rc) {
        *out = lake_xcalloc(1, sizeof **out);
        (*out)->s = s;
        (*out)->handle = h;
    }
    return rc;
}

lake_rc lake_store_lock_check(const lake_store_lock *l, lake_error *err) {
    if (!l || !l->s->ops->lock_held || l->s->ops->lock_held(l->s, l->handle))
        return LAKE_OK;
    return lake_error_set(err, LAKE_ERR_LOCKED,
                          "%s: this run lost its lock on the output (its lease was taken over)",
                          l->s->url);
}

void lake_store_unlock(lake_store_lock *l) {
    if (!l)
        return;
    l->s->ops->unlock(l->s, l->handle);
    free(l);
}

bool lake_store_can_rename(const lake_store *s) {
    return s->ops->rename_prefix != NULL;
}

/* ---- streaming writers ---- */

lake_rc lake_store_writer_open(lake_store *s, const char *key, unsigned flags,
                               lake_store_writer **out, lake_error *err) {
    *out = NULL;
    return s->ops->writer_open(s, key, flags, out, err);
}

lake_rc lake_store_writer_write(lake_store_writer *w, const void *data, size_t len,
                                lake_error *err) {
    if (len == 0)
        return LAKE_OK;
    lake_rc rc = w->ops->write(w, data, len, err);
    if (!rc)
        w->size += len;
    return rc;
}

uint64_t lake_store_writer_size(const lake_store_writer *w) {
    return w->size;
}

lake_rc lake_store_writer_finish(lake_store_writer *w, lake_error *err) {
    lake_rc rc = w->ops->finish(w, err);
    w->ops->free(w);
    return rc;
}

void lake_store_writer_abort(lake_store_writer *w) {
    if (!w)
        return;
    w->ops->abort(w);
    w->ops->free(w);
}

/* ---- pending objects ---- */

bool lake_store_can_pend(const lake_store *s) {
    return s->ops->publish != NULL;
}

/* A backend without pending objects has written the object at finish: it is visible already. */
lake_rc lake_store_writer_pend(lake_store_writer *w, char **token, lake_error *err) {
    *token = NULL;
    lake_rc rc = w->ops->pend ? w->ops->pend(w, token, err) : w->ops->finish(w, err);
    w->ops->free(w);
    if (!rc && !*token)
        *token = lake_xstrdup("");
    return rc;
}

lake_rc lake_store_publish(lake_store *s, const char *const *keys, const char *const *tokens,
                           size_t n, lake_error *err) {
    if (!s->ops->publish || !n)
        return LAKE_OK;
    return s->ops->publish(s, keys, tokens, n, err);
}

lake_rc lake_store_discard(lake_store *s, const char *const *keys, const char *const *tokens,
                           size_t n, lake_error *err) {
    if (!s->ops->discard)
        return lake_store_delete_many(s, keys, n, err);
    return n ? s->ops->discard(s, keys, tokens, n, err) : LAKE_OK;
}

lake_rc lake_store_discard_all(lake_store *s, const char *prefix, size_t *n, lake_error *err) {
    if (n)
        *n = 0;
    return s->ops->discard_all ? s->ops->discard_all(s, prefix, n, err) : LAKE_OK;
}
