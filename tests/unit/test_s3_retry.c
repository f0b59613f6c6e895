/* The S3 retry policy (src/store/s3/s3_retry.h): which outcomes retry, the backoff and its cap,
 * the attempt limit and where it comes from, and the retry quota that a failing endpoint drains
 * and successes refill. */
#include "lake/s3.h"
#include "store/s3/s3_retry.h"
#include "unit.h"

#include <curl/curl.h>

UNIT_TEST(s3_retry_classification) {
    CHECK_EQ_INT(s3_classify(CURLE_OK, 200, NULL), S3_DONE_OK);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 206, NULL), S3_DONE_OK);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 500, "InternalError"), S3_DONE_RETRY);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 503, "SlowDown"), S3_DONE_RETRY);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 502, NULL), S3_DONE_RETRY);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 429, NULL), S3_DONE_RETRY);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 400, "RequestTimeout"), S3_DONE_RETRY);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 400, "Throttling"), S3_DONE_RETRY);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 400, "InvalidArgument"), S3_DONE_FAIL);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 403, "AccessDenied"), S3_DONE_FAIL);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 403, "SignatureDoesNotMatch"), S3_DONE_FAIL);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 404, "NoSuchKey"), S3_DONE_FAIL);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 404, NULL), S3_DONE_FAIL);
    CHECK_EQ_INT(s3_classify(CURLE_COULDNT_CONNECT, 0, NULL), S3_DONE_RETRY);
    CHECK_EQ_INT(s3_classify(CURLE_RECV_ERROR, 0, NULL), S3_DONE_RETRY); /* reset */
    CHECK_EQ_INT(s3_classify(CURLE_OPERATION_TIMEDOUT, 0, NULL), S3_DONE_RETRY);
    CHECK_EQ_INT(s3_classify(CURLE_GOT_NOTHING, 0, NULL), S3_DONE_RETRY);
    CHECK_EQ_INT(s3_classify(CURLE_PARTIAL_FILE, 0, NULL), S3_DONE_RETRY);
    CHECK_EQ_INT(s3_classify(CURLE_URL_MALFORMAT, 0, NULL), S3_DONE_FAIL);
    CHECK_EQ_INT(s3_classify(CURLE_PEER_FAILED_VERIFICATION, 0, NULL), S3_DONE_FAIL);
}

UNIT_TEST(s3_backoff_full_jitter_bounds) {
    CHECK(s3_backoff_ms(1, 0.0) == 0.0);
    CHECK(s3_backoff_ms(1, 0.999) < 1000.0);
    CHECK(s3_backoff_ms(1, 0.5) == 500.0);
    CHECK(s3_backoff_ms(2, 0.5) == 1000.0);
    CHECK(s3_backoff_ms(3, 1.0) == 4000.0);
    CHECK(s3_backoff_ms(5, 1.0) == 16000.0);
    CHECK(s3_backoff_ms(6, 1.0) == 20000.0); /* capped at 20 s */
    CHECK(s3_backoff_ms(60, 1.0) == 20000.0);
    for (int r = 1; r < 12; r++)
        for (double x = 0; x < 1; x += 0.125) {
            double ms = s3_backoff_ms(r, x);
            CHECK(ms >= 0 && ms <= 20000.0);
        }
}

UNIT_TEST(s3_retry_transport_errors) {
    static const CURLcode retried[] = {CURLE_COULDNT_CONNECT,      CURLE_OPERATION_TIMEDOUT,
                                       CURLE_SEND_ERROR,           CURLE_RECV_ERROR,
                                       CURLE_GOT_NOTHING,          CURLE_PARTIAL_FILE,
                                       CURLE_COULDNT_RESOLVE_HOST, CURLE_HTTP2,
                                       CURLE_HTTP2_STREAM,         CURLE_SSL_CONNECT_ERROR};
    for (size_t i = 0; i < sizeof retried / sizeof retried[0]; i++) {
        CHECK_EQ_INT(s3_classify(retried[i], 0, NULL), S3_DONE_RETRY);
        /* a transport error wins over whatever status a reply had started with */
        CHECK_EQ_INT(s3_classify(retried[i], 200, NULL), S3_DONE_RETRY);
    }
    static const CURLcode final[] = {CURLE_UNSUPPORTED_PROTOCOL,     CURLE_URL_MALFORMAT,
                                     CURLE_PEER_FAILED_VERIFICATION, CURLE_WRITE_ERROR,
                                     CURLE_ABORTED_BY_CALLBACK,      CURLE_OUT_OF_MEMORY};
    for (size_t i = 0; i < sizeof final / sizeof final[0]; i++) {
        CHECK_EQ_INT(s3_classify(final[i], 0, NULL), S3_DONE_FAIL);
        CHECK_EQ_INT(s3_classify(final[i], 200, NULL), S3_DONE_FAIL);
        CHECK_EQ_INT(s3_classify(final[i], 503, "SlowDown"), S3_DONE_FAIL);
    }
}

UNIT_TEST(s3_retry_statuses_and_codes) {
    for (long st = 200; st < 300; st++) /* every 2xx is done, whatever Code a body carried */
        CHECK_EQ_INT(s3_classify(CURLE_OK, st, "SlowDown"), S3_DONE_OK);
    for (long st = 500; st < 600; st++)
        CHECK_EQ_INT(s3_classify(CURLE_OK, st, NULL), S3_DONE_RETRY);
    static const long final[] = {100, 301, 304, 307, 400, 401, 403, 404, 405, 409, 412, 416, 428};
    for (size_t i = 0; i < sizeof final / sizeof final[0]; i++)
        CHECK_EQ_INT(s3_classify(CURLE_OK, final[i], NULL), S3_DONE_FAIL);
    static const char *const retried[] = {"SlowDown",
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
                                          "ProvisionedThroughputExceededException"};
    for (size_t i = 0; i < sizeof retried / sizeof retried[0]; i++)
        CHECK_EQ_INT(s3_classify(CURLE_OK, 400, retried[i]), S3_DONE_RETRY);
    /* Codes match exactly: case and prefixes matter */
    CHECK_EQ_INT(s3_classify(CURLE_OK, 400, "slowdown"), S3_DONE_FAIL);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 400, "Throttlin"), S3_DONE_FAIL);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 400, "InternalErrors"), S3_DONE_FAIL);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 400, ""), S3_DONE_FAIL);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 412, "PreconditionFailed"), S3_DONE_FAIL);
    CHECK_EQ_INT(s3_classify(CURLE_OK, 409, "OperationAborted"), S3_DONE_FAIL);
}

UNIT_TEST(s3_retry_backoff_grows_then_caps) {
    /* the ceiling doubles from 1 s per retry until it reaches 20 s, then stays there */
    double prev = 0;
    for (int r = 1; r <= 5; r++) {
        double cap = s3_backoff_ms(r, 1.0);
        CHECK(cap == S3_BACKOFF_BASE_MS * (double)(1 << (r - 1)));
        CHECK(cap > prev);
        prev = cap;
    }
    for (int r = 6; r <= 100; r++)
        CHECK(s3_backoff_ms(r, 1.0) == S3_MAX_BACKOFF_MS);
    CHECK(s3_backoff_ms(1000000, 1.0) == S3_MAX_BACKOFF_MS); /* no overflow on a huge count */
    /* full jitter: the delay is the draw times the ceiling, from zero up */
    CHECK(s3_backoff_ms(4, 0.25) == 2000.0);
    CHECK(s3_backoff_ms(4, 0.0) == 0.0);
    CHECK(s3_backoff_ms(30, 0.5) == 10000.0);
}

UNIT_TEST(s3_retry_delay_is_jittered_within_the_ceiling) {
    s3_retry_state s;
    s3_retry_init(&s, 12345);
    double lo = 1e9, hi = -1;
    for (int i = 0; i < 2000; i++) {
        double ms = s3_retry_delay_ms(&s, 1);
        CHECK(ms >= 0 && ms < 1000.0);
        lo = ms < lo ? ms : lo;
        hi = ms > hi ? ms : hi;
    }
    CHECK(lo < 50.0 && hi > 950.0); /* spread over the whole range, not a constant */
    for (int i = 0; i < 200; i++) {
        double ms = s3_retry_delay_ms(&s, 9);
        CHECK(ms >= 0 && ms < S3_MAX_BACKOFF_MS);
    }
    /* the same seed gives the same delays; another seed others */
    s3_retry_state a, b, c;
    s3_retry_init(&a, 7);
    s3_retry_init(&b, 7);
    s3_retry_init(&c, 8);
    int differ = 0;
    for (int i = 0; i < 16; i++) {
        double x = s3_retry_delay_ms(&a, 3), y = s3_retry_delay_ms(&b, 3);
        CHECK(x == y);
        differ += x != s3_retry_delay_ms(&c, 3);
    }
    CHECK(differ > 0);
}

UNIT_TEST(s3_retry_max_attempts_sources) {
    CHECK_EQ_INT(s3_retry_max_attempts(0, NULL), LAKE_S3_DEFAULT_MAX_ATTEMPTS);
    CHECK_EQ_INT(s3_retry_max_attempts(3, NULL), 3);
    CHECK_EQ_INT(s3_retry_max_attempts(3, "9"), 3); /* the option wins over AWS_MAX_ATTEMPTS */
    CHECK_EQ_INT(s3_retry_max_attempts(0, "9"), 9);
    CHECK_EQ_INT(s3_retry_max_attempts(-2, "9"), 9);
    CHECK_EQ_INT(s3_retry_max_attempts(0, "1"), 1);
    CHECK_EQ_INT(s3_retry_max_attempts(0, "0"), LAKE_S3_DEFAULT_MAX_ATTEMPTS);
    CHECK_EQ_INT(s3_retry_max_attempts(0, "-4"), LAKE_S3_DEFAULT_MAX_ATTEMPTS);
    CHECK_EQ_INT(s3_retry_max_attempts(0, "many"), LAKE_S3_DEFAULT_MAX_ATTEMPTS);
    CHECK_EQ_INT(s3_retry_max_attempts(0, ""), LAKE_S3_DEFAULT_MAX_ATTEMPTS);
}

UNIT_TEST(s3_retry_take_counts_attempts) {
    s3_retry_state s;
    s3_retry_init(&s, 1);
    CHECK_EQ_INT(s3_retry_tokens(&s), S3_RETRY_QUOTA);
    /* with max_attempts 3, attempts 1 and 2 may retry, the third is the last */
    CHECK(s3_retry_take(&s, S3_DONE_RETRY, CURLE_OK, 1, 3));
    CHECK(s3_retry_take(&s, S3_DONE_RETRY, CURLE_OK, 2, 3));
    CHECK(!s3_retry_take(&s, S3_DONE_RETRY, CURLE_OK, 3, 3));
    CHECK(!s3_retry_take(&s, S3_DONE_RETRY, CURLE_OK, 4, 3));
    CHECK(!s3_retry_take(&s, S3_DONE_RETRY, CURLE_RECV_ERROR, 1, 1)); /* one attempt: none */
    CHECK_EQ_INT(s3_retry_tokens(&s), S3_RETRY_QUOTA - 2 * S3_RETRY_COST);
    /* outcomes that are not to be retried never retry and cost nothing */
    CHECK(!s3_retry_take(&s, S3_DONE_OK, CURLE_OK, 1, 5));
    CHECK(!s3_retry_take(&s, S3_DONE_FAIL, CURLE_OK, 1, 5));
    CHECK(!s3_retry_take(&s, S3_DONE_FAIL, CURLE_URL_MALFORMAT, 1, 5));
    CHECK_EQ_INT(s3_retry_tokens(&s), S3_RETRY_QUOTA - 2 * S3_RETRY_COST);
    /* a timeout costs more than other failures */
    CHECK(s3_retry_take(&s, S3_DONE_RETRY, CURLE_OPERATION_TIMEDOUT, 1, 5));
    CHECK_EQ_INT(s3_retry_tokens(&s), S3_RETRY_QUOTA - 2 * S3_RETRY_COST - S3_TIMEOUT_RETRY_COST);
}

/* Retries the quota allows from where s stands, draining it. */
static int drain(s3_retry_state *s, int curl_code) {
    int n = 0;
    while (n < 10 * S3_RETRY_QUOTA && s3_retry_take(s, S3_DONE_RETRY, curl_code, 1, 5))
        n++;
    return n;
}

UNIT_TEST(s3_retry_quota_drains_and_refills) {
    s3_retry_state s;
    s3_retry_init(&s, 1);
    CHECK_EQ_INT(drain(&s, CURLE_RECV_ERROR), S3_RETRY_QUOTA / S3_RETRY_COST); /* 100 */
    CHECK_EQ_INT(s3_retry_tokens(&s), 0);
    /* a refused retry leaves the quota as it was, not below zero */
    CHECK(!s3_retry_take(&s, S3_DONE_RETRY, CURLE_OK, 1, 5));
    CHECK_EQ_INT(s3_retry_tokens(&s), 0);

    /* a success at the first attempt gives one token back, one after retries a retry's worth */
    for (int i = 0; i < S3_RETRY_COST - 1; i++)
        s3_retry_success(&s, 1);
    CHECK_EQ_INT(s3_retry_tokens(&s), S3_RETRY_COST - 1);
    CHECK(!s3_retry_take(&s, S3_DONE_RETRY, CURLE_OK, 1, 5));
    s3_retry_success(&s, 1);
    CHECK(s3_retry_take(&s, S3_DONE_RETRY, CURLE_OK, 1, 5));
    CHECK_EQ_INT(s3_retry_tokens(&s), 0);
    s3_retry_success(&s, 3);
    CHECK_EQ_INT(s3_retry_tokens(&s), S3_RETRY_COST);
    CHECK(!s3_retry_take(&s, S3_DONE_RETRY, CURLE_OPERATION_TIMEDOUT, 1, 5)); /* costs 10 */
    CHECK(s3_retry_take(&s, S3_DONE_RETRY, CURLE_SEND_ERROR, 1, 5));

    /* timeouts drain it twice as fast */
    s3_retry_init(&s, 1);
    CHECK_EQ_INT(drain(&s, CURLE_OPERATION_TIMEDOUT), S3_RETRY_QUOTA / S3_TIMEOUT_RETRY_COST);
}

UNIT_TEST(s3_retry_quota_never_exceeds_its_size) {
    s3_retry_state s;
    s3_retry_init(&s, 1);
    for (int i = 0; i < 1000; i++)
        s3_retry_success(&s, i % 3 + 1);
    CHECK_EQ_INT(s3_retry_tokens(&s), S3_RETRY_QUOTA);
    /* refilled from just below the top, the quota stops at its size */
    CHECK(s3_retry_take(&s, S3_DONE_RETRY, CURLE_OK, 1, 5));
    s3_retry_success(&s, 1);
    CHECK_EQ_INT(s3_retry_tokens(&s), S3_RETRY_QUOTA - S3_RETRY_COST + 1);
    s3_retry_success(&s, 2);
    CHECK_EQ_INT(s3_retry_tokens(&s), S3_RETRY_QUOTA);
    CHECK_EQ_INT(drain(&s, CURLE_OK), S3_RETRY_QUOTA / S3_RETRY_COST);
}
