/* S3 multipart uploads and the streaming writer (see s3_sink.h).
 *
 * The writer keeps the object in memory while it is at most the client's one-PUT limit
 * (LAKE_S3_MULTIPART_THRESHOLD, or the part size when larger) and then sends it with one PUT at
 * finish, as lake_store_put would. Past the limit it starts a multipart upload and sends whole
 * parts of the client's part size together once S3_SINK_BUFFER bytes of them are there (at
 * least one), in parallel, so it holds about that much plus the piece being written. A failure or
 * an abort aborts the upload: no parts stay behind to be billed. A pending object
 * (LAKE_STORE_WRITE_ PENDING) is always a multipart upload, left open at the end: its token (upload
 * id and part ETags) lets s3_pending.c complete it later, from any process. */
#include "store/s3/s3_sink.h"

#include <stdlib.h>
#include <string.h>

/* What the writer buffers before it sends whole parts together: 4 parts of the default 8 MiB;
 * with larger parts, one part at a time (a 5 GiB part is held alone, never four of them). */
#define S3_SINK_BUFFER (4 * (size_t)LAKE_S3_PART_SIZE)

/* ---- one request ---- */

typedef struct {
    lake_rc rc;
    lake_error *err;
    const char *what;
    s3_mpu *mpu; /* part uploads: where the ETags go */
} req_job;

static void req_done(s3_batch *b, s3_req *r) {
    req_job *j = r->ud;
    if (s3_req_ok(r)) {
        if (j->mpu) {
            j->mpu->etags[r->idx] = r->etag;
            r->etag = NULL;
        }
    } else if (!r->cancelled && !j->rc) {
        j->rc = s3_req_error(s3_batch_client(b), r, j->what, j->err);
        s3_batch_cancel(b); /* the other parts are wasted work now */
    }
}

lake_rc s3_run_one(s3_client *c, s3_req *r, const char *what, lake_error *err) {
    req_job j = {.err = err, .what = what};
    r->done = req_done;
    r->ud = &j;
    s3_batch *b = s3_batch_new(c);
    s3_batch_add(b, r);
    s3_batch_run(b);
    s3_batch_free(b);
    return j.rc;
}

/* Runs a request on key with the given query and body; frees what it allocated. */
static lake_rc run_simple(s3_mpu *m, const char *method, char *query, const lake_buf *body,
                          const char *what, lake_error *err) {
    s3_req r = {0};
    r.method = method;
    r.key = lake_xstrdup(m->key);
    r.query = query;
    r.creates = !strcmp(what, "CreateMultipartUpload");
    if (body) {
        r.body = body->data;
        r.body_len = body->len;
        r.content_type = "application/xml";
    }
    lake_rc rc = s3_run_one(m->c, &r, what, err);
    if (!rc && !m->upload_id && !strcmp(what, "CreateMultipartUpload")) {
        m->upload_id = s3_xml_upload_id(r.resp.data, r.resp.len);
        if (!m->upload_id)
            rc = lake_error_set(err, LAKE_ERR_IO,
                                "CreateMultipartUpload s3://%s/%s: reply without an UploadId",
                                s3_client_url(m->c)->bucket, m->key);
    }
    s3_req_clear(&r);
    return rc;
}

/* ---- multipart ---- */

lake_rc s3_mpu_start(s3_mpu *m, s3_client *c, const char *key, lake_error *err) {
    memset(m, 0, sizeof *m);
    m->c = c;
    m->key = lake_xstrdup(key);
    lake_rc rc =
        run_simple(m, "POST", lake_xstrdup("uploads="), NULL, "CreateMultipartUpload", err);
    if (!rc)
        m->eid = s3_uri_encode(m->upload_id, false);
    return rc;
}

lake_rc s3_mpu_send(s3_mpu *m, const uint8_t *data, size_t len, size_t part, lake_error *err) {
    size_t n = (len + part - 1) / part;
    if (n == 0 && m->nparts == 0)
        n = 1; /* an empty object: an upload needs one part, which may be empty */
    if (n == 0)
        return LAKE_OK;
    if (m->nparts + n > S3_MAX_PARTS)
        return lake_error_set(err, LAKE_ERR_LIMIT, "s3://%s/%s: more than %d upload parts",
                              s3_client_url(m->c)->bucket, m->key, S3_MAX_PARTS);
    if (m->nparts + n > m->cap) {
        m->cap = m->nparts + n > 2 * m->cap ? m->nparts + n : 2 * m->cap;
        m->etags = lake_xrealloc(m->etags, m->cap * sizeof *m->etags);
    }
    memset(m->etags + m->nparts, 0, n * sizeof *m->etags);
    req_job j = {.err = err, .what = "UploadPart", .mpu = m};
    s3_req *parts = lake_xcalloc(n, sizeof *parts);
    s3_batch *b = s3_batch_new(m->c);
    for (size_t i = 0; i < n; i++) {
        s3_req *p = &parts[i];
        p->method = "PUT";
        p->key = lake_xstrdup(m->key);
        p->query = lake_xasprintf("partNumber=%zu&uploadId=%s", m->nparts + i + 1, m->eid);
        p->body = len ? data + i * part : (const uint8_t *)"";
        p->body_len = i + 1 < n ? part : len - i * part;
        p->idx = m->nparts + i;
        p->done = req_done;
        p->ud = &j;
        s3_batch_add(b, p);
    }
    s3_batch_run(b);
    s3_batch_free(b);
    for (size_t i = 0; i < n; i++)
        s3_req_clear(&parts[i]);
    free(parts);
    m->nparts += n;
    return j.rc;
}

void s3_mpu_complete_req(const s3_mpu *m, s3_req *r, lake_buf *body) {
    lake_buf_puts(body, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/"
                        "2006-03-01/\">");
    for (size_t i = 0; i < m->nparts; i++) {
        lake_buf_printf(body, "<Part><PartNumber>%zu</PartNumber><ETag>", i + 1);
        s3_xml_escape(body, m->etags[i] ? m->etags[i] : "");
        lake_buf_puts(body, "</ETag></Part>");
    }
    lake_buf_puts(body, "</CompleteMultipartUpload>");
    memset(r, 0, sizeof *r);
    r->method = "POST";
    r->key = lake_xstrdup(m->key);
    r->query = lake_xasprintf("uploadId=%s", m->eid);
    r->body = body->data;
    r->body_len = body->len;
    r->content_type = "application/xml";
}

lake_rc s3_mpu_complete(s3_mpu *m, lake_error *err) {
    lake_buf body;
    lake_buf_init(&body);
    s3_req r;
    s3_mpu_complete_req(m, &r, &body);
    lake_rc rc = s3_run_one(m->c, &r, "CompleteMultipartUpload", err);
    s3_req_clear(&r);
    lake_buf_free(&body);
    return rc;
}

char *s3_mpu_token(const s3_mpu *m) {
    lake_buf b;
    lake_buf_init(&b);
    lake_buf_puts(&b, m->upload_id);
    for (size_t i = 0; i < m->nparts; i++)
        lake_buf_printf(&b, " %s", m->etags[i] ? m->etags[i] : "");
    lake_buf_putc(&b, '\0');
    return (char *)b.data;
}

lake_rc s3_mpu_resume(s3_mpu *m, s3_client *c, const char *key, const char *token,
                      lake_error *err) {
    memset(m, 0, sizeof *m);
    m->c = c;
    m->key = lake_xstrdup(key);
    char *copy = lake_xstrdup(token), *save = NULL;
    for (char *f = strtok_r(copy, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
        if (!m->upload_id) {
            m->upload_id = lake_xstrdup(f);
            continue;
        }
        if (m->nparts == m->cap) {
            m->cap = m->cap ? 2 * m->cap : 4;
            m->etags = lake_xrealloc(m->etags, m->cap * sizeof *m->etags);
        }
        m->etags[m->nparts++] = lake_xstrdup(f);
    }
    free(copy);
    if (!m->upload_id || !m->nparts) {
        s3_mpu_free(m);
        return lake_error_set(err, LAKE_ERR_PARSE, "s3://%s/%s: not an upload token: '%s'",
                              s3_client_url(c)->bucket, key, token);
    }
    m->eid = s3_uri_encode(m->upload_id, false);
    return LAKE_OK;
}

void s3_mpu_abort(s3_mpu *m, lake_error *err) {
    if (!m->upload_id)
        return;
    lake_error e = {0};
    if (run_simple(m, "DELETE", lake_xasprintf("uploadId=%s", m->eid), NULL, "AbortMultipartUpload",
                   &e) &&
        err)
        lake_error_prefix(err, "upload %s not aborted (%s); ", m->upload_id, e.msg);
}

void s3_mpu_free(s3_mpu *m) {
    for (size_t i = 0; i < m->nparts; i++)
        free(m->etags[i]);
    free(m->etags);
    free(m->eid);
    free(m->upload_id);
    free(m->key);
    memset(m, 0, sizeof *m);
}

/* ---- the streaming writer ---- */

typedef struct {
    lake_store_writer base;
    s3_client *c;
    char *key;    /* full key */
    lake_buf buf; /* bytes not sent yet */
    s3_mpu mpu;   /* upload_id set once the object passed the threshold */
} s3_sink;

/* Sends the whole parts of the buffer (every byte when last), once a batch of them is there. */
static lake_rc send_parts(s3_sink *k, bool last, lake_error *err) {
    size_t part = s3_client_part_size(k->c);
    size_t n = last ? k->buf.len : k->buf.len / part * part;
    if (!last && n < S3_SINK_BUFFER)
        return LAKE_OK;
    if (!k->mpu.upload_id) {
        s3_mpu_free(&k->mpu);
        lake_rc rc = s3_mpu_start(&k->mpu, k->c, k->key, err);
        if (rc)
            return rc;
    }
    lake_rc rc = s3_mpu_send(&k->mpu, k->buf.data, n, part, err);
    if (rc)
        return rc;
    memmove(k->buf.data, k->buf.data + n, k->buf.len - n);
    lake_buf_resize(&k->buf, k->buf.len - n);
    return LAKE_OK;
}

static lake_rc sink_write(lake_store_writer *w, const void *data, size_t len, lake_error *err) {
    s3_sink *k = (s3_sink *)w;
    lake_buf_append(&k->buf, data, len);
    if (!k->mpu.upload_id && k->buf.len <= s3_client_put_limit(k->c))
        return LAKE_OK;
    return send_parts(k, false, err);
}

static void sink_abort(lake_store_writer *w) {
    s3_sink *k = (s3_sink *)w;
    s3_mpu_abort(&k->mpu, NULL);
}

static lake_rc sink_finish(lake_store_writer *w, lake_error *err) {
    s3_sink *k = (s3_sink *)w;
    lake_rc rc;
    if (!k->mpu.upload_id && k->buf.len <= s3_client_put_limit(k->c)) {
        s3_req r = {0};
        r.method = "PUT";
        r.key = lake_xstrdup(k->key);
        r.body = k->buf.len ? k->buf.data : (const uint8_t *)"";
        r.body_len = k->buf.len;
        r.creates = true;
        rc = s3_run_one(k->c, &r, "PUT", err);
        s3_req_clear(&r);
        return rc;
    }
    rc = send_parts(k, true, err);
    if (!rc)
        rc = s3_mpu_complete(&k->mpu, err);
    if (rc)
        s3_mpu_abort(&k->mpu, err);
    return rc;
}

/* Every byte goes up as the upload's last part (the upload starts now for a small object), and
 * the upload stays open: its token says how to complete it. */
static lake_rc sink_pend(lake_store_writer *w, char **token, lake_error *err) {
    s3_sink *k = (s3_sink *)w;
    lake_rc rc = LAKE_OK;
    if (!k->mpu.upload_id) {
        s3_mpu_free(&k->mpu);
        rc = s3_mpu_start(&k->mpu, k->c, k->key, err);
    }
    if (!rc)
        rc = send_parts(k, true, err);
    if (rc)
        s3_mpu_abort(&k->mpu, err);
    else
        *token = s3_mpu_token(&k->mpu);
    return rc;
}

static void sink_free(lake_store_writer *w) {
    s3_sink *k = (s3_sink *)w;
    s3_mpu_free(&k->mpu);
    lake_buf_free(&k->buf);
    free(k->key);
    free(k);
}

static const lake_store_writer_ops s3_sink_ops = {
    .write = sink_write,
    .finish = sink_finish,
    .pend = sink_pend,
    .abort = sink_abort,
    .free = sink_free,
};

lake_rc s3_sink_open(s3_client *c, char *key, lake_store_writer **out) {
    s3_sink *k = lake_xcalloc(1, sizeof *k);
    k->base.ops = &s3_sink_ops;
    k->c = c;
    k->key = key;
    lake_buf_init(&k->buf);
    *out = &k->base;
    return LAKE_OK;
}
