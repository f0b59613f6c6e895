/* Pending objects on S3 (LAKE_STORE_WRITE_PENDING): multipart uploads left open by the writer
 * (s3_sink.c) and completed, or aborted, here, many at once in one batch of requests. An open
 * upload is invisible to every listing and GET, which is what lets a run stage its files under
 * their final keys (the approach of Hadoop's S3A committers). Uploads whose tokens were lost with
 * a killed process are found again with ListMultipartUploads. */
#include "store/s3/s3_sink.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    lake_rc rc;
    lake_error *err;
    const char *what;
    bool missing_ok; /* a 404 (the upload is gone already) is success */
    bool *gone;      /* or: request idx got a 404 (to look into) */
} many_job;

static void many_done(s3_batch *b, s3_req *r) {
    many_job *j = r->ud;
    if (s3_req_ok(r) || r->cancelled || j->rc || (j->missing_ok && r->status == 404))
        return;
    if (j->gone && r->status == 404) {
        j->gone[r->idx] = true;
        return;
    }
    j->rc = s3_req_error(s3_batch_client(b), r, j->what, j->err);
    s3_batch_cancel(b); /* the first failure is the answer */
}

/* Runs the n prepared requests in one batch, then clears them. */
static lake_rc run_many(s3_client *c, s3_req *reqs, size_t n, many_job *j) {
    s3_batch *b = s3_batch_new(c);
    for (size_t i = 0; i < n; i++) {
        reqs[i].done = many_done;
        reqs[i].ud = j;
        s3_batch_add(b, &reqs[i]);
    }
    s3_batch_run(b);
    s3_batch_free(b);
    for (size_t i = 0; i < n; i++)
        s3_req_clear(&reqs[i]);
    return j->rc;
}

static char *full(s3_client *c, const char *key) {
    return lake_xconcat(s3_client_url(c)->prefix, key);
}

/* The objects whose uploads were gone (gone[i]) must exist: a completion whose reply was lost
 * and that was tried again, or a commit resumed after a crash. An upload aborted before it was
 * completed (by a lifecycle rule, or by hand) is lost, and HEAD says so. */
static lake_rc check_gone(s3_client *c, s3_mpu *m, const bool *gone, size_t n, lake_error *err) {
    s3_req *reqs = lake_xcalloc(n, sizeof *reqs);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!gone[i])
            continue;
        reqs[k].method = "HEAD";
        reqs[k++].key = lake_xstrdup(m[i].key);
    }
    many_job j = {.err = err, .what = "HEAD of an object whose upload was gone"};
    lake_rc rc = k ? run_many(c, reqs, k, &j) : LAKE_OK;
    free(reqs);
    return rc;
}

lake_rc s3_publish(s3_client *c, const char *const *keys, const char *const *tokens, size_t n,
                   lake_error *err) {
    s3_mpu *m = lake_xcalloc(n, sizeof *m);
    s3_req *reqs = lake_xcalloc(n, sizeof *reqs);
    lake_buf *bodies = lake_xcalloc(n, sizeof *bodies);
    lake_rc rc = LAKE_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        char *k = full(c, keys[i]);
        rc = s3_mpu_resume(&m[i], c, k, tokens[i], err);
        free(k);
        if (!rc)
            s3_mpu_complete_req(&m[i], &reqs[i], &bodies[i]);
        reqs[i].idx = i;
    }
    bool *gone = lake_xcalloc(n, sizeof *gone);
    many_job j = {.err = err, .what = "CompleteMultipartUpload", .gone = gone};
    if (!rc)
        rc = run_many(c, reqs, n, &j);
    if (!rc)
        rc = check_gone(c, m, gone, n, err);
    free(gone);
    for (size_t i = 0; i < n; i++) {
        s3_req_clear(&reqs[i]);
        lake_buf_free(&bodies[i]);
        s3_mpu_free(&m[i]);
    }
    free(bodies);
    free(reqs);
    free(m);
    return rc;
}

/* Aborts the uploads ids[i] of full keys keys[i]; one already gone is not an error. */
static lake_rc abort_many(s3_client *c, char *const *keys, char *const *ids, size_t n,
                          lake_error *err) {
    s3_req *reqs = lake_xcalloc(n, sizeof *reqs);
    for (size_t i = 0; i < n; i++) {
        char *eid = s3_uri_encode(ids[i], false);
        reqs[i].method = "DELETE";
        reqs[i].key = lake_xstrdup(keys[i]);
        reqs[i].query = lake_xasprintf("uploadId=%s", eid);
        free(eid);
    }
    many_job j = {.err = err, .what = "AbortMultipartUpload", .missing_ok = true};
    lake_rc rc = run_many(c, reqs, n, &j);
    free(reqs);
    return rc;
}

lake_rc s3_discard(s3_client *c, const char *const *keys, const char *const *tokens, size_t n,
                   lake_error *err) {
    char **fk = lake_xcalloc(n, sizeof *fk), **ids = lake_xcalloc(n, sizeof *ids);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t id_len = strcspn(tokens[i], " ");
        if (!id_len)
            continue; /* no upload to abort */
        fk[m] = full(c, keys[i]);
        ids[m++] = lake_xstrndup(tokens[i], id_len);
    }
    lake_rc rc = m ? abort_many(c, fk, ids, m, err) : LAKE_OK;
    for (size_t i = 0; i < m; i++) {
        free(fk[i]);
        free(ids[i]);
    }
    free(fk);
    free(ids);
    return rc;
}

/* One page of ListMultipartUploads under the full prefix, from the markers (NULL: the first). */
static lake_rc list_uploads(s3_client *c, const char *prefix, const char *key_marker,
                            const char *id_marker, s3_uploads_page *page, lake_error *err) {
    char *ep = s3_uri_encode(prefix, false);
    char *ek = key_marker ? s3_uri_encode(key_marker, false) : NULL;
    char *ei = id_marker ? s3_uri_encode(id_marker, false) : NULL;
    /* Parameters in byte order, as SigV4's canonical query wants them. */
    s3_req r = {.method = "GET", .label = prefix};
    r.query = lake_xasprintf("%s%s%sprefix=%s&%s%s%suploads=", ek ? "key-marker=" : "",
                             ek ? ek : "", ek ? "&" : "", ep, ei ? "upload-id-marker=" : "",
                             ei ? ei : "", ei ? "&" : "");
    free(ep);
    free(ek);
    free(ei);
    lake_rc rc = s3_run_one(c, &r, "ListMultipartUploads", err);
    if (!rc)
        rc = s3_xml_uploads(r.resp.data, r.resp.len, page, err);
    s3_req_clear(&r);
    return rc;
}

lake_rc s3_discard_all(s3_client *c, const char *prefix, size_t *n, lake_error *err) {
    char *fp = full(c, prefix);
    s3_uploads_page page = {0}, all = {0};
    lake_rc rc = LAKE_OK;
    char *key_marker = NULL, *id_marker = NULL;
    do {
        rc = list_uploads(c, fp, key_marker, id_marker, &page, err);
        if (rc)
            break;
        all.keys = lake_xrealloc(all.keys, (all.n + page.n + 1) * sizeof *all.keys);
        all.ids = lake_xrealloc(all.ids, (all.n + page.n + 1) * sizeof *all.ids);
        if (page.n) { /* an empty page has no arrays */
            memcpy(all.keys + all.n, page.keys, page.n * sizeof *page.keys);
            memcpy(all.ids + all.n, page.ids, page.n * sizeof *page.ids);
        }
        all.n += page.n;
        page.n = 0; /* the strings are all's now */
        free(key_marker);
        free(id_marker);
        key_marker = page.truncated ? lake_xstrdup(page.next_key) : NULL;
        id_marker = page.truncated && page.next_id ? lake_xstrdup(page.next_id) : NULL;
        s3_uploads_page_free(&page);
    } while (key_marker);
    if (!rc && all.n)
        rc = abort_many(c, all.keys, all.ids, all.n, err);
    if (n)
        *n = rc ? 0 : all.n;
    free(key_marker);
    free(id_marker);
    s3_uploads_page_free(&all);
    free(fp);
    return rc;
}
