/* The S3 retry policy, as the AWS SDKs' "standard" retry mode defines it: which outcomes of an
 * attempt are retried, how many attempts a request gets, how long it waits before the next one,
 * and the retry quota that stops a client retrying into an outage. Decisions only: no I/O, no
 * clock and no libcurl calls (<curl/curl.h> supplies the CURLcode values). The request engine
 * (s3_http.c) counts the attempts, waits the delays and asks here what to do; the one piece of
 * state, s3_retry_state, belongs to its client and is shared by the client's threads. */
#ifndef LAKE_S3_RETRY_H
#define LAKE_S3_RETRY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define S3_RETRY_QUOTA 500        /* retry tokens of a client when nothing failed */
#define S3_RETRY_COST 5           /* tokens a retry takes */
#define S3_TIMEOUT_RETRY_COST 10  /* tokens a retry after a timeout takes */
#define S3_BACKOFF_BASE_MS 1000.0 /* ceiling of the first backoff; it doubles per retry */
#define S3_MAX_BACKOFF_MS 20000.0 /* ceiling of every backoff */

typedef enum { S3_DONE_OK, S3_DONE_RETRY, S3_DONE_FAIL } s3_verdict;

/* How the standard retry mode treats the outcome of one attempt: curl_code (a CURLcode) for the
 * transport, else the HTTP status and the service's error Code (or NULL). Transport errors that
 * a new connection may cure (refused, reset, timed out, nothing or part of a reply, DNS, TLS
 * handshake, HTTP/2 stream) retry; other transport errors (a bad URL, a certificate that does not
 * verify) are final. A 2xx is OK; 5xx, 429 and the throttling/transient Codes (SlowDown,
 * RequestTimeout, InternalError...) retry whatever their status; every other reply is final. */
s3_verdict s3_classify(int curl_code, long status, const char *code);

/* Delay before retry number `retry` (1 = after the first failure) in milliseconds, for rand01 in
 * [0, 1): "full jitter", rand01 * min(S3_BACKOFF_BASE_MS * 2^(retry-1), S3_MAX_BACKOFF_MS). */
double s3_backoff_ms(int retry, double rand01);

/* Attempts per request, the first included: option when > 0 (lake_store_options.max_attempts),
 * else the AWS_MAX_ATTEMPTS value env when it is a number > 0 (env may be NULL), else
 * LAKE_S3_DEFAULT_MAX_ATTEMPTS. */
int s3_retry_max_attempts(int option, const char *env);

/* A client's retry quota (a token bucket: retries take tokens, successes give some back) and
 * the generator of its jitter. Lock-free: any thread may call the functions below at once. */
typedef struct {
    atomic_int tokens;
    atomic_uint_fast64_t rng;
} s3_retry_state;

/* A full quota, and jitter drawn from seed (any value; the clock and an address do). */
void s3_retry_init(s3_retry_state *s, uint64_t seed);

/* After attempt number `attempts` of a request ended with verdict v (curl_code as given to
 * s3_classify): returns true when the request is to be tried again, which is when v is
 * S3_DONE_RETRY, attempts < max_attempts and the quota holds the retry's cost (taken then:
 * S3_TIMEOUT_RETRY_COST after CURLE_OPERATION_TIMEDOUT, else S3_RETRY_COST). Returns false, and
 * takes nothing, otherwise. */
bool s3_retry_take(s3_retry_state *s, s3_verdict v, int curl_code, int attempts, int max_attempts);

/* A request succeeded after `attempts` attempts: gives S3_RETRY_COST tokens back when it was
 * retried, else 1, never filling the quota past S3_RETRY_QUOTA. */
void s3_retry_success(s3_retry_state *s, int attempts);

/* Tokens left in the quota (for tests and messages). */
int s3_retry_tokens(const s3_retry_state *s);

/* The delay before retry number `retry` (see s3_backoff_ms), jittered from s's generator. */
double s3_retry_delay_ms(s3_retry_state *s, int retry);

#endif
