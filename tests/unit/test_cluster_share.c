/* The cluster layer's pieces that need no second process: shares of a listing (contiguous,
 * covering every object once, balanced by bytes), the wire reader's bounds, and the bounded
 * exchange and gather on a cluster of one (every round's bytes come back to the same rank). */
#include "cluster/share.h"
#include "cluster/strtab.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lake_obj_list listing(const uint64_t *sizes, size_t n) {
    lake_obj_list l = {0};
    char key[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "k%05zu", i);
        lake_obj_list_add(&l, key, sizes[i]);
    }
    return l;
}

/* The shares of `size` ranks: contiguous, in rank order, covering [0, n). */
static void shares_by(lake_obj_list *l, uint64_t (*weigh)(const lake_obj *), int size, size_t *lo,
                      size_t *hi) {
    for (int r = 0; r < size; r++) {
        cl_comm c = {r, size, NULL, 0};
        cl_share_range(&c, l, weigh, &lo[r], &hi[r]);
        CHECK(lo[r] <= hi[r]);
        CHECK(r == 0 ? lo[r] == 0 : lo[r] == hi[r - 1]);
    }
    CHECK(hi[size - 1] == l->n);
}

static void shares(lake_obj_list *l, int size, size_t *lo, size_t *hi) {
    shares_by(l, NULL, size, lo, hi);
}

UNIT_TEST(cluster_shares_are_contiguous_and_balanced_by_bytes) {
    uint64_t sizes[100];
    for (int i = 0; i < 100; i++)
        sizes[i] = i < 10 ? 1000 : 10; /* ten big objects first, then ninety small ones */
    lake_obj_list l = listing(sizes, 100);
    size_t lo[4], hi[4];
    shares(&l, 4, lo, hi);
    /* 10,900 bytes: about 2,725 a rank, so the big objects are spread over the first ranks */
    for (int r = 0; r < 4; r++) {
        uint64_t bytes = 0;
        for (size_t i = lo[r]; i < hi[r]; i++)
            bytes += sizes[i];
        CHECK(bytes >= 1900 && bytes <= 3100);
    }
    lake_obj_list_free(&l);
}

/* Objects named .gz weigh ten times their size (as a job weighs compressed input). */
static uint64_t weigh_gz(const lake_obj *o) {
    return lake_ends_with(o->key, ".gz") ? o->size * 10 : o->size;
}

UNIT_TEST(cluster_shares_follow_the_weights_given) {
    lake_obj_list l = {0};
    lake_obj_list_add(&l, "a.json", 100);
    lake_obj_list_add(&l, "b.json", 10);
    lake_obj_list_add(&l, "c.json.gz", 10); /* 100 by weight: the second rank's alone */
    size_t lo[2], hi[2];
    shares_by(&l, weigh_gz, 2, lo, hi);
    CHECK(lo[1] == 2 && hi[1] == 3);
    shares(&l, 2, lo, hi); /* by bytes the first object is over half of the 120 */
    CHECK(lo[1] == 1);
    lake_obj_list_free(&l);
}

UNIT_TEST(cluster_shares_cover_empty_objects_and_more_ranks_than_objects) {
    uint64_t sizes[5] = {0, 7, 0, 0, 0}; /* empty objects after the last byte still get read */
    lake_obj_list l = listing(sizes, 5);
    size_t lo[8], hi[8];
    shares(&l, 8, lo, hi);
    shares(&l, 1, lo, hi);
    CHECK(lo[0] == 0 && hi[0] == 5);
    uint64_t none[3] = {0, 0, 0}; /* all empty: shared by count */
    lake_obj_list e = listing(none, 3);
    shares(&e, 2, lo, hi);
    lake_obj_list_free(&l);
    lake_obj_list_free(&e);
}

UNIT_TEST(cluster_wire_reader_stops_at_the_end) {
    lake_buf b;
    lake_buf_init(&b);
    cl_put_u64(&b, 42);
    cl_put_str(&b, (lake_str){"abc", 3});
    cl_put_str(&b, (lake_str){NULL, 0});
    cl_put_cstr(&b, "key");
    cl_put_opt_i64(&b, (lake_opt_i64){-5, true});
    cl_reader r = {b.data, b.data + b.len, false};
    CHECK(cl_get_u64(&r) == 42);
    lake_str s = cl_get_str(&r);
    CHECK_EQ_MEM(s.ptr, s.len, "abc", 3);
    CHECK(cl_get_str(&r).ptr == NULL);
    CHECK_EQ_STR(cl_get_cstr(&r), "key");
    lake_opt_i64 x = cl_get_opt_i64(&r);
    CHECK(x.ok && x.v == -5);
    CHECK(!cl_more(&r) && !r.bad);
    /* a string whose length runs past the end, and a C string without its NUL */
    cl_reader cut = {b.data, b.data + 8 + 4 + 2, false};
    cl_get_u64(&cut);
    CHECK(cl_get_str(&cut).ptr == NULL && cut.bad);
    cl_reader nonul = {b.data + 8, b.data + 8 + 7, false};
    CHECK(cl_get_cstr(&nonul) == NULL && nonul.bad);
    lake_buf_free(&b);
}

typedef struct {
    int produced, rounds;
    lake_buf got;
} count_job;

/* 1,000 numbers in rounds of at most `chunk` bytes. */
static bool produce(void *ud, lake_buf *out, size_t chunk) {
    count_job *j = ud;
    j->rounds++;
    while (j->produced < 1000 && out[0].len < chunk) {
        cl_put_u64(&out[0], (uint64_t)j->produced);
        j->produced++;
    }
    return j->produced < 1000;
}

static lake_rc consume(void *ud, int from, const uint8_t *data, size_t len, lake_error *err) {
    (void)err;
    count_job *j = ud;
    CHECK(from == 0);
    CHECK(len <= 64);
    lake_buf_append(&j->got, data, len);
    return LAKE_OK;
}

/* Every number comes back once, in order, in rounds of 8; with overlap the rounds are consumed on
 * the exchange's second thread while the next ones are produced. */
static void exchange_in_rounds(bool overlap) {
    count_job j = {0, 0, {0}};
    lake_buf_init(&j.got);
    cl_exchange_fns f = {produce, consume, &j, overlap};
    lake_error err = {0};
    CHECK_EQ_INT(cl_exchange(cl_comm_single(), 64, &f, &err), LAKE_OK);
    CHECK(j.rounds == 125); /* 8 numbers of 8 bytes a round */
    CHECK(j.got.len == 8000);
    for (uint64_t i = 0; i < 1000; i++)
        CHECK(((const uint64_t *)j.got.data)[i] == i);
    lake_buf_free(&j.got);
}

UNIT_TEST(cluster_exchange_goes_in_bounded_rounds) {
    exchange_in_rounds(false);
    exchange_in_rounds(true);
    lake_buf in, out;
    lake_buf_init(&out);
    lake_buf_init(&in);
    lake_buf_append(&in, "gathered", 8);
    cl_gather(cl_comm_single(), &in, &out);
    CHECK_EQ_MEM(out.data, out.len, "gathered", 8);
    CHECK(cl_exscan(cl_comm_single(), 99) == 0);
    lake_buf_free(&in);
    lake_buf_free(&out);
}

static lake_str keep_copy(void *ud, lake_str s) {
    (*(int *)ud)++;
    return s; /* the test's buffer outlives the reads */
}

UNIT_TEST(cluster_wire_varints_and_strings_once_per_message) {
    lake_buf b;
    lake_buf_init(&b);
    static const int64_t vals[] = {0, 1, -1, 63, -64, 64, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++)
        cl_put_svarint(&b, vals[i]);
    cl_put_varint(&b, UINT64_MAX);
    const char *agent = "Mozilla/5.0", *level = "free", *empty = "";
    cl_strtab t = {0};
    lake_str seq[] = {{agent, 11}, {level, 4}, {agent, 11}, {NULL, 0}, {empty, 0}, {level, 4}};
    size_t before = b.len;
    for (size_t i = 0; i < 6; i++)
        cl_put_str_tab(&b, &t, seq[i]);
    CHECK(b.len - before == (1 + 11) + (1 + 4) + 1 + 1 + 1 + 1); /* repeats are one byte */
    cl_reader r = {b.data, b.data + b.len, false};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++)
        CHECK(cl_get_svarint(&r) == vals[i]);
    CHECK(cl_get_varint(&r) == UINT64_MAX);
    cl_strvec v = {0};
    int kept = 0;
    for (size_t i = 0; i < 6; i++) {
        lake_str s = cl_get_str_tab(&r, &v, keep_copy, &kept);
        CHECK((s.ptr == NULL) == (seq[i].ptr == NULL));
        if (s.ptr)
            CHECK_EQ_MEM(s.ptr, s.len, seq[i].ptr, seq[i].len);
    }
    CHECK(kept == 3 && !r.bad && !cl_more(&r));
    /* a number past the strings seen, and a varint that never ends */
    uint8_t bad_ref[] = {2 * 7 + 1}, endless[11];
    memset(endless, 0xff, sizeof endless);
    cl_reader r1 = {bad_ref, bad_ref + 1, false}, r2 = {endless, endless + 11, false};
    cl_get_str_tab(&r1, &v, keep_copy, &kept);
    cl_get_varint(&r2);
    CHECK(r1.bad && r2.bad);
    cl_strvec_free(&v);
    cl_strtab_reset(&t);
    CHECK(t.n == 0);
    cl_strtab_free(&t);
    lake_buf_free(&b);
}

/* Two messages back to back (as a gather joins them): each decodes after the other, a key next
 * to the one before is sent as its difference, and a share past the previous string is bad. */
UNIT_TEST(cluster_wire_strings_near_the_one_before) {
    static const char *const msg[2][4] = {
        {"t/_temporary/u/songs/year=2001/artist_id=AR1/part-00000-u.parquet", NULL,
         "t/_temporary/u/songs/year=2001/artist_id=AR22/part-00000-u.parquet", ""},
        {"upload-1", "", "t/_temporary/u/songs/year=2001/artist_id=AR1/part-00000-u.parquet",
         "t/_temporary/u/songs/year=2001/artist_id=AR1/part-00000-u.parquet"},
    };
    lake_buf b;
    lake_buf_init(&b);
    size_t len[2] = {0, 0};
    for (int m = 0; m < 2; m++) {
        const char *prev = NULL;
        for (int i = 0; i < 4; i++)
            cl_put_str_near(&b, &prev, msg[m][i]);
        len[m] = b.len - (m ? len[0] : 0);
    }
    CHECK(len[0] < 68 + 3 + 1 + 3 + 3 + 3 + 3); /* the second key: its middle "22" only */
    lake_arena *a = lake_arena_create(256);
    cl_reader r = {b.data, b.data + b.len, false};
    const char *prev = "a string of the reader's before the messages";
    for (int m = 0; m < 2; m++)
        for (int i = 0; i < 4; i++) {
            const char *s = cl_get_str_near(&r, &prev, a);
            CHECK(msg[m][i] ? s && !strcmp(s, msg[m][i]) : s == NULL);
        }
    CHECK(!r.bad && !cl_more(&r));
    uint8_t too_far[] = {1 + 1, 3, 0, 'x'}; /* shares 3 bytes of a 2-byte string */
    const char *two = "ab";
    cl_reader r1 = {too_far, too_far + sizeof too_far, false};
    CHECK(cl_get_str_near(&r1, &two, a) == NULL && r1.bad);
    lake_arena_free(a);
    lake_buf_free(&b);
}
