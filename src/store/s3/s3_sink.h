/* S3 multipart uploads and the streaming writer built on them (s3_sink.c), shared with the
 * whole-object put of s3.c. Private to src/store/s3/; uses the request engine (s3_internal.h). */
#ifndef LAKE_S3_SINK_H
#define LAKE_S3_SINK_H

#include "store/s3/s3_internal.h"

/* S3 accepts at most this many parts in one upload. */
#define S3_MAX_PARTS LAKE_S3_MAX_PARTS

/* One multipart upload: CreateMultipartUpload, UploadPart requests sent in parallel batches,
 * then CompleteMultipartUpload, or AbortMultipartUpload so no parts are left to be billed. */
typedef struct {
    s3_client *c;
    char *key;       /* full key in the bucket */
    char *upload_id; /* NULL until started */
    char *eid;       /* upload_id, URI-encoded for queries */
    char **etags;    /* one per part sent */
    size_t nparts, cap;
} s3_mpu;

/* Runs one request to its end in a batch of its own; r->resp keeps the reply. Returns LAKE_OK
 * or the request's error (see s3_req_error), naming the operation `what`. */
lake_rc s3_run_one(s3_client *c, s3_req *r, const char *what, lake_error *err);

/* The S3 lock (s3_lock.c): a lock object created with a conditional PUT and kept by a lease. */
lake_rc s3_lock_take(s3_client *c, char *key, const char *holder, double wait_s, void **out,
                     lake_error *err);
void s3_lock_release(void *handle);
bool s3_lock_held(void *handle);

/* Starts an upload of key (copied). On failure m needs no abort, only s3_mpu_free. */
lake_rc s3_mpu_start(s3_mpu *m, s3_client *c, const char *key, lake_error *err);
/* Uploads data[0..len) as the next parts, each `part` bytes but the last, all at once (the
 * client's max_concurrency bounds what is in flight). The first failure cancels the rest. */
lake_rc s3_mpu_send(s3_mpu *m, const uint8_t *data, size_t len, size_t part, lake_error *err);
/* Completes the upload with every part sent. */
lake_rc s3_mpu_complete(s3_mpu *m, lake_error *err);
/* Fills r (zeroed first) with the CompleteMultipartUpload request of m, its body in body (which
 * must outlive r's run). */
void s3_mpu_complete_req(const s3_mpu *m, s3_req *r, lake_buf *body);
/* The token of a started upload: "<upload id> <ETag of part 1> <ETag of part 2> ..."
 * (malloc'ed; neither holds a space). */
char *s3_mpu_token(const s3_mpu *m);
/* Rebuilds an upload of full key `key` from its token, to complete or abort it. LAKE_ERR_PARSE
 * for a malformed token (m then holds nothing). */
lake_rc s3_mpu_resume(s3_mpu *m, s3_client *c, const char *key, const char *token, lake_error *err);
/* Aborts the upload; when that fails too, err (already describing the first failure) says so. */
void s3_mpu_abort(s3_mpu *m, lake_error *err);
void s3_mpu_free(s3_mpu *m); /* accepts a zeroed s3_mpu */

/* Streaming writer for the full key `key` (ownership taken). */
lake_rc s3_sink_open(s3_client *c, char *key, lake_store_writer **out);

/* Pending objects (s3_pending.c); keys are relative to the store's prefix. */
lake_rc s3_publish(s3_client *c, const char *const *keys, const char *const *tokens, size_t n,
                   lake_error *err);
lake_rc s3_discard(s3_client *c, const char *const *keys, const char *const *tokens, size_t n,
                   lake_error *err);
lake_rc s3_discard_all(s3_client *c, const char *prefix, size_t *n, lake_error *err);

#endif
