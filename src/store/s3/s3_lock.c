/* The S3 lock: an object created with a conditional PUT (If-None-Match: *), so of two runs that
 * create it at once exactly one succeeds. It holds the holder's description and when its lease
 * ends; a thread renews the lease (a PUT with If-Match on the lock's ETag) every third of it. A
 * lock whose lease ended (its holder was killed or cut off) is taken over with If-Match on the
 * ETag read, so of two runs taking over at once one wins, and the taker says so on stderr. */
#include "base/clock.h"
#include "store/s3/s3_sink.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOCK_LEASE_S 60 /* a holder that stops renewing loses the lock this long after */
#define LOCK_SKEW_S 10  /* clocks of two hosts may differ this much */

typedef struct {
    s3_client *c;
    char *key; /* full key in the bucket */
    char *holder;
    char *etag;     /* of the lock object as this run last wrote it (the renewer's, once running) */
    double last_ok; /* lake_now() of the last write that extended the lease */
    pthread_t renewer;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, lost, running;
} s3_lock;

static char *lock_text(const char *holder) {
    return lake_xasprintf("%s\nexpires %lld\n", holder, (long long)time(NULL) + LOCK_LEASE_S);
}

static lake_rc get_lock(s3_lock *l, lake_buf *text, char **etag, lake_error *err);

/* Does the stored lock name this run's holder line? Adopts its ETag when it does. */
static bool is_mine(s3_lock *l) {
    lake_buf text;
    lake_buf_init(&text);
    char *etag = NULL;
    size_t n = strlen(l->holder);
    bool mine = !get_lock(l, &text, &etag, NULL) && text.len > n &&
                !memcmp(text.data, l->holder, n) && text.data[n] == '\n';
    if (mine) {
        free(l->etag);
        l->etag = etag;
    } else {
        free(etag);
    }
    lake_buf_free(&text);
    return mine;
}

/* PUT of the lock object: create (if_match NULL) or replace the version with ETag if_match.
 * LAKE_ERR_LOCKED when the condition did not hold. */
static lake_rc put_lock(s3_lock *l, const char *if_match, lake_error *err) {
    char *text = lock_text(l->holder);
    s3_req r = {0};
    r.method = "PUT";
    r.key = lake_xstrdup(l->key);
    r.body = (const uint8_t *)text;
    r.body_len = strlen(text);
    r.if_none_match = if_match == NULL;
    r.if_match = if_match ? lake_xstrdup(if_match) : NULL;
    r.creates = true; /* encrypted like every object; its '_lake/' name keeps the default class */
    lake_rc rc = s3_run_one(l->c, &r, "PUT", err);
    if (!rc) {
        free(l->etag);
        l->etag = r.etag ? lake_xstrdup(r.etag) : NULL;
    } else if (r.status == 412 || r.status == 409) {
        /* A retry can fail its condition against this run's own first try, whose reply was
         * lost: the stored lock then names this holder. */
        rc = r.attempts > 1 && is_mine(l) ? LAKE_OK : LAKE_ERR_LOCKED;
    }
    s3_req_clear(&r);
    free(text);
    return rc;
}

/* The lock as stored: its text and ETag. LAKE_ERR_NOT_FOUND when there is none. */
static lake_rc get_lock(s3_lock *l, lake_buf *text, char **etag, lake_error *err) {
    s3_req r = {0};
    r.method = "GET";
    r.key = lake_xstrdup(l->key);
    r.out = text;
    lake_rc rc = s3_run_one(l->c, &r, "GET", err);
    *etag = !rc && r.etag ? lake_xstrdup(r.etag) : NULL;
    s3_req_clear(&r);
    lake_buf_putc(text, '\0');
    return rc;
}

/* Renews the lease every third of it. The mutex guards stop and lost only: a renewal's requests
 * (retries included) run without it, so checking the lock never waits on the network. */
static void *renew_main(void *arg) {
    s3_lock *l = arg;
    pthread_mutex_lock(&l->mu);
    while (!l->stop && !l->lost) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += LOCK_LEASE_S / 3;
        pthread_cond_timedwait(&l->cv, &l->mu, &until);
        if (l->stop)
            break;
        pthread_mutex_unlock(&l->mu);
        lake_error e = {0};
        char *etag = l->etag ? lake_xstrdup(l->etag) : lake_xstrdup("*");
        double at = lake_now();
        lake_rc rc = put_lock(l, etag, &e);
        free(etag);
        pthread_mutex_lock(&l->mu);
        l->lost |= rc == LAKE_ERR_LOCKED; /* taken over: this run no longer holds the output */
        if (!rc)
            l->last_ok = at;
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

/* Another run holds a lock: its lease, from "expires N" in its text (0 when unreadable). */
static long long lease_end(const char *text) {
    const char *p = strstr(text, "\nexpires ");
    return p ? atoll(p + 9) : 0;
}

static lake_rc held(s3_lock *l, const char *text, double wait_s, lake_error *err) {
    size_t n = strcspn(text, "\n");
    return lake_error_set(err, LAKE_ERR_LOCKED, "s3://%s/%s is held by another run (%.*s)%s",
                          s3_client_url(l->c)->bucket, l->key, (int)(n > 400 ? 400 : n), text,
                          wait_s > 0 ? ", still after waiting" : "");
}

/* One try: create the lock, or take over a stale one. LAKE_ERR_LOCKED (with the holder in err)
 * while another run's lease lasts; *again when it is worth trying at once. */
static lake_rc try_take(s3_lock *l, double wait_s, bool *again, lake_error *err) {
    *again = false;
    lake_rc rc = put_lock(l, NULL, err);
    if (rc != LAKE_ERR_LOCKED)
        return rc;
    lake_buf text;
    lake_buf_init(&text);
    char *etag = NULL;
    rc = get_lock(l, &text, &etag, err);
    if (rc == LAKE_ERR_NOT_FOUND) {
        *again = true; /* released in between */
    } else if (!rc && (long long)time(NULL) > lease_end((char *)text.data) + LOCK_SKEW_S) {
        rc = put_lock(l, etag, err);
        if (!rc)
            fprintf(stderr, "lake: took over s3://%s/%s: its lease had ended (%.*s)\n",
                    s3_client_url(l->c)->bucket, l->key, (int)strcspn((char *)text.data, "\n"),
                    (char *)text.data);
        *again = rc == LAKE_ERR_LOCKED;
    } else if (!rc) {
        rc = held(l, (char *)text.data, wait_s, err);
    }
    free(etag);
    lake_buf_free(&text);
    return rc;
}

static void lock_free(s3_lock *l) {
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    free(l->key);
    free(l->holder);
    free(l->etag);
    free(l);
}

lake_rc s3_lock_take(s3_client *c, char *key, const char *holder, double wait_s, void **out,
                     lake_error *err) {
    s3_lock *l = lake_xcalloc(1, sizeof *l);
    l->c = c;
    l->key = key;
    l->holder = lake_xstrdup(holder);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    double deadline = lake_now() + wait_s, at = 0;
    bool again = false;
    lake_rc rc;
    while ((at = lake_now(), rc = try_take(l, wait_s, &again, err)) == LAKE_ERR_LOCKED || again) {
        if (!again && lake_now() >= deadline)
            break;
        if (!again) {
            struct timespec ts = {1, 0};
            nanosleep(&ts, NULL);
        }
    }
    l->last_ok = at; /* the lease counts from before the write that made it */
    if (!rc && pthread_create(&l->renewer, NULL, renew_main, l) != 0) {
        rc = lake_error_set(err, LAKE_ERR_INTERNAL, "cannot start the renewal of %s", l->key);
        s3_req r = {.method = "DELETE", .key = lake_xstrdup(l->key)};
        s3_run_one(c, &r, "DELETE", NULL);
        s3_req_clear(&r);
    }
    l->running = !rc;
    if (rc) {
        lock_free(l);
        return rc;
    }
    *out = l;
    return LAKE_OK;
}

/* Held while no other run took it over and the lease, as last extended, has not run out (a run
 * cut off from S3 longer than that may have been taken over without knowing it). */
bool s3_lock_held(void *handle) {
    s3_lock *l = handle;
    pthread_mutex_lock(&l->mu);
    bool held = !l->lost && lake_now() - l->last_ok < LOCK_LEASE_S - LOCK_SKEW_S;
    pthread_mutex_unlock(&l->mu);
    return held;
}

/* Deleted only while it is still this run's version: a lock taken over stays its taker's. */
void s3_lock_release(void *handle) {
    s3_lock *l = handle;
    pthread_mutex_lock(&l->mu);
    l->stop = true;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
    if (l->running)
        pthread_join(l->renewer, NULL);
    lake_buf text;
    lake_buf_init(&text);
    char *etag = NULL;
    lake_error e = {0};
    if (!l->lost && !get_lock(l, &text, &etag, &e) && etag && l->etag && !strcmp(etag, l->etag)) {
        s3_req r = {0};
        r.method = "DELETE";
        r.key = lake_xstrdup(l->key);
        s3_run_one(l->c, &r, "DELETE", &e);
        s3_req_clear(&r);
    }
    free(etag);
    lake_buf_free(&text);
    lock_free(l);
}
