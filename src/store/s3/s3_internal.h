/* S3 backend internals, private to src/store/s3/ (and its unit tests). Layers, bottom up:
 *   curl_dyn.c   libcurl, loaded on first use (curl_dyn.h)
 *   s3_sha256.c  SHA-256, hex and base64 (payload hashes, DeleteObjects checksum)
 *   s3_url.c     s3:// URLs, SigV4 percent-encoding
 *   s3_config.c  AWS settings: options, environment, ~/.aws files; endpoints
 *   s3_imds.c    EC2 instance-profile credentials (IMDSv2), the settings' last resort
 *   s3_xml.c     expat parsers for ListObjectsV2, Error, multipart and DeleteObjects replies
 *   s3_retry.c   the retry policy: what retries, backoff, attempts, quota (s3_retry.h)
 *   s3_http.c    client: curl share handle, request batches on a multi handle, errors
 *   s3_list.c    ListObjectsV2 listings: one level, first level then flat, fanned out
 *   s3_sink.c    multipart uploads and the streaming writer (s3_sink.h)
 *   s3_pending.c pending objects: open uploads completed or aborted in batches (s3_sink.h)
 *   s3.c         the lake_store_ops backend built from batches of requests
 * Uses the backend contract (store/store_impl.h), base/, libcurl (through curl_dyn.h) and
 * expat; nothing outside src/store/ uses any of it. */
#ifndef LAKE_S3_INTERNAL_H
#define LAKE_S3_INTERNAL_H

#include "lake/s3.h"
#include "store/store_impl.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- s3_sha256.c ---- */
void s3_sha256(const void *data, size_t len, uint8_t out[32]);
void s3_hex(const uint8_t *p, size_t n, char *out); /* writes 2n chars + NUL */
char *s3_base64(const uint8_t *p, size_t n);        /* malloc'ed */

/* ---- s3_url.c ---- */
typedef struct {
    char *bucket;
    char *prefix; /* "" or ending in '/' */
} s3_url;

/* Parses s3://bucket[/prefix] or s3a://...; the prefix gets a trailing '/'. Returns LAKE_OK
 * (free out with s3_url_free), or LAKE_ERR_INVALID_ARG for another scheme, a missing or an
 * invalid bucket name (out then holds nothing). */
lake_rc s3_url_parse(const char *url, s3_url *out, lake_error *err);
void s3_url_free(s3_url *u);

/* Percent-encodes s as SigV4 wants: unreserved bytes kept, '/' kept when keep_slash. Returns a
 * malloc'ed string. */
char *s3_uri_encode(const char *s, bool keep_slash);

/* ---- s3_config.c ---- */

/* Value of key in [section] of an AWS-style INI text, malloc'ed, or NULL. Keys match without
 * regard to case; indented lines (nested settings such as "s3 =\n  addressing_style = path")
 * are skipped. */
char *s3_ini_get(const char *text, const char *section, const char *key);

typedef struct {
    char *access_key;    /* NULL for unsigned requests */
    char *secret_key;    /* never printed */
    char *session_token; /* never printed; NULL when none */
    char *region;
    char *endpoint;          /* scheme://host[:port], no trailing '/'; NULL means AWS by region */
    bool path_style;         /* bucket in the path (custom endpoints) instead of the host name */
    const char *cred_source; /* static text for --verbose: "environment", "shared files"... */
} s3_config;

/* Applies the profile's settings from credentials/config file texts (either may be NULL) to the
 * fields of cfg still unset. profile_explicit makes a missing profile an error. */
lake_rc s3_config_apply_files(s3_config *cfg, const char *cred_text, const char *config_text,
                              const char *profile, bool profile_explicit, lake_error *err);

/* Resolves the full configuration from options, environment, files and (last) IMDSv2. Returns
 * LAKE_OK (free cfg with s3_config_free); LAKE_ERR_AUTH when requests are to be signed and no
 * place gave credentials, or AWS_PROFILE names a missing profile; LAKE_ERR_INVALID_ARG for an
 * endpoint that is not http(s). cfg holds nothing after a failure. */
lake_rc s3_config_resolve(s3_config *cfg, const lake_store_options *o, lake_error *err);
void s3_config_free(s3_config *cfg);

/* LAKE_OK when o's write options are valid (storage class known, part size within S3's
 * limits), else LAKE_ERR_INVALID_ARG saying which. o may be NULL. */
lake_rc s3_write_options_check(const lake_store_options *o, lake_error *err);

/* ---- s3_imds.c ---- */

/* Room for s3_imds_credentials's reason: curl's message and the address and step around it. */
#define S3_IMDS_WHY_SIZE 512

/* Fills cfg's credentials from the EC2 instance profile (IMDSv2, at AWS_EC2_METADATA_SERVICE_
 * ENDPOINT or 169.254.169.254) within one second in all. Returns true, or false with what failed
 * in why ("; EC2 instance metadata at <address>: <step> request failed: <reason>", never a token
 * or key). */
bool s3_imds_credentials(s3_config *cfg, char *why, size_t why_len);

/* ---- s3_xml.c ---- */
typedef struct {
    lake_obj_list objects; /* full keys in the bucket, with sizes */
    char **prefixes;       /* CommonPrefixes */
    size_t n_prefixes;
    char *next_token; /* NextContinuationToken when IsTruncated, else NULL */
    bool truncated;
} s3_list_page;

/* Parses a ListObjectsV2 reply. Returns LAKE_OK (free page with s3_list_page_free), or
 * LAKE_ERR_PARSE for a malformed reply (page then holds nothing). */
lake_rc s3_xml_list(const void *xml, size_t len, s3_list_page *page, lake_error *err);
void s3_list_page_free(s3_list_page *page);

typedef struct {
    char **keys, **ids; /* full keys and upload ids of the uploads in progress */
    size_t n;
    bool truncated;
    char *next_key, *next_id; /* the markers of the next page when truncated */
} s3_uploads_page;

/* Parses a ListMultipartUploads reply. Returns LAKE_OK (free page with s3_uploads_page_free),
 * or LAKE_ERR_PARSE for a malformed reply (page then holds nothing). */
lake_rc s3_xml_uploads(const void *xml, size_t len, s3_uploads_page *page, lake_error *err);
void s3_uploads_page_free(s3_uploads_page *page);

/* Parses an <Error> body into malloc'ed code and message (either may come back NULL). Returns
 * false when the body is not an S3 error document. */
bool s3_xml_error(const void *xml, size_t len, char **code, char **message);

/* UploadId from an InitiateMultipartUploadResult, malloc'ed, or NULL. */
char *s3_xml_upload_id(const void *xml, size_t len);

/* First failed key of a DeleteObjects reply (with its Code and Message), or false when every key
 * was deleted. */
bool s3_xml_delete_errors(const void *xml, size_t len, char **key, char **code, char **message);

/* Appends s to b with &, <, >, ", ' escaped. */
void s3_xml_escape(lake_buf *b, const char *s);

/* ---- s3_http.c ---- */
typedef struct s3_client s3_client;
typedef struct s3_req s3_req;
typedef struct s3_batch s3_batch;
typedef void (*s3_done_fn)(s3_batch *b, s3_req *r);

/* One S3 request, retried by the batch until it succeeds or fails for good. */
struct s3_req {
    /* set by the caller */
    const char *method;  /* GET PUT POST DELETE HEAD */
    char *key;           /* full key in the bucket, or NULL for a bucket request; owned */
    const char *label;   /* what errors name when key is NULL (e.g. the listed prefix) */
    char *query;         /* sorted, encoded query without '?', or NULL; owned */
    const uint8_t *body; /* request body (not owned) or NULL */
    size_t body_len;
    const char *content_type; /* or NULL */
    bool checksum;            /* send x-amz-checksum-sha256 (DeleteObjects needs one) */
    bool creates; /* makes an object (PUT, CreateMultipartUpload): carries the write options */
    bool ranged;  /* send Range: bytes=range_lo-range_hi */
    uint64_t range_lo, range_hi;
    char *if_match;     /* ETag the object must still have, or NULL; owned */
    bool if_none_match; /* PUT only if the key does not exist (If-None-Match: *) */
    lake_buf *out;      /* 2xx body appended here; NULL collects it in resp */
    uint8_t *window;    /* or: 2xx body written into window[0..window_len) */
    size_t window_len;
    s3_done_fn done; /* called once with the final outcome; may add requests */
    void *ud;
    size_t idx;
    /* results */
    long status;
    int curl_code;
    int attempts;
    lake_buf resp;       /* error body, or the 2xx body when out and window are NULL */
    char *etag;          /* ETag response header */
    uint64_t total_size; /* from Content-Range (ranged) or Content-Length */
    size_t got;          /* body bytes received into out/window this attempt */
    bool timed_out;      /* the attempt moved no byte for the client's request timeout */
    /* engine */
    char payload_hash[65]; /* hex SHA-256 of body, computed once */
    bool cancelled;
    size_t out_start;
    double not_before;
    double idle_limit; /* seconds: the client's request timeout */
    double last_move;  /* lake_now() when a byte last moved */
    int64_t moved;     /* bytes sent + received so far this attempt */
    void *easy;
    void *hdrs;
    s3_req *next;
    char errbuf[256];
};

/* The client of one store: settings, credentials and a curl share handle (connections, DNS, TLS
 * sessions) used by every thread. */
lake_rc s3_client_create(const char *url, const lake_store_options *o, s3_client **out,
                         lake_error *err);
void s3_client_free(s3_client *c);
const s3_url *s3_client_url(const s3_client *c);
/* Requests in flight the client allows (lake_store_options.max_concurrency or the default). */
int s3_client_max_concurrency(const s3_client *c);
/* Bytes per multipart part (lake_store_options.part_size or LAKE_S3_PART_SIZE), and the size up
 * to which an object goes up in one PUT (the larger of that and LAKE_S3_MULTIPART_THRESHOLD). */
size_t s3_client_part_size(const s3_client *c);
size_t s3_client_put_limit(const s3_client *c);

/* A set of requests run together on one multi handle (one batch per store call, so calls from
 * several threads never share one). */
s3_batch *s3_batch_new(s3_client *c);
void s3_batch_free(s3_batch *b);
s3_client *s3_batch_client(s3_batch *b);
/* Queues r (zeroed results); callable from done callbacks while the batch runs. */
void s3_batch_add(s3_batch *b, s3_req *r);
/* Runs until every queued request is done. */
void s3_batch_run(s3_batch *b);
/* Sets the batch's "stop" flag: requests not yet started finish at once as cancelled. */
void s3_batch_cancel(s3_batch *b);
bool s3_batch_cancelled(const s3_batch *b);

/* True when r finished with a 2xx status. */
bool s3_req_ok(const s3_req *r);
/* Frees what the engine and caller attached to r (not r itself). */
void s3_req_clear(s3_req *r);
/* Describes a failed request in err as one line naming s3://bucket/key, the service's Code and
 * Message and the HTTP status (or the request timeout, when the last attempt timed out), and
 * returns the mapped rc (403 AUTH, 404 NOT_FOUND, transport NETWORK, else IO). what is the
 * operation ("GET", "list", ...). */
lake_rc s3_req_error(s3_client *c, const s3_req *r, const char *what, lake_error *err);

/* ---- s3_list.c ---- */
typedef enum {
    S3_LIST_LEVEL,       /* one delimited level: objects into outs[0], common prefixes apart */
    S3_LIST_FIRST_LEVEL, /* the first level delimited, each common prefix then flat */
    S3_LIST_FANOUT       /* narrow levels descended, wide ones flat (s3_list.c says when) */
} s3_list_mode;

/* Lists prefixes[0..n) (relative to the store's prefix) in one batch: every object under
 * prefixes[i] into outs[i] (sorted, keys relative to the store's prefix, "directory" markers left
 * out); for S3_LIST_LEVEL (n 1) the objects right under the prefix, and its common prefixes
 * (ending in '/', size 0, unsorted) into common. A missing prefix lists nothing. Returns LAKE_OK,
 * or the first failure (s3_req_error's message, or LAKE_ERR_PARSE for a malformed reply) with
 * every list emptied. */
lake_rc s3_list_run(s3_client *c, s3_list_mode mode, const char *const *prefixes, size_t n,
                    lake_obj_list *outs, lake_obj_list *common, lake_error *err);

#endif
