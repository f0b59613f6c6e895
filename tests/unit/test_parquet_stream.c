/* pq_write_stream: memory bounded by the row group, not the file; the bytes equal
 * pq_write_table's; sink errors stop the write. And the local store writer behind it. */
#include "unit.h"

#include "lake/parquet.h"
#include "lake/s3.h"
#include "lake/store.h"
#include "lake/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A sink that keeps the bytes, counts calls, remembers the largest piece, and can fail. */
typedef struct {
    lake_buf bytes;
    size_t calls, largest;
    size_t fail_at; /* 0 = never, else fail on this call (1-based) */
} test_sink;

static lake_rc sink_fn(void *ud, const void *data, size_t len, lake_error *err) {
    test_sink *s = ud;
    s->calls++;
    if (s->fail_at && s->calls == s->fail_at)
        return lake_error_set(err, LAKE_ERR_IO, "sink full");
    if (len > s->largest)
        s->largest = len;
    lake_buf_append(&s->bytes, data, len);
    return LAKE_OK;
}

/* Rows of an id, a random-ish string and a double (about 30 bytes a row, PLAIN). */
typedef struct {
    lake_col id, name, x;
    char *text;
} big_table;

static void big_init(big_table *t, size_t n) {
    lake_col_init(&t->id, "id", LAKE_T_INT64);
    lake_col_init(&t->name, "name", LAKE_T_STRING);
    lake_col_init(&t->x, "x", LAKE_T_DOUBLE);
    t->text = lake_xmalloc(n * 16);
    uint64_t h = 88172645463325252u;
    for (size_t i = 0; i < n; i++) {
        h ^= h << 13, h ^= h >> 7, h ^= h << 17;
        char *p = t->text + i * 16;
        for (int k = 0; k < 16; k++)
            p[k] = (char)('a' + (h >> (k * 4) & 15));
        lake_col_push_i64(&t->id, (int64_t)(h >> 11));
        if (i % 7 == 3)
            lake_col_push_null(&t->name);
        else
            lake_col_push_str(&t->name, p, (uint32_t)(4 + i % 13));
        lake_col_push_f64(&t->x, (double)(h % 100000) / 7.0);
    }
}

static void big_free(big_table *t) {
    lake_col_free(&t->id);
    lake_col_free(&t->name);
    lake_col_free(&t->x);
    free(t->text);
}

UNIT_TEST(pq_stream_memory_bounded_by_row_group) {
    big_table t;
    size_t n = 400000;
    big_init(&t, n);
    const lake_col *cols[] = {&t.id, &t.name, &t.x};
    pq_options o;
    pq_options_default(&o);
    o.row_group_bytes = 64 << 10; /* about 100 row groups */
    o.page_bytes = 16 << 10;
    test_sink s = {0};
    lake_buf_init(&s.bytes);
    pq_write_info info = {0};
    lake_error err = {0};
    CHECK_EQ_INT(pq_write_stream(cols, 3, NULL, n, &o, sink_fn, &s, &info, &err), LAKE_OK);
    CHECK_EQ_INT(info.file_bytes, s.bytes.len);
    /* Held: one encoded chunk (at most the group's PLAIN size plus levels and headers), page
     * buffers, O(rows of a group) indices; allocations may double. */
    size_t bound = 4 * (size_t)o.row_group_bytes + 256 * 1024;
    printf("  file %zu bytes in %zu writes, largest %zu, writer peak %zu (bound %zu)\n",
           s.bytes.len, s.calls, s.largest, info.peak_held, bound);
    CHECK(s.bytes.len > 10 * bound); /* the file is far larger than what was held */
    CHECK(info.peak_held > 0);
    CHECK(info.peak_held < bound);
    CHECK(s.largest < bound);
    CHECK(s.calls > 100);
    /* the same bytes as the in-memory writer */
    lake_buf whole;
    lake_buf_init(&whole);
    CHECK_EQ_INT(pq_write_table(cols, 3, NULL, n, &o, &whole, &err), LAKE_OK);
    CHECK_EQ_MEM(s.bytes.data, s.bytes.len, whole.data, whole.len);
    lake_buf_free(&whole);
    lake_buf_free(&s.bytes);
    big_free(&t);
}

UNIT_TEST(pq_stream_sink_error_stops_the_write) {
    big_table t;
    big_init(&t, 20000);
    const lake_col *cols[] = {&t.id, &t.name, &t.x};
    pq_options o;
    pq_options_default(&o);
    o.row_group_bytes = 32 << 10;
    for (size_t at = 1; at <= 5; at++) {
        test_sink s = {.fail_at = at};
        lake_buf_init(&s.bytes);
        lake_error err = {0};
        CHECK_EQ_INT(pq_write_stream(cols, 3, NULL, 20000, &o, sink_fn, &s, NULL, &err),
                     LAKE_ERR_IO);
        CHECK(strstr(err.msg, "sink full") != NULL);
        CHECK_EQ_INT(s.calls, at); /* nothing more after the failure */
        lake_buf_free(&s.bytes);
    }
    big_free(&t);
}

static char *temp_root(void) {
    char tmpl[] = "/tmp/lake-sink-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? lake_xstrdup(d) : NULL;
}

static bool exists(const char *root, const char *rel) {
    char *p = lake_xasprintf("%s/%s", root, rel);
    struct stat st;
    bool ok = stat(p, &st) == 0;
    free(p);
    return ok;
}

/* Writes `pieces` pieces of `piece` bytes (byte i is i % 251) to key. */
static lake_rc write_pattern(lake_store *s, const char *key, unsigned flags, size_t piece,
                             size_t pieces, bool finish, lake_error *err) {
    lake_store_writer *w = NULL;
    lake_rc rc = lake_store_writer_open(s, key, flags, &w, err);
    uint8_t *buf = lake_xmalloc(piece + 1);
    for (size_t i = 0; !rc && i < pieces; i++) {
        for (size_t k = 0; k < piece; k++)
            buf[k] = (uint8_t)((i * piece + k) % 251);
        rc = lake_store_writer_write(w, buf, piece, err);
    }
    free(buf);
    if (w && !rc && finish)
        CHECK_EQ_INT(lake_store_writer_size(w), piece * pieces);
    if (w && !rc && finish)
        return lake_store_writer_finish(w, err);
    lake_store_writer_abort(w);
    return rc;
}

static void check_pattern(lake_store *s, const char *key, size_t len) {
    lake_buf b;
    lake_buf_init(&b);
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_get(s, key, &b, &err), LAKE_OK);
    CHECK_EQ_INT(b.len, len);
    bool same = b.len == len;
    for (size_t i = 0; same && i < len; i++)
        same = b.data[i] == (uint8_t)(i % 251);
    CHECK(same);
    lake_buf_free(&b);
}

UNIT_TEST(store_local_writer_streams_and_aborts) {
    char *root = temp_root();
    lake_store *s = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_open(root, &s, &err), LAKE_OK);
    /* small and large pieces, both modes, parents created on the way */
    CHECK_EQ_INT(write_pattern(s, "t/a=1/new.bin", LAKE_STORE_WRITE_NEW, 1000, 3, true, &err),
                 LAKE_OK);
    check_pattern(s, "t/a=1/new.bin", 3000);
    CHECK_EQ_INT(write_pattern(s, "t/a=2/put.bin", 0, 700 << 10, 5, true, &err), LAKE_OK);
    check_pattern(s, "t/a=2/put.bin", 5 * (700 << 10));
    /* a new key must not exist yet */
    CHECK_EQ_INT(write_pattern(s, "t/a=1/new.bin", LAKE_STORE_WRITE_NEW, 10, 1, true, &err),
                 LAKE_ERR_IO);
    check_pattern(s, "t/a=1/new.bin", 3000);
    /* a put replaces the object whole; an aborted one leaves the old bytes and no temporary */
    CHECK_EQ_INT(write_pattern(s, "t/a=2/put.bin", 0, 3 << 20, 1, false, &err), LAKE_OK);
    check_pattern(s, "t/a=2/put.bin", 5 * (700 << 10));
    CHECK_EQ_INT(write_pattern(s, "t/a=3/gone.bin", LAKE_STORE_WRITE_NEW, 2 << 20, 2, false, &err),
                 LAKE_OK);
    CHECK(!exists(root, "t/a=3/gone.bin"));
    CHECK_EQ_INT(write_pattern(s, "t/a=2/put.bin", 0, 5, 1, true, &err), LAKE_OK);
    check_pattern(s, "t/a=2/put.bin", 5);
    /* an empty object */
    CHECK_EQ_INT(write_pattern(s, "t/empty", LAKE_STORE_WRITE_NEW, 0, 0, true, &err), LAKE_OK);
    check_pattern(s, "t/empty", 0);
    lake_obj_list l = {0};
    CHECK_EQ_INT(lake_store_list(s, "t/", &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, 3); /* new.bin, put.bin, empty: no temporaries left */
    lake_obj_list_free(&l);
    CHECK_EQ_INT(lake_store_delete_prefix(s, "t/", &err), LAKE_OK);
    lake_store_close(s);
    rmdir(root);
    free(root);
}

static lake_rc to_writer(void *ud, const void *data, size_t len, lake_error *err) {
    return lake_store_writer_write(ud, data, len, err);
}

/* A Parquet file over the multipart threshold streamed to S3. Run by tests/e2e/s3_stream.test.mjs
 * with LAKE_S3_STREAM_URL (a store URL on its s3rver) and LAKE_S3_STREAM_REF (where to put the
 * same file written in memory, for comparison); with LAKE_S3_STREAM_FAIL set the server refuses
 * a part and the write must fail. Without the URL it returns at once. */
UNIT_TEST(pq_stream_s3_object) {
    const char *url = getenv("LAKE_S3_STREAM_URL");
    if (!url || !*url)
        return;
    printf("pq_stream_s3: ran\n");
    bool expect_fail = getenv("LAKE_S3_STREAM_FAIL") != NULL;
    lake_store_options so = {.max_concurrency = 8, .max_attempts = 2};
    lake_store *s = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_open_ex(url, &so, &s, &err), LAKE_OK);
    if (!s)
        return;
    big_table t;
    size_t n = 1000000;
    big_init(&t, n);
    const lake_col *cols[] = {&t.id, &t.name, &t.x};
    pq_options o;
    pq_options_default(&o);
    o.row_group_bytes = 4 << 20;
    lake_store_writer *w = NULL;
    CHECK_EQ_INT(lake_store_writer_open(s, "big.parquet", 0, &w, &err), LAKE_OK);
    pq_write_info info = {0};
    lake_rc rc = pq_write_stream(cols, 3, NULL, n, &o, to_writer, w, &info, &err);
    printf("  %llu bytes, writer peak %zu\n", (unsigned long long)info.file_bytes, info.peak_held);
    if (rc)
        lake_store_writer_abort(w);
    else
        rc = lake_store_writer_finish(w, &err);
    if (expect_fail) {
        CHECK(rc != LAKE_OK);
        printf("  failed as expected: %s\n", err.msg);
    } else {
        CHECK_EQ_INT(rc, LAKE_OK);
        CHECK(info.file_bytes > LAKE_S3_MULTIPART_THRESHOLD);
        CHECK(info.peak_held < (size_t)4 * o.row_group_bytes);
        lake_buf ref;
        lake_buf_init(&ref);
        CHECK_EQ_INT(pq_write_table(cols, 3, NULL, n, &o, &ref, &err), LAKE_OK);
        const char *path = getenv("LAKE_S3_STREAM_REF");
        FILE *fp = path ? fopen(path, "wb") : NULL;
        CHECK(fp != NULL);
        if (fp) {
            CHECK_EQ_INT(fwrite(ref.data, 1, ref.len, fp), ref.len);
            fclose(fp);
        }
        lake_buf_free(&ref);
    }
    big_free(&t);
    lake_store_close(s);
}
