/* The S3 retry policy (see s3_retry.h). */
#include "store/s3/s3_retry.h"

#include "lake/s3.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

static bool code_is(const char *code, const char *const *list) {
    for (; code && *list; list++)
        if (!strcmp(code, *list))
            return true;
    return false;
}

/* The transport errors a new attempt (on a new connection) may cure. */
static bool transport_retries(CURLcode cc) {
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
        return true;
    default:
        return false;
    }
}

s3_verdict s3_classify(int curl_code, long status, const char *code) {
    static const char *const retry_codes[] = {"SlowDown",
                                              "Throttling",
                                              "ThrottlingException",
                                              "RequestLimitExceeded",
                                              "RequestThrottled",
                                              "TooManyRequestsException",
                                              "BandwidthLimitExceeded",
                                              "RequestTimeout",
                                              "RequestTimeoutException",
                                              "PriorRequestNotComplete",
                                              "InternalError",
                                              "ServiceUnavailable",
                                              "TransactionInProgressException",
                                              "EC2ThrottledException",
                                              "ProvisionedThroughputExceededException",
                                              NULL};
    if ((CURLcode)curl_code != CURLE_OK)
        return transport_retries((CURLcode)curl_code) ? S3_DONE_RETRY : S3_DONE_FAIL;
    if (status >= 200 && status < 300)
        return S3_DONE_OK;
    if (status >= 500 || status == 429 || code_is(code, retry_codes))
        return S3_DONE_RETRY;
    return S3_DONE_FAIL;
}

double s3_backoff_ms(int retry, double rand01) {
    double cap = S3_BACKOFF_BASE_MS;
    for (int i = 1; i < retry && cap < S3_MAX_BACKOFF_MS; i++)
        cap *= 2;
    if (cap > S3_MAX_BACKOFF_MS)
        cap = S3_MAX_BACKOFF_MS;
    return rand01 * cap;
}

int s3_retry_max_attempts(int option, const char *env) {
    if (option > 0)
        return option;
    if (env && atoi(env) > 0) /* as the AWS CLI reads AWS_MAX_ATTEMPTS */
        return atoi(env);
    return LAKE_S3_DEFAULT_MAX_ATTEMPTS;
}

void s3_retry_init(s3_retry_state *s, uint64_t seed) {
    atomic_init(&s->tokens, S3_RETRY_QUOTA);
    atomic_init(&s->rng, seed);
}

bool s3_retry_take(s3_retry_state *s, s3_verdict v, int curl_code, int attempts, int max_attempts) {
    if (v != S3_DONE_RETRY || attempts >= max_attempts)
        return false;
    int cost = curl_code == CURLE_OPERATION_TIMEDOUT ? S3_TIMEOUT_RETRY_COST : S3_RETRY_COST;
    if (atomic_fetch_sub(&s->tokens, cost) >= cost)
        return true;
    atomic_fetch_add(&s->tokens, cost); /* quota spent: no retry */
    return false;
}

void s3_retry_success(s3_retry_state *s, int attempts) {
    int t = atomic_load(&s->tokens);
    int refund = attempts > 1 ? S3_RETRY_COST : 1;
    if (t < S3_RETRY_QUOTA)
        atomic_fetch_add(&s->tokens, t + refund > S3_RETRY_QUOTA ? S3_RETRY_QUOTA - t : refund);
}

int s3_retry_tokens(const s3_retry_state *s) {
    return atomic_load(&s->tokens);
}

/* splitmix64 over a shared counter: lock-free and good enough for jitter. */
static double next_rand01(s3_retry_state *s) {
    uint64_t z = atomic_fetch_add(&s->rng, 0x9e3779b97f4a7c15ull) + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

double s3_retry_delay_ms(s3_retry_state *s, int retry) {
    return s3_backoff_ms(retry, next_rand01(s));
}
