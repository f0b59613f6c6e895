/* Object-store options shared by every command that takes a location (local path or s3://). */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

const char cli_store_usage[] =
    "Object store options (for s3://bucket/prefix or s3a:// locations):\n"
    "      --endpoint-url URL     S3 endpoint (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL,\n"
    "                             or AWS for the region); custom endpoints use path-style\n"
    "      --max-concurrency N    requests in flight (default 64)\n"
    "      --max-attempts N       tries per request, with backoff (default 5)\n"
    "      --request-timeout SECONDS\n"
    "                             retry a request that has sent and received nothing for\n"
    "                             SECONDS (default 30)\n"
    "      --no-sign-request      anonymous requests, for public buckets\n"
    "  -v, --verbose              on stderr: one line per S3 request (never credentials); lake\n"
    "                             run also prints its settings before it starts and, when it\n"
    "                             ends, each stage's times and counts, each table's\n"
    "                             partitions and the rejects by reason\n"
    "Credentials and region come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
    "AWS_SESSION_TOKEN,\nAWS_PROFILE (~/.aws/credentials, ~/.aws/config), AWS_REGION, or the EC2 "
    "instance profile.\n";

const char cli_store_write_usage[] =
    "S3 write options (S3DistCp's names; for the objects written to s3://, ignored for local\n"
    "directories):\n"
    "      --storageClass CLASS   storage class of the objects written: STANDARD,\n"
    "                             REDUCED_REDUNDANCY, STANDARD_IA, ONEZONE_IA,\n"
    "                             INTELLIGENT_TIERING, GLACIER, DEEP_ARCHIVE, OUTPOSTS,\n"
    "                             GLACIER_IR, SNOW, EXPRESS_ONEZONE (default: the bucket's,\n"
    "                             STANDARD); names starting with '_' keep the default\n"
    "      --s3ServerSideEncryption\n"
    "                             encrypt the objects written with S3-managed keys (AES256)\n"
    "      --multipartUploadChunkSize MiB\n"
    "                             multipart upload part size, 5 to 5120 (default 8); objects\n"
    "                             up to the larger of 16 MiB and one part go up in one PUT\n";

/* The write options (CLI_STORE_WRITE_LONGOPTS); -1 when c is none of them. */
static int write_option(const char *cmd, int c, const char *arg, lake_store_options *o) {
    uint64_t n;
    switch (c) {
    case CLI_OPT_STORAGE_CLASS:
        if (!lake_store_storage_class_known(arg))
            return cli_usage_error(cmd,
                                   "--storageClass '%s' is not an S3 storage class (one of %s)",
                                   arg, lake_store_storage_classes());
        o->storage_class = arg;
        return 0;
    case CLI_OPT_SSE:
        o->sse_aes256 = true;
        return 0;
    case CLI_OPT_PART_SIZE:
        if (!cli_parse_u64(cmd, "--multipartUploadChunkSize", arg, &n))
            return 2;
        if (n < 5 || n > 5120)
            return cli_usage_error(cmd,
                                   "--multipartUploadChunkSize is in MiB, between 5 and 5120 "
                                   "(S3's part sizes: 5 MiB to 5 GiB), not %llu",
                                   (unsigned long long)n);
        o->part_size = n << 20;
        return 0;
    default:
        return -1;
    }
}

int cli_store_option(const char *cmd, int c, const char *arg, lake_store_options *o) {
    uint64_t n;
    switch (c) {
    case CLI_OPT_ENDPOINT:
        o->endpoint_url = arg;
        return 0;
    case CLI_OPT_MAX_CONCURRENCY:
        if (!cli_parse_u64(cmd, "--max-concurrency", arg, &n))
            return 2;
        if (n < 1 || n > 1024)
            return cli_usage_error(cmd, "--max-concurrency must be between 1 and 1024");
        o->max_concurrency = (int)n;
        return 0;
    case CLI_OPT_MAX_ATTEMPTS:
        if (!cli_parse_u64(cmd, "--max-attempts", arg, &n))
            return 2;
        if (n < 1 || n > 100)
            return cli_usage_error(cmd, "--max-attempts must be between 1 and 100");
        o->max_attempts = (int)n;
        return 0;
    case CLI_OPT_REQUEST_TIMEOUT:
        if (!cli_parse_u64(cmd, "--request-timeout", arg, &n))
            return 2;
        if (n < 1 || n > 3600)
            return cli_usage_error(cmd, "--request-timeout must be between 1 and 3600 seconds");
        o->request_timeout = (int)n;
        return 0;
    case CLI_OPT_NO_SIGN:
        o->no_sign_request = true;
        return 0;
    case 'v':
        o->verbose = true;
        return 0;
    default:
        return write_option(cmd, c, arg, o); /* -1: not a store option */
    }
}
