/** @file
 * S3 backend knobs: the defaults and sizes the S3 store (src/store/s3/) works with, public so
 * callers can size their work and tests their objects (see lake_store_options in lake/store.h for
 * the per-store settings). Constants only; includes nothing.
 *
 * Settings are read the way the AWS CLI reads them: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN; AWS_PROFILE with ~/.aws/credentials and ~/.aws/config (AWS_SHARED_
 * CREDENTIALS_FILE and AWS_CONFIG_FILE move them); AWS_REGION, AWS_DEFAULT_REGION;
 * AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL; EC2 instance-profile credentials through IMDSv2 as a last
 * resort unless AWS_EC2_METADATA_DISABLED=true. Credentials never appear in any message. */
#ifndef LAKE_S3_H
#define LAKE_S3_H

#define LAKE_S3_DEFAULT_MAX_CONCURRENCY 64 /**< requests in flight per store */
#define LAKE_S3_DEFAULT_MAX_ATTEMPTS 5     /**< first try included, as the AWS SDKs count */
/** Seconds a request may go without a byte sent or received before it is abandoned and retried:
 * S3 answers in milliseconds and keeps slow replies alive with whitespace, and 30 s is the read
 * timeout of the AWS SDK for Java 2.x. Idle time, not total time, so a large part on a slow link
 * is never cut while it moves. */
#define LAKE_S3_DEFAULT_REQUEST_TIMEOUT 30
#define LAKE_S3_MULTIPART_THRESHOLD (16u << 20) /**< larger objects are uploaded in parts */
#define LAKE_S3_PART_SIZE (8u << 20)            /**< upload part (default) and ranged-GET size */
#define LAKE_S3_MIN_PART_SIZE (5u << 20)        /**< S3's smallest part (all but the last) */
#define LAKE_S3_MAX_PART_SIZE (5ull << 30)      /**< S3's largest part */
#define LAKE_S3_MAX_PARTS 10000                 /**< S3's most parts in one upload */
#define LAKE_S3_DELETE_BATCH 1000               /**< keys per DeleteObjects request */

#endif
