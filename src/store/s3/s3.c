/* S3 backend: each store call is one batch of concurrent requests (see s3_http.c).
 *  - the listings are in s3_list.c: list fans out over the first level of common prefixes,
 *    list_many further over narrow levels, list_delim is the first, delimited level alone;
 *  - get asks for the first part by range, then fetches the rest in parallel parts;
 *  - put sends one PUT up to 16 MiB, else a multipart upload that is aborted on failure;
 *  - delete_many deletes in DeleteObjects batches of 1000, delete_prefix lists and does that;
 *  - pending objects are open multipart uploads (s3_pending.c).
 * Keys given to and returned from the store are relative to the URL's prefix. */
#include "store/s3/s3_internal.h"
#include "store/s3/s3_sink.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    s3_client *client;
} s3_store;

static s3_client *client_of(lake_store *s) {
    return ((s3_store *)s->impl)->client;
}

static char *full_key(lake_store *s, const char *key) {
    return lake_xasprintf("%s%s", s3_client_url(client_of(s))->prefix, key);
}

static s3_req *req_new(const char *method, char *key, char *query) {
    s3_req *r = lake_xcalloc(1, sizeof *r);
    r->method = method;
    r->key = key;
    r->query = query;
    return r;
}

static void req_free(s3_req *r) {
    if (!r)
        return;
    s3_req_clear(r);
    free(r);
}

/* ---- list (s3_list.c) ---- */

static lake_rc s3_list(lake_store *s, const char *prefix, lake_obj_list *out, lake_error *err) {
    return s3_list_run(client_of(s), S3_LIST_FIRST_LEVEL, &prefix, 1, out, NULL, err);
}

static lake_rc s3_list_delim(lake_store *s, const char *prefix, lake_obj_list *objects,
                             lake_obj_list *prefixes, lake_error *err) {
    return s3_list_run(client_of(s), S3_LIST_LEVEL, &prefix, 1, objects, prefixes, err);
}

/* flags are left to store.c: S3 cannot skip what it lists. */
static lake_rc s3_list_many(lake_store *s, const char *const *prefixes, size_t n, unsigned flags,
                            lake_obj_list *outs, lake_error *err) {
    (void)flags;
    return s3_list_run(client_of(s), S3_LIST_FANOUT, prefixes, n, outs, NULL, err);
}

/* ---- get / get_many ---- */

typedef struct {
    lake_store *s;
    lake_buf *out;
    lake_error *err;
    lake_rc rc;
    size_t base;       /* out->len before this object */
    size_t parts_left; /* ranged parts still running */
    bool plain;        /* first request without Range (after InvalidRange on an empty object) */
} get_job;

static void get_first_done(s3_batch *b, s3_req *r);

static void get_fail(s3_batch *b, get_job *j, s3_req *r) {
    if (!j->rc)
        j->rc = s3_req_error(s3_batch_client(b), r, "GET", j->err);
}

static void get_add_first(s3_batch *b, get_job *j, const char *key, bool plain) {
    s3_req *r = req_new("GET", lake_xstrdup(key), NULL);
    r->ranged = !plain;
    r->range_lo = 0;
    r->range_hi = LAKE_S3_PART_SIZE - 1;
    r->out = j->out;
    r->done = get_first_done;
    r->ud = j;
    j->plain = plain;
    s3_batch_add(b, r);
}

static void get_part_done(s3_batch *b, s3_req *r) {
    get_job *j = r->ud;
    if (!s3_req_ok(r))
        get_fail(b, j, r);
    if (--j->parts_left == 0 && j->rc)
        lake_buf_resize(j->out, j->base);
    req_free(r);
}

static void get_first_done(s3_batch *b, s3_req *r) {
    get_job *j = r->ud;
    if (!s3_req_ok(r)) {
        if (r->status == 416 && !j->plain) /* a Range on an empty object */
            get_add_first(b, j, r->key, true);
        else
            get_fail(b, j, r);
        req_free(r);
        return;
    }
    uint64_t total = r->total_size;
    if (r->status == 206 && total > r->got) {
        /* The rest in parallel parts written in place; If-Match pins the object version. */
        uint64_t have = r->got;
        lake_buf_resize(j->out, j->base + (size_t)total);
        for (uint64_t off = have; off < total; off += LAKE_S3_PART_SIZE) {
            uint64_t end = off + LAKE_S3_PART_SIZE < total ? off + LAKE_S3_PART_SIZE : total;
            s3_req *p = req_new("GET", lake_xstrdup(r->key), NULL);
            p->ranged = true;
            p->range_lo = off;
            p->range_hi = end - 1;
            p->window = j->out->data + j->base + off;
            p->window_len = (size_t)(end - off);
            p->if_match = r->etag ? lake_xstrdup(r->etag) : NULL;
            p->done = get_part_done;
            p->ud = j;
            j->parts_left++;
            s3_batch_add(b, p);
        }
    }
    req_free(r);
}

static lake_rc s3_get_many(lake_store *s, const char *const *keys, size_t n, lake_buf *outs,
                           lake_error *errs) {
    if (!n)
        return LAKE_OK;
    get_job *jobs = lake_xcalloc(n, sizeof *jobs);
    s3_batch *b = s3_batch_new(client_of(s));
    for (size_t i = 0; i < n; i++) {
        jobs[i] = (get_job){.s = s, .out = &outs[i], .err = &errs[i], .base = outs[i].len};
        char *k = full_key(s, keys[i]);
        get_add_first(b, &jobs[i], k, false);
        free(k);
    }
    s3_batch_run(b);
    s3_batch_free(b);
    lake_rc first = LAKE_OK;
    for (size_t i = 0; i < n; i++) {
        lake_buf_reserve(&outs[i], 0); /* padding exists even for an empty object */
        if (jobs[i].rc && !first)
            first = jobs[i].rc;
    }
    free(jobs);
    return first;
}

static lake_rc s3_get(lake_store *s, const char *key, lake_buf *out, lake_error *err) {
    return s3_get_many(s, &key, 1, out, err);
}

/* ---- put ---- */

/* The object is in memory already: every part goes in one parallel batch. */
static lake_rc put_multipart(s3_client *c, const char *key, const uint8_t *data, size_t len,
                             lake_error *err) {
    size_t part = s3_client_part_size(c);
    while ((len + part - 1) / part > S3_MAX_PARTS) /* only past 78 GiB with the default */
        part *= 2;
    s3_mpu m;
    lake_rc rc = s3_mpu_start(&m, c, key, err);
    if (!rc)
        rc = s3_mpu_send(&m, data, len, part, err);
    if (!rc)
        rc = s3_mpu_complete(&m, err);
    if (rc) /* no orphaned uploads: their parts would be billed until a lifecycle rule ends them */
        s3_mpu_abort(&m, err);
    s3_mpu_free(&m);
    return rc;
}

static lake_rc s3_put(lake_store *s, const char *key, const void *data, size_t len,
                      lake_error *err) {
    s3_client *c = client_of(s);
    char *k = full_key(s, key);
    lake_rc rc;
    if (len > s3_client_put_limit(c)) {
        rc = put_multipart(c, k, data, len, err);
    } else {
        s3_req *r = req_new("PUT", lake_xstrdup(k), NULL);
        r->body = data ? data : (const uint8_t *)"";
        r->body_len = len;
        r->creates = true;
        rc = s3_run_one(c, r, "PUT", err);
        req_free(r);
    }
    free(k);
    return rc;
}

/* Streaming writes: see s3_sink.c. S3 has no cheaper way to write a new key, so flags do not
 * matter. */
static lake_rc s3_writer_open(lake_store *s, const char *key, unsigned flags,
                              lake_store_writer **out, lake_error *err) {
    (void)flags;
    (void)err;
    return s3_sink_open(client_of(s), full_key(s, key), out);
}

/* ---- delete ---- */

static lake_rc s3_del(lake_store *s, const char *key, lake_error *err) {
    s3_req *r = req_new("DELETE", full_key(s, key), NULL);
    lake_error e = {0};
    lake_rc rc = s3_run_one(client_of(s), r, "DELETE", &e);
    req_free(r);
    if (rc == LAKE_ERR_NOT_FOUND && !strstr(e.msg, "NoSuchBucket"))
        return LAKE_OK;
    if (rc && err)
        *err = e;
    return rc;
}

typedef struct {
    lake_rc rc;
    lake_error *err;
} del_job;

static void del_batch_done(s3_batch *b, s3_req *r) {
    del_job *j = r->ud;
    s3_client *c = s3_batch_client(b);
    if (!s3_req_ok(r)) {
        if (!r->cancelled && !j->rc)
            j->rc = s3_req_error(c, r, "DeleteObjects", j->err);
        s3_batch_cancel(b);
        return;
    }
    char *key = NULL, *code = NULL, *msg = NULL;
    if (s3_xml_delete_errors(r->resp.data, r->resp.len, &key, &code, &msg) && !j->rc) {
        j->rc = !strcmp(code, "AccessDenied") ? LAKE_ERR_AUTH : LAKE_ERR_IO;
        lake_error_set(j->err, j->rc, "DeleteObjects s3://%s/%s: %s%s%s", s3_client_url(c)->bucket,
                       key ? key : "", code, msg ? ": " : "", msg ? msg : "");
        s3_batch_cancel(b);
    }
    free(key);
    free(code);
    free(msg);
}

static lake_rc s3_del_many(lake_store *s, const char *const *keys, size_t n, lake_error *err) {
    s3_client *c = client_of(s);
    size_t nb = (n + LAKE_S3_DELETE_BATCH - 1) / LAKE_S3_DELETE_BATCH;
    s3_req *reqs = lake_xcalloc(nb, sizeof *reqs);
    lake_buf *bodies = lake_xcalloc(nb, sizeof *bodies);
    del_job j = {.err = err};
    const char *root = s3_client_url(c)->prefix;
    s3_batch *b = s3_batch_new(c);
    for (size_t i = 0; i < nb; i++) {
        lake_buf *body = &bodies[i];
        lake_buf_puts(body, "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                            "<Quiet>true</Quiet>");
        for (size_t k = i * LAKE_S3_DELETE_BATCH; k < n && k < (i + 1) * LAKE_S3_DELETE_BATCH;
             k++) {
            lake_buf_puts(body, "<Object><Key>");
            s3_xml_escape(body, root);
            s3_xml_escape(body, keys[k]);
            lake_buf_puts(body, "</Key></Object>");
        }
        lake_buf_puts(body, "</Delete>");
        s3_req *r = &reqs[i];
        r->method = "POST";
        r->query = lake_xstrdup("delete=");
        r->label = keys[i * LAKE_S3_DELETE_BATCH];
        r->body = body->data;
        r->body_len = body->len;
        r->content_type = "application/xml";
        r->checksum = true;
        r->done = del_batch_done;
        r->ud = &j;
        s3_batch_add(b, r);
    }
    s3_batch_run(b);
    s3_batch_free(b);
    for (size_t i = 0; i < nb; i++) {
        s3_req_clear(&reqs[i]);
        lake_buf_free(&bodies[i]);
    }
    free(reqs);
    free(bodies);
    return j.rc;
}

static lake_rc s3_del_prefix(lake_store *s, const char *prefix, lake_error *err) {
    if (!*prefix)
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "refusing to delete the store root");
    lake_obj_list l = {0};
    lake_rc rc = s3_list(s, prefix, &l, err);
    const char **keys = lake_xcalloc(l.n + 1, sizeof *keys);
    for (size_t i = 0; i < l.n; i++)
        keys[i] = l.items[i].key;
    if (!rc && l.n)
        rc = s3_del_many(s, keys, l.n, err);
    free(keys);
    lake_obj_list_free(&l);
    return rc;
}

/* ---- pending objects (s3_pending.c) ---- */

static lake_rc s3_pub(lake_store *s, const char *const *keys, const char *const *tokens, size_t n,
                      lake_error *err) {
    return s3_publish(client_of(s), keys, tokens, n, err);
}

static lake_rc s3_disc(lake_store *s, const char *const *keys, const char *const *tokens, size_t n,
                       lake_error *err) {
    return s3_discard(client_of(s), keys, tokens, n, err);
}

static lake_rc s3_disc_all(lake_store *s, const char *prefix, size_t *n, lake_error *err) {
    return s3_discard_all(client_of(s), prefix, n, err);
}

/* ---- lock ---- */

static lake_rc s3_lock(lake_store *s, const char *key, const char *holder, double wait_s,
                       void **out, lake_error *err) {
    return s3_lock_take(client_of(s), full_key(s, key), holder, wait_s, out, err);
}

static void s3_unlock(lake_store *s, void *handle) {
    (void)s;
    s3_lock_release(handle);
}

static bool s3_lock_is_held(lake_store *s, void *handle) {
    (void)s;
    return s3_lock_held(handle);
}

static void s3_close(lake_store *s) {
    s3_store *st = s->impl;
    s3_client_free(st->client);
    free(st);
}

static const lake_store_ops s3_ops = {
    .list = s3_list,
    .list_delim = s3_list_delim,
    .list_many = s3_list_many,
    .get = s3_get,
    .get_many = s3_get_many,
    .put = s3_put,
    .del = s3_del,
    .del_prefix = s3_del_prefix,
    .del_many = s3_del_many,
    .publish = s3_pub,
    .discard = s3_disc,
    .discard_all = s3_disc_all,
    /* no rename_prefix: S3 cannot move a prefix at once; the engine commits directly */
    .writer_open = s3_writer_open,
    .lock = s3_lock,
    .unlock = s3_unlock,
    .lock_held = s3_lock_is_held,
    .close = s3_close,
};

/* HEAD on the bucket at open: a missing bucket or an unreachable endpoint fails here, clearly.
 * 403 is left to the real requests (a role may read objects without s3:ListBucket). */
static lake_rc check_bucket(s3_client *c, lake_error *err) {
    s3_req *r = req_new("HEAD", NULL, NULL);
    r->label = "";
    lake_error e = {0};
    lake_rc rc = s3_run_one(c, r, "HEAD", &e);
    req_free(r);
    if (rc == LAKE_ERR_NOT_FOUND)
        return lake_error_set(err, rc, "bucket %s does not exist (%s)", s3_client_url(c)->bucket,
                              e.msg);
    if (rc == LAKE_ERR_NETWORK) {
        if (err)
            *err = e;
        return rc;
    }
    return LAKE_OK;
}

lake_rc lake__store_s3_open(const char *url, const lake_store_options *opts, lake_store **out,
                            lake_error *err) {
    *out = NULL;
    s3_client *c = NULL;
    lake_rc rc = s3_client_create(url, opts, &c, err);
    if (!rc)
        rc = check_bucket(c, err);
    if (rc) {
        s3_client_free(c);
        return rc;
    }
    s3_store *st = lake_xcalloc(1, sizeof *st);
    st->client = c;
    lake_store *s = lake_xcalloc(1, sizeof *s);
    s->ops = &s3_ops;
    s->url = lake_xstrdup(url);
    s->impl = st;
    *out = s;
    return LAKE_OK;
}
