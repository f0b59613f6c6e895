/* The S3 request engine. A client holds the settings and a curl share handle, so connections, DNS
 * answers and TLS sessions are reused by every call and thread. Each store call runs its
 * requests as one batch on its own multi handle: up to max_concurrency in flight (counted across
 * the client), each retried as the AWS SDKs' standard mode retries (the policy: s3_retry.c),
 * signed by curl (SigV4) with x-amz-content-sha256 computed here. */
#include "base/clock.h"
#include "store/s3/curl_dyn.h"
#include "store/s3/s3_internal.h"
#include "store/s3/s3_retry.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define ERROR_BODY_CAP (64u << 10)

struct s3_client {
    s3_url url;
    s3_config cfg;
    int max_concurrency;
    int max_attempts;
    int request_timeout; /* seconds without a byte moving (lake_store_options.request_timeout) */
    size_t part_size;    /* bytes per multipart part */
    char *class_header;  /* "x-amz-storage-class: ..." or NULL */
    bool sse;            /* x-amz-server-side-encryption: AES256 */
    bool verbose;
    bool sign;
    char *sigv4; /* "aws:amz:<region>:s3" */
    char *base;  /* URL of the bucket: endpoint/bucket or https://bucket.s3.<region>... */
    char *token_header;
    CURLSH *share;
    pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
    pthread_mutex_t pool_lock;
    CURL **pool;
    size_t n_pool;
    atomic_int inflight;
    pthread_mutex_t wait_lock;
    s3_batch *waiters; /* batches with requests held back by max_concurrency */
    atomic_int n_waiters;
    s3_retry_state retry; /* quota and jitter, shared by every batch */
};

struct s3_batch {
    s3_client *c;
    CURLM *multi;
    int epfd;                   /* the multi's sockets, as libcurl asks for them, and wakefd */
    int wakefd;                 /* eventfd: another batch freed a slot */
    double timer_at;            /* lake_now() when libcurl wants its timeout action; < 0: none */
    s3_req *ready, *ready_tail; /* FIFO of requests to start */
    s3_req *delayed;            /* retries waiting for their backoff */
    size_t active;
    bool cancelled;
    bool waiting; /* in c->waiters */
    s3_batch *next_waiter;
};

/* ---- client ---- */

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud) {
    (void)h;
    (void)access;
    s3_client *c = ud;
    pthread_mutex_lock(&c->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud) {
    (void)h;
    s3_client *c = ud;
    pthread_mutex_unlock(&c->share_locks[data]);
}

static char *bucket_base(const s3_client *c) {
    const s3_config *g = &c->cfg;
    if (g->endpoint && g->path_style)
        return lake_xasprintf("%s/%s", g->endpoint, c->url.bucket);
    if (g->endpoint) { /* endpoint from settings but virtual-hosted: bucket before the host */
        const char *host = strstr(g->endpoint, "://") + 3;
        return lake_xasprintf("%.*s%s.%s", (int)(host - g->endpoint), g->endpoint, c->url.bucket,
                              host);
    }
    /* AWS itself: dotted bucket names break the TLS wildcard, so those go in the path. */
    if (strchr(c->url.bucket, '.'))
        return lake_xasprintf("https://s3.%s.amazonaws.com/%s", g->region, c->url.bucket);
    return lake_xasprintf("https://%s.s3.%s.amazonaws.com", c->url.bucket, g->region);
}

lake_rc s3_client_create(const char *url, const lake_store_options *o, s3_client **out,
                         lake_error *err) {
    *out = NULL;
    const char *why = lake__curl_load();
    if (why)
        return lake_error_set(err, LAKE_ERR_INTERNAL, "%s", why);
    s3_client *c = lake_xcalloc(1, sizeof *c);
    lake_rc rc = s3_write_options_check(o, err);
    if (!rc)
        rc = s3_url_parse(url, &c->url, err);
    if (!rc)
        rc = s3_config_resolve(&c->cfg, o, err);
    if (rc) {
        s3_url_free(&c->url);
        free(c);
        return rc;
    }
    c->max_concurrency =
        o && o->max_concurrency > 0 ? o->max_concurrency : LAKE_S3_DEFAULT_MAX_CONCURRENCY;
    c->max_attempts = s3_retry_max_attempts(o ? o->max_attempts : 0, getenv("AWS_MAX_ATTEMPTS"));
    c->request_timeout =
        o && o->request_timeout > 0 ? o->request_timeout : LAKE_S3_DEFAULT_REQUEST_TIMEOUT;
    c->part_size = o && o->part_size ? (size_t)o->part_size : LAKE_S3_PART_SIZE;
    if (o && o->storage_class)
        c->class_header = lake_xasprintf("x-amz-storage-class: %s", o->storage_class);
    c->sse = o && o->sse_aes256;
    c->verbose = o && o->verbose;
    c->sign = !(o && o->no_sign_request);
    c->sigv4 = lake_xasprintf("aws:amz:%s:s3", c->cfg.region);
    c->base = bucket_base(c);
    if (c->cfg.session_token)
        c->token_header = lake_xasprintf("x-amz-security-token: %s", c->cfg.session_token);
    atomic_init(&c->inflight, 0);
    s3_retry_init(&c->retry, (uint64_t)(lake_now() * 1e9) ^ (uint64_t)(uintptr_t)c);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&c->share_locks[i], NULL);
    pthread_mutex_init(&c->pool_lock, NULL);
    pthread_mutex_init(&c->wait_lock, NULL);
    atomic_init(&c->n_waiters, 0);
    c->pool = lake_xcalloc((size_t)c->max_concurrency * 2, sizeof *c->pool);
    c->share = curl_share_init();
    curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    if (c->verbose)
        fprintf(stderr, "lake s3: s3://%s/%s via %s (region %s, credentials: %s)\n", c->url.bucket,
                c->url.prefix, c->base, c->cfg.region, c->cfg.cred_source);
    *out = c;
    return LAKE_OK;
}

void s3_client_free(s3_client *c) {
    if (!c)
        return;
    for (size_t i = 0; i < c->n_pool; i++)
        curl_easy_cleanup(c->pool[i]);
    free(c->pool);
    curl_share_cleanup(c->share);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&c->share_locks[i]);
    pthread_mutex_destroy(&c->pool_lock);
    pthread_mutex_destroy(&c->wait_lock);
    s3_url_free(&c->url);
    s3_config_free(&c->cfg);
    free(c->sigv4);
    free(c->base);
    free(c->class_header);
    if (c->token_header)
        memset(c->token_header, 0, strlen(c->token_header));
    free(c->token_header);
    free(c);
}

const s3_url *s3_client_url(const s3_client *c) {
    return &c->url;
}

int s3_client_max_concurrency(const s3_client *c) {
    return c->max_concurrency;
}

size_t s3_client_part_size(const s3_client *c) {
    return c->part_size;
}

size_t s3_client_put_limit(const s3_client *c) {
    return c->part_size > LAKE_S3_MULTIPART_THRESHOLD ? c->part_size : LAKE_S3_MULTIPART_THRESHOLD;
}

static CURL *easy_get(s3_client *c) {
    CURL *h = NULL;
    pthread_mutex_lock(&c->pool_lock);
    if (c->n_pool)
        h = c->pool[--c->n_pool];
    pthread_mutex_unlock(&c->pool_lock);
    if (h)
        curl_easy_reset(h);
    else
        h = curl_easy_init();
    if (!h) {
        fputs("lake: out of memory\n", stderr);
        exit(70);
    }
    return h;
}

static void easy_put(s3_client *c, CURL *h) {
    pthread_mutex_lock(&c->pool_lock);
    if (c->n_pool < (size_t)c->max_concurrency * 2) {
        c->pool[c->n_pool++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->pool_lock);
    if (h)
        curl_easy_cleanup(h);
}

/* ---- waiting for a free slot ----
 * Several batches (one per calling thread) share max_concurrency. A batch whose requests are held
 * back sleeps on its own sockets, so a slot freed by another batch used to stay idle until one of
 * the sleeper's own transfers moved: up to a round trip per slot. Now a finished request wakes
 * the waiting batches. */

/* Registers b as waiting; returns true when every slot is still taken (b may sleep). */
static bool wait_for_slot(s3_client *c, s3_batch *b) {
    pthread_mutex_lock(&c->wait_lock);
    if (!b->waiting) {
        b->waiting = true;
        b->next_waiter = c->waiters;
        c->waiters = b;
        atomic_fetch_add(&c->n_waiters, 1);
    }
    pthread_mutex_unlock(&c->wait_lock);
    return atomic_load(&c->inflight) >= c->max_concurrency; /* re-check: a wakeup may be past */
}

static void unlink_waiter(s3_client *c, s3_batch *b) {
    for (s3_batch **pp = &c->waiters; *pp; pp = &(*pp)->next_waiter) {
        if (*pp == b) {
            *pp = b->next_waiter;
            b->waiting = false;
            atomic_fetch_sub(&c->n_waiters, 1);
            return;
        }
    }
}

/* Wakes every waiting batch but self (they re-register if the slot is gone again). */
static void wake_waiters(s3_client *c, s3_batch *self) {
    if (!atomic_load(&c->n_waiters))
        return;
    pthread_mutex_lock(&c->wait_lock);
    s3_batch *w = c->waiters;
    while (w) {
        s3_batch *next = w->next_waiter;
        if (w != self) {
            unlink_waiter(c, w);
            uint64_t one = 1;
            ssize_t n = write(w->wakefd, &one, sizeof one); /* an eventfd counter: cannot fill up */
            (void)n;
        }
        w = next;
    }
    pthread_mutex_unlock(&c->wait_lock);
}

/* ---- batches ----
 * Each batch drives its multi handle with curl_multi_socket_action on an epoll set: libcurl says
 * which sockets to watch (on_socket) and when to act on its timeouts (on_timer). With
 * curl_multi_perform every call polled each running transfer's socket once more, 513,545 poll
 * calls for the 14,370 requests of the S3 bench. */

static int on_socket(CURL *e, curl_socket_t fd, int what, void *ud, void *fd_ud) {
    (void)e;
    s3_batch *b = ud;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(b->epfd, EPOLL_CTL_DEL, fd, NULL);
        return 0;
    }
    struct epoll_event ev = {.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) |
                                       (what & CURL_POLL_OUT ? EPOLLOUT : 0u),
                             .data.fd = fd};
    /* fd_ud marks a socket this multi watches already (libcurl forgets it on REMOVE); the other
     * operation is the fallback for a descriptor number that closed and came back meanwhile. */
    int op = fd_ud ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(b->epfd, op, fd, &ev) != 0)
        epoll_ctl(b->epfd, op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
    curl_multi_assign(b->multi, fd, b);
    return 0;
}

static int on_timer(CURLM *m, long timeout_ms, void *ud) {
    (void)m;
    s3_batch *b = ud;
    b->timer_at = timeout_ms < 0 ? -1 : lake_now() + (double)timeout_ms / 1000.0;
    return 0;
}

static void batch_oom(void) {
    fputs("lake: out of memory\n", stderr);
    exit(70);
}

s3_batch *s3_batch_new(s3_client *c) {
    s3_batch *b = lake_xcalloc(1, sizeof *b);
    b->c = c;
    b->timer_at = -1;
    b->multi = curl_multi_init();
    b->epfd = epoll_create1(EPOLL_CLOEXEC);
    b->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = b->wakefd};
    if (!b->multi || b->epfd < 0 || b->wakefd < 0 ||
        epoll_ctl(b->epfd, EPOLL_CTL_ADD, b->wakefd, &ev) != 0)
        batch_oom();
    curl_multi_setopt(b->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(b->multi, CURLMOPT_SOCKETDATA, b);
    curl_multi_setopt(b->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(b->multi, CURLMOPT_TIMERDATA, b);
    /* No CURLMOPT_MAX_HOST_CONNECTIONS: the client's inflight count already keeps every batch
     * together within max_concurrency, and with the connection cache shared between batches
     * libcurl parked a transfer waiting for a connection that only another multi handle would
     * give back, with no timer or socket event left to wake it (a run hung in s3_batch_run about
     * once in ten under injected stalls). */
    /* The connections live in the client's share handle, but when one is returned libcurl trims
     * that cache to this multi's limit, by default 4 per easy handle of the multi: a batch
     * finishing its last few requests closed the connections another batch was about to reuse
     * (3,022 connections for 14,370 requests in the S3 bench). Keep every one that can be busy. */
    curl_multi_setopt(b->multi, CURLMOPT_MAXCONNECTS, (long)c->max_concurrency);
    return b;
}

void s3_batch_free(s3_batch *b) {
    if (!b)
        return;
    pthread_mutex_lock(&b->c->wait_lock);
    if (b->waiting)
        unlink_waiter(b->c, b);
    pthread_mutex_unlock(&b->c->wait_lock);
    curl_multi_cleanup(b->multi); /* may still tell on_socket to forget sockets */
    close(b->epfd);
    close(b->wakefd);
    free(b);
}

s3_client *s3_batch_client(s3_batch *b) {
    return b->c;
}

static void push_ready(s3_batch *b, s3_req *r) {
    r->next = NULL;
    if (b->ready_tail)
        b->ready_tail->next = r;
    else
        b->ready = r;
    b->ready_tail = r;
}

void s3_batch_add(s3_batch *b, s3_req *r) {
    r->status = 0;
    r->curl_code = 0;
    r->attempts = 0;
    r->cancelled = false;
    r->timed_out = false;
    r->not_before = 0;
    r->payload_hash[0] = '\0';
    push_ready(b, r);
}

void s3_batch_cancel(s3_batch *b) {
    b->cancelled = true;
}

bool s3_batch_cancelled(const s3_batch *b) {
    return b->cancelled;
}

bool s3_req_ok(const s3_req *r) {
    return !r->cancelled && r->curl_code == CURLE_OK && r->status >= 200 && r->status < 300;
}

void s3_req_clear(s3_req *r) {
    free(r->key);
    free(r->query);
    free(r->if_match);
    free(r->etag);
    lake_buf_free(&r->resp);
    r->key = r->query = r->if_match = r->etag = NULL;
}

static long response_status(s3_req *r) {
    long status = 0;
    curl_easy_getinfo((CURL *)r->easy, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
    s3_req *r = ud;
    size_t len = size * n;
    long status = response_status(r);
    if (status < 200 || status >= 300) {
        if (r->resp.len + len <= ERROR_BODY_CAP)
            lake_buf_append(&r->resp, p, len);
        return len;
    }
    if (r->window) {
        if (r->got + len > r->window_len)
            return 0; /* more than asked for: fail the transfer */
        memcpy(r->window + r->got, p, len);
    } else if (r->out) {
        lake_buf_append(r->out, p, len);
    } else {
        lake_buf_append(&r->resp, p, len);
    }
    r->got += len;
    return len;
}

static bool header_is(const char *line, size_t n, const char *name, const char **value) {
    size_t nl = strlen(name);
    if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return false;
    *value = line + nl + 1;
    while (**value == ' ')
        (*value)++;
    return true;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
    s3_req *r = ud;
    size_t len = size * n, vl;
    const char *v;
    while (len && (p[len - 1] == '\r' || p[len - 1] == '\n'))
        len--;
    if (header_is(p, len, "ETag", &v)) {
        vl = len - (size_t)(v - p);
        free(r->etag);
        r->etag = lake_xstrndup(v, vl);
    } else if (header_is(p, len, "Content-Range", &v)) {
        const char *slash = memchr(v, '/', len - (size_t)(v - p));
        if (slash && slash[1] != '*')
            r->total_size = strtoull(slash + 1, NULL, 10);
    } else if (header_is(p, len, "Content-Length", &v) && !r->ranged) {
        r->total_size = strtoull(v, NULL, 10);
    }
    return size * n;
}

/* The request timeout: an attempt that has sent and received nothing for idle_limit seconds is
 * aborted (and finish() makes it a timeout, retried as one). Idle time rather than total time, so
 * an 8 MiB part on a slow link runs as long as it moves. libcurl calls this at least once a
 * second while a low-speed limit is set, and on every transfer of bytes. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
    (void)dltotal;
    (void)ultotal;
    s3_req *r = ud;
    double now = lake_now();
    if ((int64_t)(dlnow + ulnow) != r->moved) {
        r->moved = (int64_t)(dlnow + ulnow);
        r->last_move = now;
        return 0;
    }
    if (now - r->last_move < r->idle_limit)
        return 0;
    r->timed_out = true;
    return 1;
}

/* The write options of a request that makes an object. curl's SigV4 signs every x-amz-* header
 * given to it, so these are covered by the signature. The storage class is left off lake's own
 * objects (a '_' component: lock, journal, markers), which must stay readable at once. */
static struct curl_slist *write_headers(const s3_client *c, const s3_req *r,
                                        struct curl_slist *hd) {
    size_t plen = strlen(c->url.prefix);
    const char *rel = r->key && !strncmp(r->key, c->url.prefix, plen) ? r->key + plen : r->key;
    if (c->class_header && rel && !lake_key_hidden_below(rel, 0))
        hd = curl_slist_append(hd, c->class_header);
    if (c->sse)
        hd = curl_slist_append(hd, "x-amz-server-side-encryption: AES256");
    return hd;
}

static void start(s3_batch *b, s3_req *r) {
    s3_client *c = b->c;
    CURL *h = easy_get(c);
    r->easy = h;
    r->got = 0;
    r->total_size = 0;
    r->timed_out = false;
    r->moved = 0;
    r->idle_limit = c->request_timeout;
    r->last_move = lake_now();
    r->out_start = r->out ? r->out->len : 0;
    r->errbuf[0] = '\0';
    lake_buf_resize(&r->resp, 0);

    char *ekey = r->key ? s3_uri_encode(r->key, true) : NULL;
    char *url = lake_xasprintf("%s/%s%s%s", c->base, ekey ? ekey : "", r->query ? "?" : "",
                               r->query ? r->query : "");
    /* path-style bucket requests: ".../bucket/" and ".../bucket" both work; keep the slash off */
    if (!ekey && !r->query && c->cfg.path_style)
        url[strlen(url) - 1] = '\0';
    free(ekey);

    struct curl_slist *hd = NULL;
    char line[160];
    if (c->sign) {
        if (!r->payload_hash[0]) {
            uint8_t sum[32];
            s3_sha256(r->body ? (const void *)r->body : "", r->body_len, sum);
            s3_hex(sum, 32, r->payload_hash);
        }
        snprintf(line, sizeof line, "x-amz-content-sha256: %s", r->payload_hash);
        hd = curl_slist_append(hd, line);
        if (c->token_header)
            hd = curl_slist_append(hd, c->token_header);
    }
    if (r->checksum) {
        uint8_t sum[32];
        s3_sha256(r->body ? (const void *)r->body : "", r->body_len, sum);
        char *b64 = s3_base64(sum, 32);
        snprintf(line, sizeof line, "x-amz-checksum-sha256: %s", b64);
        free(b64);
        hd = curl_slist_append(hd, line);
    }
    if (r->body || !strcmp(r->method, "PUT") || !strcmp(r->method, "POST")) {
        snprintf(line, sizeof line, "Content-Type: %s",
                 r->content_type ? r->content_type : "application/octet-stream");
        hd = curl_slist_append(hd, line);
    }
    if (r->ranged) {
        snprintf(line, sizeof line, "Range: bytes=%llu-%llu", (unsigned long long)r->range_lo,
                 (unsigned long long)r->range_hi);
        hd = curl_slist_append(hd, line);
    }
    if (r->if_match) {
        char *m = lake_xasprintf("If-Match: %s", r->if_match);
        hd = curl_slist_append(hd, m);
        free(m);
    }
    if (r->if_none_match)
        hd = curl_slist_append(hd, "If-None-Match: *");
    if (r->creates)
        hd = write_headers(c, r, hd);
    r->hdrs = hd;

    curl_easy_setopt(h, CURLOPT_URL, url);
    free(url);
    curl_easy_setopt(h, CURLOPT_SHARE, c->share);
    curl_easy_setopt(h, CURLOPT_PRIVATE, r);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    long timeout = c->request_timeout;
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (timeout < 10 ? timeout : 10L) * 1000L);
    /* The low-speed check also has libcurl wake the transfer every second, which on_progress
     * needs; on its own it averages over several seconds and would notice a stall late. */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, timeout);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, r);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    if (!strcmp(r->method, "HEAD")) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
        if (r->body || !strcmp(r->method, "PUT") || !strcmp(r->method, "POST")) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body ? (const char *)r->body : "");
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
        }
    }
    if (c->sign) {
        curl_easy_setopt(h, CURLOPT_AWS_SIGV4, c->sigv4);
        curl_easy_setopt(h, CURLOPT_USERNAME, c->cfg.access_key);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->cfg.secret_key);
    }
    curl_multi_add_handle(b->multi, h);
    b->active++;
    atomic_fetch_add(&c->inflight, 1);
}

static void print_target(FILE *f, s3_client *c, const s3_req *r) {
    fprintf(f, "s3://%s/%s%s%s", c->url.bucket, r->key ? r->key : (r->label ? r->label : ""),
            r->query ? "?" : "", r->query ? r->query : "");
}

/* The service's error Code of a failed reply, malloc'ed, or NULL. */
static char *reply_code(const s3_req *r) {
    char *code = NULL, *msg = NULL;
    if (s3_xml_error(r->resp.data, r->resp.len, &code, &msg))
        free(msg);
    return code;
}

static void finish(s3_batch *b, s3_req *r, CURLcode cc) {
    s3_client *c = b->c;
    CURL *h = r->easy;
    if (cc == CURLE_OPERATION_TIMEDOUT && !strncmp(r->errbuf, "Operation too slow", 18))
        r->timed_out = true; /* libcurl's low-speed limit: the same timeout, noticed later */
    else if (cc != CURLE_ABORTED_BY_CALLBACK)
        r->timed_out = false; /* a connect timeout keeps libcurl's message */
    if (r->timed_out)
        cc = CURLE_OPERATION_TIMEDOUT; /* retried as a timeout (s3_retry.h) */
    r->curl_code = (int)cc;
    r->status = cc == CURLE_OK ? response_status(r) : 0;
    r->attempts++;
    curl_multi_remove_handle(b->multi, h);
    curl_slist_free_all(r->hdrs);
    r->hdrs = NULL;
    r->easy = NULL;
    easy_put(c, h);
    b->active--;
    atomic_fetch_sub(&c->inflight, 1);
    wake_waiters(c, b);

    char *code = NULL;
    if (cc == CURLE_OK && (r->status < 200 || r->status >= 300))
        code = reply_code(r);
    else if (cc == CURLE_OK && !r->out && !r->window && r->resp.len &&
             (code = reply_code(r)) != NULL)
        r->status = 500; /* CompleteMultipartUpload can fail inside a 200 reply */
    if (cc == CURLE_OK && r->window && r->status >= 200 && r->status < 300 &&
        r->got != r->window_len)
        r->curl_code = cc = CURLE_PARTIAL_FILE;
    s3_verdict v = s3_classify(r->curl_code, r->status, code);
    free(code);
    if (c->verbose) {
        fprintf(stderr, "lake s3: %s ", r->method);
        print_target(stderr, c, r);
        if (cc != CURLE_OK)
            fprintf(stderr, " -> %s (attempt %d)\n", curl_easy_strerror(cc), r->attempts);
        else
            fprintf(stderr, " -> %ld (attempt %d)\n", r->status, r->attempts);
    }
    if (!b->cancelled && s3_retry_take(&c->retry, v, (int)cc, r->attempts, c->max_attempts)) {
        if (r->out)
            lake_buf_resize(r->out, r->out_start);
        r->not_before = lake_now() + s3_retry_delay_ms(&c->retry, r->attempts) / 1000.0;
        r->next = b->delayed;
        b->delayed = r;
        return;
    }
    if (v == S3_DONE_OK)
        s3_retry_success(&c->retry, r->attempts);
    else if (r->out)
        lake_buf_resize(r->out, r->out_start);
    if (r->done)
        r->done(b, r);
}

/* Moves retries whose backoff has passed to the ready queue; returns ms until the next one. */
static double promote_delayed(s3_batch *b) {
    double now = lake_now(), next = -1;
    s3_req **pp = &b->delayed;
    while (*pp) {
        s3_req *r = *pp;
        if (r->not_before <= now || b->cancelled) {
            *pp = r->next;
            push_ready(b, r);
        } else {
            double ms = (r->not_before - now) * 1000.0;
            if (next < 0 || ms < next)
                next = ms;
            pp = &r->next;
        }
    }
    return next;
}

static void start_ready(s3_batch *b) {
    s3_client *c = b->c;
    while (b->ready) {
        if (!b->cancelled && b->active > 0 && atomic_load(&c->inflight) >= c->max_concurrency &&
            wait_for_slot(c, b))
            break;
        s3_req *r = b->ready;
        b->ready = r->next;
        if (!b->ready)
            b->ready_tail = NULL;
        if (b->cancelled) {
            r->cancelled = true;
            r->curl_code = CURLE_ABORTED_BY_CALLBACK;
            if (r->done)
                r->done(b, r);
            continue;
        }
        start(b, r);
    }
}

/* Hands every finished transfer to finish(). */
static void collect_done(s3_batch *b) {
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(b->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        s3_req *r = NULL;
        CURLcode cc = m->data.result;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        finish(b, r, cc);
    }
}

/* Milliseconds to sleep: until libcurl's timeout, the next backoff, or 100 ms at most. */
static int wait_timeout_ms(const s3_batch *b, double backoff_ms) {
    double t = 100;
    if (backoff_ms >= 0 && backoff_ms + 1 < t)
        t = backoff_ms + 1;
    if (b->timer_at >= 0) {
        double ms = (b->timer_at - lake_now()) * 1000.0;
        if (ms <= 0)
            return 0;
        if (ms + 1 < t)
            t = ms + 1; /* rounded up, so the timeout has passed when we wake */
    }
    return (int)t;
}

/* Waits up to timeout_ms for socket events, a wakeup or libcurl's timeout, and acts on them. */
static void wait_and_act(s3_batch *b, int timeout_ms) {
    struct epoll_event ev[64];
    int running = 0;
    int n = epoll_wait(b->epfd, ev, 64, timeout_ms);
    for (int i = 0; i < n; i++) {
        int fd = ev[i].data.fd;
        if (fd == b->wakefd) {
            uint64_t v;
            ssize_t got = read(fd, &v, sizeof v); /* only resets the counter */
            (void)got;
            continue;
        }
        int mask = (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                   (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                   (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
        curl_multi_socket_action(b->multi, fd, mask, &running);
    }
    if (b->timer_at >= 0 && b->timer_at <= lake_now()) {
        b->timer_at = -1; /* before acting: the action may set the next one */
        curl_multi_socket_action(b->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
}

void s3_batch_run(s3_batch *b) {
    for (;;) {
        double backoff_ms = promote_delayed(b);
        start_ready(b);
        if (!b->active && !b->ready && !b->delayed)
            break;
        wait_and_act(b, wait_timeout_ms(b, backoff_ms));
        collect_done(b);
    }
}

/* ---- errors ---- */

static const char *status_code_name(long status) {
    switch (status) {
    case 301:
        return "PermanentRedirect";
    case 400:
        return "BadRequest";
    case 403:
        return "AccessDenied";
    case 404:
        return "NotFound";
    case 409:
        return "Conflict";
    case 412:
        return "PreconditionFailed";
    case 416:
        return "InvalidRange";
    case 503:
        return "ServiceUnavailable";
    default:
        return status >= 500 ? "InternalError" : "HTTPError";
    }
}

lake_rc s3_req_error(s3_client *c, const s3_req *r, const char *what, lake_error *err) {
    const char *target = r->key ? r->key : (r->label ? r->label : "");
    char tries[48] = "";
    if (r->attempts > 1)
        snprintf(tries, sizeof tries, ", after %d attempts", r->attempts);
    if (r->cancelled)
        return lake_error_set(err, LAKE_ERR_IO, "%s s3://%s/%s: cancelled after another failure",
                              what, c->url.bucket, target);
    if (r->curl_code != CURLE_OK && r->timed_out)
        return lake_error_set(err, LAKE_ERR_NETWORK,
                              "%s s3://%s/%s: timed out: nothing sent or received for %d s "
                              "(--request-timeout %d)%s",
                              what, c->url.bucket, target, c->request_timeout, c->request_timeout,
                              tries);
    if (r->curl_code != CURLE_OK) {
        const char *host = c->cfg.endpoint ? c->cfg.endpoint : c->base;
        const char *detail = r->errbuf[0] ? r->errbuf : curl_easy_strerror(r->curl_code);
        bool net = s3_classify(r->curl_code, 0, NULL) == S3_DONE_RETRY ||
                   r->curl_code == CURLE_PEER_FAILED_VERIFICATION;
        return lake_error_set(err, net ? LAKE_ERR_NETWORK : LAKE_ERR_IO,
                              "%s s3://%s/%s: cannot reach %s: %s%s", what, c->url.bucket, target,
                              host, detail, tries);
    }
    char *code = NULL, *msg = NULL;
    s3_xml_error(r->resp.data, r->resp.len, &code, &msg);
    const char *shown = code ? code : status_code_name(r->status);
    lake_rc rc = LAKE_ERR_IO;
    if (r->status == 403)
        rc = LAKE_ERR_AUTH;
    else if (r->status == 404 ||
             (code && (!strcmp(code, "NoSuchBucket") || !strcmp(code, "NoSuchKey"))))
        rc = LAKE_ERR_NOT_FOUND;
    /* One line: service messages may carry newlines. */
    for (char *p = msg; p && *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    const char *hint = "";
    if (rc == LAKE_ERR_AUTH)
        hint = " (access denied: check the AWS credentials, signature and permissions)";
    else if (code && !strcmp(code, "NoSuchBucket"))
        hint = " (no such bucket)";
    lake_error_set(err, rc, "%s s3://%s/%s: %s%s%s (HTTP %ld%s)%s", what, c->url.bucket, target,
                   shown, msg ? ": " : "", msg ? msg : "", r->status, tries, hint);
    free(code);
    free(msg);
    return rc;
}
