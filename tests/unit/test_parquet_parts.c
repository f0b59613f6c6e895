/* pq_stream_open/write/close: a file written in parts. Row groups passed one per call give the
 * bytes of pq_write_stream over the whole table; calls never share a row group; a column that
 * is not the file's is refused. And lake_view_advance keeps a large mapped object's pages out of
 * the process behind its reader. */
#include "unit.h"

#include "lake/parquet.h"
#include "lake/pqread.h"
#include "lake/store.h"
#include "lake/table.h"
#include "store/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static lake_rc to_buf(void *ud, const void *data, size_t len, lake_error *err) {
    (void)err;
    lake_buf_append(ud, data, len);
    return LAKE_OK;
}

/* An id, a short string (null now and then) and a timestamp per row. */
static void make_cols(lake_col *c, size_t n) {
    lake_col_init(&c[0], "id", LAKE_T_INT64);
    lake_col_init(&c[1], "name", LAKE_T_STRING);
    lake_col_init(&c[2], "at", LAKE_T_TIMESTAMP_US);
    static const char *const names[] = {"alpha", "bravo", "charlie", "delta", "echo-echo"};
    for (size_t i = 0; i < n; i++) {
        lake_col_push_i64(&c[0], (int64_t)(i * 7919 % 100003));
        if (i % 11 == 5)
            lake_col_push_null(&c[1]);
        else
            lake_col_push_str(&c[1], names[i % 5], (uint32_t)strlen(names[i % 5]));
        lake_col_push_i64(&c[2], 1541105830796000 + (int64_t)i * 1000);
    }
}

static void free_cols(lake_col *c, size_t n) {
    for (size_t i = 0; i < n; i++)
        lake_col_free(&c[i]);
}

/* Writes cols[0..n) through a stream, each row group from its own copy of the rows (as the
 * pipeline's row buffer does): with slice == 0 one pq_stream_write_row_group call per row group,
 * else pq_stream_append calls of `slice` rows and pq_stream_end_row_group. */
static void write_in_parts(const lake_col *all, size_t n, const pq_options *o, size_t slice,
                           lake_buf *out) {
    const lake_col *whole[] = {&all[0], &all[1], &all[2]};
    lake_col part[3];
    const lake_col *pp[] = {&part[0], &part[1], &part[2]};
    for (int c = 0; c < 3; c++)
        lake_col_init(&part[c], all[c].name, all[c].type);
    pq_stream *s = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(pq_stream_open(whole, 3, o, to_buf, out, &s, &err), LAKE_OK);
    uint64_t limit = (uint64_t)pq_stream_row_group_bytes(s), acc = 0;
    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < 3; c++)
            lake_col_push_from(&part[c], &all[c], i);
        acc += pq_stream_row_bytes(s, pp, part[0].len - 1);
        bool end = acc >= limit || i + 1 == n;
        if (slice && (end || part[0].len == slice)) {
            CHECK_EQ_INT(pq_stream_append(s, pp, NULL, part[0].len, &err), LAKE_OK);
            for (int c = 0; c < 3; c++)
                lake_col_clear(&part[c]);
        }
        if (end) {
            if (slice)
                CHECK_EQ_INT(pq_stream_end_row_group(s, &err), LAKE_OK);
            else
                CHECK_EQ_INT(pq_stream_write_row_group(s, pp, NULL, part[0].len, &err), LAKE_OK);
            for (int c = 0; c < 3; c++)
                lake_col_clear(&part[c]);
            acc = 0;
        }
    }
    CHECK_EQ_INT(pq_stream_close(s, NULL, &err), LAKE_OK);
    free_cols(part, 3);
}

UNIT_TEST(pq_stream_parts_give_the_whole_file) {
    size_t n = 60000;
    lake_col all[3];
    make_cols(all, n);
    const lake_col *whole[] = {&all[0], &all[1], &all[2]};
    pq_options o;
    pq_options_default(&o);
    o.row_group_bytes = 100 << 10; /* several row groups */
    o.page_bytes = 8 << 10;
    lake_buf a, b;
    lake_buf_init(&a);
    lake_buf_init(&b);
    lake_error err = {0};
    CHECK_EQ_INT(pq_write_table(whole, 3, NULL, n, &o, &a, &err), LAKE_OK);
    write_in_parts(all, n, &o, 0, &b);
    CHECK_EQ_MEM(a.data, a.len, b.data, b.len);
    static const size_t slices[] = {1, 333, 4096};
    for (int k = 0; k < 3; k++) {
        lake_buf c;
        lake_buf_init(&c);
        write_in_parts(all, n, &o, slices[k], &c);
        CHECK_EQ_MEM(a.data, a.len, c.data, c.len);
        lake_buf_free(&c);
    }
    pq_file_meta *m = NULL;
    CHECK_EQ_INT(pq_read_footer(b.data, b.len, &m, &err), LAKE_OK);
    CHECK(m && m->nrow_groups > 3);
    CHECK_EQ_INT(m->num_rows, (int64_t)n);
    pq_file_meta_free(m);
    lake_buf_free(&a);
    lake_buf_free(&b);
    free_cols(all, 3);
}

/* Writes n rows of a sequential id and a low-cardinality string as one row group appended in
 * slices of 4,096 rows; returns the writer's peak_held and the rows' PLAIN size in *plain. */
static size_t append_peak(size_t n, uint64_t *plain) {
    static const char *const levels[] = {"free", "paid", "unknown"};
    size_t slice = 4096;
    lake_col id, lv;
    lake_col_init(&id, "id", LAKE_T_INT64);
    lake_col_init(&lv, "level", LAKE_T_STRING);
    const lake_col *cols[] = {&id, &lv};
    lake_buf out;
    lake_buf_init(&out);
    pq_stream *s = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(pq_stream_open(cols, 2, NULL, to_buf, &out, &s, &err), LAKE_OK);
    *plain = 0;
    for (size_t i = 0; i < n; i++) {
        lake_col_push_i64(&id, 1000000 + (int64_t)i * 3);
        const char *v = levels[(i / 7 + i / 1000) % 3];
        lake_col_push_str(&lv, v, (uint32_t)strlen(v));
        *plain += pq_stream_row_bytes(s, cols, id.len - 1);
        if (id.len == slice || i + 1 == n) {
            CHECK_EQ_INT(pq_stream_append(s, cols, NULL, id.len, &err), LAKE_OK);
            lake_col_clear(&id);
            lake_col_clear(&lv);
        }
    }
    CHECK(*plain < (uint64_t)pq_stream_row_group_bytes(s)); /* one row group */
    pq_write_info info = {0};
    CHECK_EQ_INT(pq_stream_close(s, &info, &err), LAKE_OK);
    printf("  %zu rows: %llu PLAIN bytes, file %llu bytes, writer peak %zu\n", n,
           (unsigned long long)*plain, (unsigned long long)info.file_bytes, info.peak_held);
    pq_file_meta *m = NULL;
    CHECK_EQ_INT(pq_read_footer(out.data, out.len, &m, &err), LAKE_OK);
    CHECK(m && m->nrow_groups == 1);
    if (m)
        CHECK_EQ_INT(m->num_rows, (int64_t)n);
    pq_file_meta_free(m);
    lake_buf_free(&out);
    lake_col_free(&id);
    lake_col_free(&lv);
    return info.peak_held;
}

/* A row group appended in slices holds its compressed pages and one page per column being
 * filled, not its rows: the peak does not grow from 250k to 1M rows in one row group (18 MB
 * PLAIN), and stays a small fraction of the rows' size. The writer before the incremental
 * encoder held O(rows) indices and integers (12 bytes a row) for a group, and the loader the
 * rows themselves. */
UNIT_TEST(pq_stream_append_holds_compressed_pages_not_rows) {
    uint64_t plain_small, plain;
    size_t small = append_peak(250000, &plain_small);
    size_t big = append_peak(1000000, &plain);
    CHECK(big > 0);
    CHECK(big < small + (64u << 10)); /* only the compressed pages grow (24 KB of file here) */
    CHECK(big < plain / 8);
}

UNIT_TEST(pq_stream_calls_do_not_share_row_groups) {
    lake_col all[3];
    make_cols(all, 30);
    const lake_col *cols[] = {&all[0], &all[1], &all[2]};
    uint32_t rows[3][10];
    for (uint32_t i = 0; i < 30; i++)
        rows[i / 10][i % 10] = i;
    lake_buf out;
    lake_buf_init(&out);
    pq_stream *s = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(pq_stream_open(cols, 3, NULL, to_buf, &out, &s, &err), LAKE_OK);
    for (int k = 0; k < 3; k++)
        CHECK_EQ_INT(pq_stream_write(s, cols, rows[k], 10, &err), LAKE_OK);
    pq_write_info info = {0};
    CHECK_EQ_INT(pq_stream_close(s, &info, &err), LAKE_OK);
    CHECK_EQ_INT(info.file_bytes, out.len);
    pq_file_meta *m = NULL;
    CHECK_EQ_INT(pq_read_footer(out.data, out.len, &m, &err), LAKE_OK);
    CHECK(m != NULL);
    CHECK_EQ_INT(m->nrow_groups, 3);
    CHECK_EQ_INT(m->num_rows, 30);
    pq_file_meta_free(m);
    lake_buf_free(&out);
    free_cols(all, 3);
}

UNIT_TEST(pq_stream_refuses_another_schema) {
    lake_col all[3];
    make_cols(all, 5);
    const lake_col *cols[] = {&all[0], &all[1], &all[2]};
    lake_col other;
    lake_col_init(&other, "name", LAKE_T_INT32); /* the name of column 1, not its type */
    for (int i = 0; i < 5; i++)
        lake_col_push_i32(&other, i);
    const lake_col *wrong[] = {&all[0], &other, &all[2]};
    lake_buf out;
    lake_buf_init(&out);
    pq_stream *s = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(pq_stream_open(cols, 3, NULL, to_buf, &out, &s, &err), LAKE_OK);
    CHECK_EQ_INT(pq_stream_write(s, wrong, NULL, 5, &err), LAKE_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "name") != NULL);
    CHECK_EQ_INT(pq_stream_write(s, cols, NULL, 5, &err), LAKE_OK); /* the stream goes on */
    CHECK_EQ_INT(pq_stream_close(s, NULL, &err), LAKE_OK);
    lake_col_free(&other);
    lake_buf_free(&out);
    free_cols(all, 3);
}

/* KiB of [start, start + len) resident in this process (/proc/self/smaps "Rss" of the
 * mappings inside the range), whatever else the process (or a sanitizer) holds. */
static long resident_kib(const void *start, size_t len) {
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    long total = 0;
    bool inside = false;
    uintptr_t lo = (uintptr_t)start, hi = lo + len;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long a, b, kib;
        if (sscanf(line, "%lx-%lx ", &a, &b) == 2)
            inside = a >= lo && b <= hi;
        else if (inside && sscanf(line, "Rss: %lu kB", &kib) == 1)
            total += (long)kib;
    }
    if (f)
        fclose(f);
    return total;
}

UNIT_TEST(view_advance_keeps_a_window_of_a_large_object) {
    char dir[] = "/tmp/lake-view-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    size_t len = 48u << 20, sum = 0, want = 0;
    char *path = lake_xasprintf("%s/big.json", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    for (size_t i = 0; f && i < len / 4096; i++) {
        char page[4096];
        memset(page, (int)('a' + i % 26), sizeof page);
        fwrite(page, 1, sizeof page, f);
        want += (size_t)page[0] * sizeof page;
    }
    if (f)
        fclose(f);
    lake_store *st = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_open(dir, &st, &err), LAKE_OK);
    lake_view v;
    CHECK_EQ_INT(lake_store_map(st, "big.json", &v, &err), LAKE_OK);
    long peak = 0;
    for (size_t pos = 0; pos < v.len; pos++) {
        if (pos % 4096 == 0)
            lake_view_advance(&v, pos);
        if (pos % (1u << 20) == 0) {
            long r = resident_kib(v.map, v.map_len);
            peak = r > peak ? r : peak;
        }
        sum += v.data[pos];
    }
    printf("  at most %ld KiB of the %zu MiB object resident\n", peak, v.len >> 20);
    CHECK_EQ_INT(sum, want);      /* every byte read as written */
    CHECK_EQ_INT(v.data[0], 'a'); /* a released page reads again */
    CHECK(peak > 0);
    CHECK(peak < (long)(4 * LAKE_VIEW_WINDOW / 1024)); /* not the 48 MiB */
    lake_view_release(&v);
    lake_store_close(st);
    unlink(path);
    rmdir(dir);
    free(path);
}

/* Random (incompressible) ids and strings, one row group, appended in slices of 1,000 rows
 * (slice == 0: pq_write_stream over the whole table) with the given spill_bytes. */
static lake_rc write_spilling(size_t n, size_t slice, int64_t spill_bytes, lake_buf *out,
                              pq_write_info *info, lake_error *err) {
    lake_col id, s;
    lake_col_init(&id, "id", LAKE_T_INT64);
    lake_col_init(&s, "s", LAKE_T_STRING);
    const lake_col *cols[] = {&id, &s};
    char *text = lake_xmalloc(n * 16);
    uint64_t h = 88172645463325252u;
    for (size_t i = 0; i < n; i++) {
        h ^= h << 13, h ^= h >> 7, h ^= h << 17;
        for (int k = 0; k < 16; k++)
            text[i * 16 + (size_t)k] = (char)('a' + (h >> (k * 4) & 15));
        lake_col_push_i64(&id, (int64_t)h);
        lake_col_push_str(&s, text + i * 16, 16);
    }
    pq_options o;
    pq_options_default(&o);
    o.spill_bytes = spill_bytes;
    lake_rc rc;
    if (slice == 0) {
        rc = pq_write_stream(cols, 2, NULL, n, &o, to_buf, out, info, err);
    } else {
        pq_stream *st = NULL;
        rc = pq_stream_open(cols, 2, &o, to_buf, out, &st, err);
        uint32_t *rows = lake_xmalloc(n * sizeof *rows);
        for (size_t i = 0; i < n; i++)
            rows[i] = (uint32_t)i;
        for (size_t at = 0; !rc && at < n; at += slice)
            rc = pq_stream_append(st, cols, rows + at, n - at < slice ? n - at : slice, err);
        if (!rc)
            rc = pq_stream_close(st, info, err);
        else
            pq_stream_free(st);
        free(rows);
    }
    lake_col_free(&id);
    lake_col_free(&s);
    free(text);
    return rc;
}

/* Pages held past spill_bytes go to a temporary file and come back at the end of the row
 * group: the same bytes as held in memory, less memory, and a clear error when the temporary
 * directory cannot be used. */
UNIT_TEST(pq_stream_spills_held_pages) {
    size_t n = 200000; /* 24 bytes a row, random: about 5 MB of pages in one row group */
    lake_buf held, spilled, whole;
    lake_buf_init(&held);
    lake_buf_init(&spilled);
    lake_buf_init(&whole);
    pq_write_info ih = {0}, is = {0}, iw = {0};
    lake_error err = {0};
    CHECK_EQ_INT(write_spilling(n, 1000, -1, &held, &ih, &err), LAKE_OK);
    CHECK_EQ_INT(write_spilling(n, 1000, 256 << 10, &spilled, &is, &err), LAKE_OK);
    CHECK_EQ_INT(write_spilling(n, 0, 256 << 10, &whole, &iw, &err), LAKE_OK);
    printf("  file %zu bytes; held in memory: peak %zu; spilling past 256 KiB: peak %zu, "
           "%llu bytes spilled; whole table: peak %zu, %llu spilled\n",
           held.len, ih.peak_held, is.peak_held, (unsigned long long)is.spilled, iw.peak_held,
           (unsigned long long)iw.spilled);
    CHECK_EQ_INT(ih.spilled, 0);
    CHECK(is.spilled > held.len / 2);
    CHECK(iw.spilled > 0);
    CHECK_EQ_MEM(spilled.data, spilled.len, held.data, held.len);
    CHECK_EQ_MEM(whole.data, whole.len, held.data, held.len);
    CHECK(held.len > (size_t)4 << 20);
    CHECK(ih.peak_held > held.len); /* every page of the group held at once */
    /* The budget, then what does not depend on the group's size: per column the page being
     * filled and the first page's trial dictionary (about 1.7 MB for these 20,000-row pages of
     * distinct values), a 1 MiB piece of a spilled chunk. */
    CHECK(is.peak_held < ih.peak_held / 3);
    const char *was = getenv("TMPDIR");
    char *keep = was ? lake_xasprintf("%s", was) : NULL;
    setenv("TMPDIR", "/nonexistent-lake-dir", 1);
    lake_buf_resize(&spilled, 0);
    CHECK_EQ_INT(write_spilling(n, 1000, 256 << 10, &spilled, &is, &err), LAKE_ERR_IO);
    CHECK(strstr(err.msg, "/nonexistent-lake-dir") != NULL);
    if (keep)
        setenv("TMPDIR", keep, 1);
    else
        unsetenv("TMPDIR");
    free(keep);
    lake_buf_free(&held);
    lake_buf_free(&spilled);
    lake_buf_free(&whole);
}

/* A sink that takes 4 KiB, then fails. */
static lake_rc fail_after_4k(void *ud, const void *data, size_t len, lake_error *err) {
    lake_buf *b = ud;
    if (b->len + len > 4096)
        return lake_error_set(err, LAKE_ERR_IO, "sink full");
    lake_buf_append(b, data, len);
    return LAKE_OK;
}

/* pq_write_stream_reuse: files written one after another with one pq_reuse are the bytes of
 * files written alone, whatever came before: a large file (buffers above the 1 MiB that is
 * kept), one-row files, the columns in another order (an encoder that held strings now holds
 * integers with DELTA), a file that failed half way, and more columns than before. */
UNIT_TEST(parquet_reuse_same_bytes) {
    lake_col c[3];
    make_cols(c, 300000);
    const lake_col *fwd[] = {&c[0], &c[1], &c[2]}, *rev[] = {&c[2], &c[1], &c[0]};
    pq_options o;
    pq_options_default(&o);
    o.delta = true;
    pq_reuse *r = pq_reuse_create();
    struct {
        const lake_col *const *cols;
        size_t ncols, nrows;
    } files[] = {{fwd, 3, 300000}, {fwd, 3, 1}, {rev, 3, 1},    {rev, 2, 5000},
                 {fwd, 1, 7},      {fwd, 3, 2}, {rev, 3, 40000}};
    size_t differ = 0;
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        lake_buf alone, reused;
        lake_buf_init(&alone);
        lake_buf_init(&reused);
        lake_error err = {0};
        CHECK_EQ_INT(pq_write_stream(files[f].cols, files[f].ncols, NULL, files[f].nrows, &o,
                                     to_buf, &alone, NULL, &err),
                     LAKE_OK);
        CHECK_EQ_INT(pq_write_stream_reuse(files[f].cols, files[f].ncols, NULL, files[f].nrows, &o,
                                           to_buf, &reused, r, NULL, &err),
                     LAKE_OK);
        differ += alone.len != reused.len || memcmp(alone.data, reused.data, alone.len) != 0;
        lake_buf_free(&alone);
        lake_buf_free(&reused);
        if (f == 3) { /* a sink that fails half way: the buffers still come back */
            lake_buf junk;
            lake_buf_init(&junk);
            CHECK_EQ_INT(
                pq_write_stream_reuse(fwd, 3, NULL, 50000, &o, fail_after_4k, &junk, r, NULL, &err),
                LAKE_ERR_IO);
            CHECK(junk.len <= 4096);
            lake_buf_free(&junk);
        }
    }
    CHECK_EQ_INT(differ, 0);
    pq_reuse_free(r);
    pq_reuse_free(NULL);
    free_cols(c, 3);
}
