/* The S3 store against a live endpoint. tests/e2e/s3.test.mjs runs `unit-tests s3_live` with
 * LAKE_S3_LIVE_URL (s3://bucket/prefix) and AWS_ENDPOINT_URL pointing at its s3rver, and checks
 * that the "s3_live: ran" line appears; in a plain `make unit` run there is no endpoint and the
 * test returns at once. */
#include "lake/s3.h"
#include "lake/store.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>

static uint8_t *pattern(size_t n, uint32_t seed) {
    uint8_t *p = malloc(n);
    uint32_t x = seed;
    for (size_t i = 0; i < n; i++) {
        x = x * 1664525u + 1013904223u;
        p[i] = (uint8_t)(x >> 24);
    }
    return p;
}

/* lake_store_list_delim and lake_store_list_many on the store s3_live_store_operations filled
 * (big/blob.bin, many/0000..1004, small/{a&b c.json,empty}), with a narrow, deep tree added:
 * the fan-out descends it level by level. */
static void check_list_levels(lake_store *s) {
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_put(s, "deep/a/b/c/x.json", "x", 1, &err), LAKE_OK);
    CHECK_EQ_INT(lake_store_put(s, "deep/a/y.json", "yy", 2, &err), LAKE_OK);
    lake_obj_list objs = {0}, pre = {0};
    CHECK_EQ_INT(lake_store_list_delim(s, "", &objs, &pre, &err), LAKE_OK);
    CHECK_EQ_INT(objs.n, 0);
    CHECK_EQ_INT(pre.n, 4);
    if (pre.n == 4) {
        CHECK_EQ_STR(pre.items[0].key, "big/");
        CHECK_EQ_STR(pre.items[1].key, "deep/");
        CHECK_EQ_STR(pre.items[3].key, "small/");
    }
    lake_obj_list_free(&objs);
    lake_obj_list_free(&pre);
    CHECK_EQ_INT(lake_store_list_delim(s, "deep/a/", &objs, &pre, &err), LAKE_OK);
    CHECK_EQ_INT(objs.n, 1);
    CHECK_EQ_INT(pre.n, 1);
    if (objs.n == 1 && pre.n == 1) {
        CHECK_EQ_STR(objs.items[0].key, "deep/a/y.json");
        CHECK_EQ_INT(objs.items[0].size, 2);
        CHECK_EQ_STR(pre.items[0].key, "deep/a/b/");
    }
    lake_obj_list_free(&objs);
    lake_obj_list_free(&pre);
    /* overlapping prefixes and a missing one: 1,005 + 2 + 2 keys, each once, sorted */
    const char *prefixes[] = {"small/", "many/", "deep/", "many/09", "none/", "deep/a/b/"};
    lake_obj_list l = {0};
    CHECK_EQ_INT(lake_store_list_many(s, prefixes, 6, 0, &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, 1009);
    if (l.n == 1009) {
        CHECK_EQ_STR(l.items[0].key, "deep/a/b/c/x.json");
        CHECK_EQ_STR(l.items[1].key, "deep/a/y.json");
        CHECK_EQ_STR(l.items[2].key, "many/0000");
        CHECK_EQ_STR(l.items[1008].key, "small/empty");
    }
    for (size_t i = 1; i < l.n; i++)
        CHECK(strcmp(l.items[i - 1].key, l.items[i].key) < 0);
    lake_obj_list_free(&l);
    const char *all = "";
    CHECK_EQ_INT(lake_store_list_many(s, &all, 1, 0, &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, 1010);
    lake_obj_list_free(&l);
    CHECK_EQ_INT(lake_store_delete_prefix(s, "deep/", &err), LAKE_OK);
}

/* Opens url with o; NULL (the failure checked and printed) when it cannot. */
static lake_store *open_live(const char *url, const lake_store_options *o) {
    lake_store *s = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_open_ex(url, o, &s, &err), LAKE_OK);
    if (!s)
        fprintf(stderr, "open: %s\n", err.msg);
    return s;
}

UNIT_TEST(s3_live_store_operations) {
    const char *url = getenv("LAKE_S3_LIVE_URL");
    if (!url || !*url)
        return;
    printf("s3_live: ran\n");
    lake_store_options o = {.max_concurrency = 8, .max_attempts = 3};
    lake_error err = {0};
    lake_store *s = open_live(url, &o);
    if (!s)
        return;
    /* Over the multipart threshold and not a multiple of the part size. */
    size_t big_len = LAKE_S3_MULTIPART_THRESHOLD + 3 * LAKE_S3_PART_SIZE / 2 + 12345;
    uint8_t *big = pattern(big_len, 7);
    CHECK_EQ_INT(lake_store_put(s, "big/blob.bin", big, big_len, &err), LAKE_OK);
    CHECK_EQ_INT(lake_store_put(s, "small/a&b c.json", "{\"a\":1}", 7, &err), LAKE_OK);
    CHECK_EQ_INT(lake_store_put(s, "small/empty", "", 0, &err), LAKE_OK);
    char key[64];
    for (int i = 0; i < 1005; i++) { /* more than one DeleteObjects batch */
        snprintf(key, sizeof key, "many/%04d", i);
        CHECK_EQ_INT(lake_store_put(s, key, key, 9, &err), LAKE_OK);
    }

    lake_buf b;
    lake_buf_init(&b);
    lake_buf_append(&b, "prefix:", 7); /* get appends */
    CHECK_EQ_INT(lake_store_get(s, "big/blob.bin", &b, &err), LAKE_OK);
    CHECK_EQ_INT(b.len, big_len + 7);
    if (b.len == big_len + 7) {
        CHECK_EQ_MEM(b.data + 7, big_len, big, big_len);
        CHECK_EQ_INT(b.data[b.len], 0); /* padding */
    }
    lake_buf_free(&b);

    const char *keys[] = {"small/a&b c.json", "small/empty", "small/missing", "many/0042"};
    lake_buf outs[4];
    lake_error errs[4];
    memset(outs, 0, sizeof outs);
    memset(errs, 0, sizeof errs);
    CHECK_EQ_INT(lake_store_get_many(s, keys, 4, outs, errs), LAKE_ERR_NOT_FOUND);
    CHECK_EQ_MEM(outs[0].data, outs[0].len, "{\"a\":1}", 7);
    CHECK_EQ_INT(outs[1].len, 0);
    CHECK(outs[1].data != NULL);
    CHECK_EQ_INT(errs[2].rc, LAKE_ERR_NOT_FOUND);
    CHECK(strstr(errs[2].msg, "small/missing") != NULL);
    CHECK_EQ_INT(errs[0].rc, LAKE_OK);
    CHECK_EQ_MEM(outs[3].data, outs[3].len, "many/0042", 9);
    for (int i = 0; i < 4; i++)
        lake_buf_free(&outs[i]);

    lake_obj_list l = {0};
    CHECK_EQ_INT(lake_store_list(s, "", &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, 1008);
    if (l.n == 1008) {
        CHECK_EQ_STR(l.items[0].key, "big/blob.bin");
        CHECK_EQ_INT(l.items[0].size, big_len);
        CHECK_EQ_STR(l.items[1].key, "many/0000");
        CHECK_EQ_STR(l.items[1006].key, "small/a&b c.json");
    }
    lake_obj_list_free(&l);
    CHECK_EQ_INT(lake_store_list(s, "many/09", &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, 100);
    lake_obj_list_free(&l);
    check_list_levels(s);

    CHECK_EQ_INT(lake_store_delete(s, "small/empty", &err), LAKE_OK);
    CHECK_EQ_INT(lake_store_delete(s, "small/never-existed", &err), LAKE_OK);
    CHECK_EQ_INT(lake_store_delete_prefix(s, "many/", &err), LAKE_OK);
    CHECK_EQ_INT(lake_store_delete_prefix(s, "big/", &err), LAKE_OK);
    CHECK_EQ_INT(lake_store_delete_prefix(s, "", &err), LAKE_ERR_INVALID_ARG);
    CHECK_EQ_INT(lake_store_list(s, "", &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, 1);
    lake_obj_list_free(&l);
    CHECK_EQ_INT(lake_store_rename_prefix(s, "a/", "b/", &err), LAKE_ERR_UNSUPPORTED);
    free(big);
    lake_store_close(s);
}

/* A multipart upload that fails part-way. tests/e2e/s3_failures.test.mjs runs `unit-tests
 * s3_abort_multipart` with LAKE_S3_ABORT_URL and a fault proxy that refuses part 2 of every
 * upload; it then checks on the server that no upload is left in progress. Here: the put fails
 * naming the part's operation, and the object written before is still the one read back. */
UNIT_TEST(s3_abort_multipart) {
    const char *url = getenv("LAKE_S3_ABORT_URL");
    if (!url || !*url)
        return;
    printf("s3_abort: ran\n");
    lake_store_options o = {.max_concurrency = 8, .max_attempts = 2};
    lake_error err = {0};
    lake_store *s = open_live(url, &o);
    if (!s)
        return;
    CHECK_EQ_INT(lake_store_put(s, "big/blob.bin", "previous", 8, &err), LAKE_OK);
    size_t big_len = LAKE_S3_MULTIPART_THRESHOLD + 2 * LAKE_S3_PART_SIZE + 1;
    uint8_t *big = pattern(big_len, 9);
    lake_rc rc = lake_store_put(s, "big/blob.bin", big, big_len, &err);
    CHECK(rc != LAKE_OK);
    printf("s3_abort: put failed: %s\n", err.msg);
    CHECK(strstr(err.msg, "UploadPart") != NULL);
    CHECK(strstr(err.msg, "not aborted") == NULL);
    lake_buf b;
    lake_buf_init(&b);
    CHECK_EQ_INT(lake_store_get(s, "big/blob.bin", &b, &err), LAKE_OK);
    CHECK_EQ_MEM(b.data, b.len, "previous", 8);
    lake_buf_free(&b);
    free(big);
    lake_store_close(s);
}

/* The write options on every way an object is made. tests/e2e/s3_write_options.test.mjs runs
 * `unit-tests s3_write_options` with LAKE_S3_WRITE_URL and checks on its proxy which requests
 * carried which headers and how large each part was; here: what was written reads back. */
UNIT_TEST(s3_write_options) {
    const char *url = getenv("LAKE_S3_WRITE_URL");
    if (!url || !*url)
        return;
    printf("s3_write_options: ran\n");
    lake_store_options o = {.max_concurrency = 8,
                            .storage_class = "STANDARD_IA",
                            .sse_aes256 = true,
                            .part_size = LAKE_S3_MIN_PART_SIZE};
    lake_error err = {0};
    lake_store *s = open_live(url, &o);
    if (!s)
        return;
    size_t big_len = 4 * LAKE_S3_MIN_PART_SIZE + 3 * (1u << 20); /* 5+5+5+5+3 MiB */
    uint8_t *big = pattern(big_len, 11);
    CHECK_EQ_INT(lake_store_put(s, "small.json", "{}", 2, &err), LAKE_OK);
    CHECK_EQ_INT(lake_store_put(s, "_lake/journal", "j", 1, &err), LAKE_OK);
    CHECK_EQ_INT(lake_store_put(s, "put/big.bin", big, big_len, &err), LAKE_OK);
    lake_store_writer *w = NULL;
    CHECK_EQ_INT(lake_store_writer_open(s, "stream/big.bin", 0, &w, &err), LAKE_OK);
    for (size_t off = 0; w && off < big_len; off += 777777) /* pieces unlike the parts */
        CHECK_EQ_INT(lake_store_writer_write(w, big + off,
                                             big_len - off < 777777 ? big_len - off : 777777, &err),
                     LAKE_OK);
    CHECK_EQ_INT(lake_store_writer_finish(w, &err), LAKE_OK);
    const char *keys[] = {"put/big.bin", "stream/big.bin"};
    for (int i = 0; i < 2; i++) {
        lake_buf b;
        lake_buf_init(&b);
        CHECK_EQ_INT(lake_store_get(s, keys[i], &b, &err), LAKE_OK);
        CHECK_EQ_MEM(b.data, b.len, big, big_len);
        lake_buf_free(&b);
    }
    free(big);
    lake_store_close(s);
    lake_store_options bad = {.storage_class = "standard"};
    CHECK_EQ_INT(lake_store_open_ex(url, &bad, &s, &err), LAKE_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "'standard'") != NULL);
    lake_store_options tiny = {.part_size = LAKE_S3_MIN_PART_SIZE - 1};
    CHECK_EQ_INT(lake_store_open_ex(url, &tiny, &s, &err), LAKE_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "5 MiB to 5 GiB") != NULL);
}
