/* S3 listings (ListObjectsV2), each call one batch of concurrent requests (s3_http.c).
 *
 * A prefix is first listed with delimiter '/': that reply holds the objects right under it and
 * its common prefixes ("directories"). What happens to each common prefix is the strategy:
 *  - S3_LIST_FIRST_LEVEL (lake_store_list): every common prefix is listed flat (no delimiter), all
 *    at once. Descending every level with a delimiter would cost one request per "directory":
 *    10,000 requests for the 15,000 keys of song_data/A/B/C/, where this needs 27.
 *  - S3_LIST_FANOUT (lake_store_list_many): a level with fewer than S3_FANOUT_NARROW common
 *    prefixes is descended again with the delimiter, while fewer than max_concurrency listings
 *    have been started; wider levels, and every level once that many are under way, are listed
 *    flat. A flat listing's pages follow each other (each continuation token comes with the page
 *    before), so a narrow top (s3://bucket/in/ holding only song_data/ and log_data/) listed flat
 *    would be two chains of 1,000-key pages one after the other; descended, it is 27 chains in
 *    parallel for 3 requests more. The width cap keeps a deep, narrow tree from costing a request
 *    per directory once there is enough in flight to fill the connections.
 *  - S3_LIST_LEVEL (lake_store_list_delim): the first level alone.
 * "Directory" marker objects (keys ending in '/', made by consoles) are not objects of a dataset
 * and are left out. Keys come back relative to the store's prefix. */
#include "store/s3/s3_internal.h"

#include <stdlib.h>
#include <string.h>

/* A delimited level with fewer common prefixes than this is descended (S3_LIST_FANOUT). */
#define S3_FANOUT_NARROW 16

typedef struct {
    s3_list_mode mode;
    lake_obj_list *outs;     /* one list per listed prefix (r->idx) */
    lake_obj_list *prefixes; /* S3_LIST_LEVEL: the common prefixes */
    size_t strip;            /* length of the store prefix, cut from every key */
    size_t started;          /* listings started (continuations not counted) */
    size_t width;            /* S3_LIST_FANOUT stops descending once this many started */
    lake_rc rc;
    lake_error *err;
} list_job;

static void list_done(s3_batch *b, s3_req *r);

/* Queues the listing of the full prefix `prefix` into outs[idx], from `token` on (NULL: the
 * first page), with the delimiter or flat. */
static void list_add(s3_batch *b, list_job *j, size_t idx, const char *prefix, const char *token,
                     bool delim) {
    char *ep = s3_uri_encode(prefix, false);
    char *et = token ? s3_uri_encode(token, false) : NULL;
    /* Parameters in byte order, as SigV4's canonical query wants them. */
    char *q = lake_xasprintf("%s%s%s%slist-type=2&prefix=%s", et ? "continuation-token=" : "",
                             et ? et : "", et ? "&" : "", delim ? "delimiter=%2F&" : "", ep);
    free(ep);
    free(et);
    s3_req *r = lake_xcalloc(1, sizeof *r);
    r->method = "GET";
    r->query = q;
    r->label = lake_xstrdup(prefix);
    r->idx = idx;
    r->done = list_done;
    r->ud = j;
    if (!token)
        j->started++;
    s3_batch_add(b, r);
}

static void list_fail(s3_batch *b, list_job *j, lake_rc rc) {
    if (!j->rc)
        j->rc = rc;
    s3_batch_cancel(b);
}

/* What a delimited page's common prefix becomes: a name (S3_LIST_LEVEL) or a listing. */
static void take_prefix(s3_batch *b, list_job *j, const s3_req *r, const char *cp, size_t n) {
    if (!strcmp(cp, r->label)) /* guard against a server echoing us */
        return;
    if (j->mode == S3_LIST_LEVEL) {
        if (strlen(cp) > j->strip)
            lake_obj_list_add(j->prefixes, cp + j->strip, 0);
        return;
    }
    bool descend = j->mode == S3_LIST_FANOUT && n < S3_FANOUT_NARROW && j->started < j->width;
    list_add(b, j, r->idx, cp, NULL, descend);
}

static void take_page(s3_batch *b, list_job *j, const s3_req *r, const s3_list_page *page) {
    lake_obj_list *out = &j->outs[r->idx];
    for (size_t i = 0; i < page->objects.n; i++) {
        const char *k = page->objects.items[i].key;
        size_t kl = strlen(k);
        if (kl <= j->strip || k[kl - 1] == '/') /* a "directory" marker */
            continue;
        lake_obj_list_add(out, k + j->strip, page->objects.items[i].size);
    }
    for (size_t i = 0; i < page->n_prefixes && !s3_batch_cancelled(b); i++)
        take_prefix(b, j, r, page->prefixes[i], page->n_prefixes);
    if (page->next_token && !s3_batch_cancelled(b))
        list_add(b, j, r->idx, r->label, page->next_token, strstr(r->query, "delimiter=") != NULL);
}

static void list_done(s3_batch *b, s3_req *r) {
    list_job *j = r->ud;
    lake_error e = {0};
    s3_list_page page;
    if (!s3_req_ok(r)) {
        if (!r->cancelled && !j->rc)
            list_fail(b, j, s3_req_error(s3_batch_client(b), r, "list", j->err));
    } else if (s3_xml_list(r->resp.data, r->resp.len, &page, &e) != LAKE_OK) {
        if (!j->rc)
            lake_error_set(j->err, LAKE_ERR_PARSE, "list s3://%s/%s: %s",
                           s3_client_url(s3_batch_client(b))->bucket, r->label, e.msg);
        list_fail(b, j, LAKE_ERR_PARSE);
    } else {
        take_page(b, j, r, &page);
        s3_list_page_free(&page);
    }
    free((char *)r->label);
    s3_req_clear(r);
    free(r);
}

lake_rc s3_list_run(s3_client *c, s3_list_mode mode, const char *const *prefixes, size_t n,
                    lake_obj_list *outs, lake_obj_list *common, lake_error *err) {
    const char *root = s3_client_url(c)->prefix;
    list_job j = {.mode = mode,
                  .outs = outs,
                  .prefixes = common,
                  .strip = strlen(root),
                  .width = (size_t)s3_client_max_concurrency(c),
                  .err = err};
    s3_batch *b = s3_batch_new(c);
    for (size_t i = 0; i < n; i++) {
        char *full = lake_xasprintf("%s%s", root, prefixes[i]);
        list_add(b, &j, i, full, NULL, true);
        free(full);
    }
    s3_batch_run(b);
    s3_batch_free(b);
    for (size_t i = 0; i < n; i++) {
        if (j.rc)
            lake_obj_list_free(&outs[i]);
        else
            lake_obj_list_sort(&outs[i]);
    }
    if (j.rc && common)
        lake_obj_list_free(common);
    return j.rc;
}
