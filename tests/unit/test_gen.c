/* Unit tests of the generator: JSON emitters, determinism, layout. */
#include "unit.h"

#include "gen/gen_emit.h"
#include "gen/gen_rng.h"
#include "lake/gen.h"
#include "lake/store.h"

#include <stdlib.h>
#include <unistd.h>

static char *emit_str(const char *s, int flags) {
    lake_buf b;
    lake_buf_init(&b);
    gen_put_str(&b, s, flags);
    char *r = lake_xstrndup((const char *)b.data, b.len);
    lake_buf_free(&b);
    return r;
}

UNIT_TEST(gen_put_str_escapes) {
    char *s = emit_str("a\"b\\c/d", 0);
    CHECK_EQ_STR(s, "\"a\\\"b\\\\c/d\"");
    free(s);
    s = emit_str("a/b", GEN_ESC_SLASH);
    CHECK_EQ_STR(s, "\"a\\/b\"");
    free(s);
    /* é, 🎉 (surrogate pair), control characters and DEL. */
    s = emit_str("\xc3\xa9\xf0\x9f\x8e\x89\x01\t\x7f", GEN_ESC_UNICODE);
    CHECK_EQ_STR(s, "\"\\u00e9\\ud83c\\udf89\\u0001\\t\\u007f\"");
    free(s);
    s = emit_str("\xc3\xa9", GEN_ESC_UNICODE | GEN_ESC_UPPER);
    CHECK_EQ_STR(s, "\"\\u00E9\"");
    free(s);
    s = emit_str("\xc3\xa9", 0);
    CHECK_EQ_STR(s, "\"\xc3\xa9\"");
    free(s);
    s = emit_str(NULL, 0);
    CHECK_EQ_STR(s, "null");
    free(s);
}

UNIT_TEST(gen_put_fixed5_round_trips) {
    const int64_t v[] = {15292036, 24000000, -9004892, 5, 0, 100000, 6000000000LL};
    const char *want[] = {"152.92036", "240.0", "-90.04892", "0.00005", "0.0", "1.0", "60000.0"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        lake_buf b;
        lake_buf_init(&b);
        gen_put_fixed5(&b, v[i]);
        lake_buf_putc(&b, 0);
        CHECK_EQ_STR((const char *)b.data, want[i]);
        /* The text parses to exactly the double the generator reasons with. */
        CHECK(strtod((const char *)b.data, NULL) == (double)v[i] / 100000.0);
        lake_buf_free(&b);
    }
}

UNIT_TEST(gen_rng_is_fixed) {
    gen_rng a, b;
    gen_rng_seed(&a, 42, 1);
    gen_rng_seed(&b, 42, 1);
    for (int i = 0; i < 100; i++)
        CHECK(gen_rng_next(&a) == gen_rng_next(&b));
    gen_rng_seed(&b, 42, 2);
    CHECK(gen_rng_next(&a) != gen_rng_next(&b));
    for (int i = 0; i < 1000; i++)
        CHECK(gen_rng_below(&a, 7) < 7);
}

/* Generates into a fresh temp dir; returns the dir (caller frees and removes). */
static char *gen_into(const lake_gen_opts *o) {
    char tmpl[] = "/tmp/lake-unit-gen-XXXXXX";
    if (!mkdtemp(tmpl)) {
        unit_fail(__FILE__, __LINE__, "mkdtemp failed");
        return NULL;
    }
    lake_error err = {0};
    lake_store *s = NULL;
    if (lake_store_open(tmpl, &s, &err) || lake_gen(s, o, &err))
        unit_fail(__FILE__, __LINE__, "gen failed: %s", err.msg);
    lake_store_close(s);
    return lake_xstrdup(tmpl);
}

static void list_all(const char *dir, lake_store **s, lake_obj_list *l) {
    lake_error err = {0};
    memset(l, 0, sizeof *l);
    *s = NULL;
    if (lake_store_open(dir, s, &err) || lake_store_list(*s, "", l, &err))
        unit_fail(__FILE__, __LINE__, "list failed: %s", err.msg);
}

static size_t count_suffix(const lake_obj_list *l, const char *prefix, const char *suffix) {
    size_t n = 0, sl = strlen(suffix);
    for (size_t i = 0; i < l->n; i++) {
        const char *k = l->items[i].key;
        size_t kl = strlen(k);
        if (strncmp(k, prefix, strlen(prefix)) == 0 && kl >= sl && strcmp(k + kl - sl, suffix) == 0)
            n++;
    }
    return n;
}

UNIT_TEST(gen_is_deterministic) {
    lake_gen_opts o;
    lake_gen_opts_default(&o);
    o.songs = 120;
    o.events = 1500;
    o.seed = 7;
    o.bad_records = true;
    char *d1 = gen_into(&o);
    char *d2 = gen_into(&o);
    o.seed = 8;
    char *d3 = gen_into(&o);
    if (!d1 || !d2 || !d3)
        return;
    lake_store *s1, *s2, *s3;
    lake_obj_list l1, l2, l3;
    list_all(d1, &s1, &l1);
    list_all(d2, &s2, &l2);
    list_all(d3, &s3, &l3);
    CHECK_EQ_INT(l1.n, l2.n);
    CHECK(l1.n > 120 / 2);
    bool same3 = l1.n == l3.n;
    for (size_t i = 0; i < l1.n && i < l2.n; i++) {
        CHECK_EQ_STR(l1.items[i].key, l2.items[i].key);
        lake_buf a, b;
        lake_buf_init(&a);
        lake_buf_init(&b);
        lake_error err = {0};
        CHECK(lake_store_get(s1, l1.items[i].key, &a, &err) == LAKE_OK);
        CHECK(lake_store_get(s2, l2.items[i].key, &b, &err) == LAKE_OK);
        CHECK_EQ_MEM(a.data, a.len, b.data, b.len);
        lake_buf_free(&a);
        lake_buf_free(&b);
        if (i < l3.n && strcmp(l1.items[i].key, l3.items[i].key) != 0)
            same3 = false;
    }
    CHECK(!same3); /* another seed, other keys */
    /* Layout: compressed objects, boundary files, the bad-records files. */
    CHECK(count_suffix(&l1, "song_data/", ".json.gz") >= 1);
    CHECK(count_suffix(&l1, "song_data/", ".json.zst") >= 1);
    CHECK_EQ_INT(count_suffix(&l1, "log_data/2018/11/2018-11-", "-events.json"), 29 + 1);
    CHECK_EQ_INT(count_suffix(&l1, "log_data/2018/11/2018-11-30", "-events.json.gz"), 1);
    CHECK_EQ_INT(count_suffix(&l1, "log_data/2020/12/2020-12-31", ".json.zst"), 1);
    CHECK_EQ_INT(count_suffix(&l1, "log_data/2021/01/2021-01-03", ".json.gz"), 1);
    CHECK_EQ_INT(count_suffix(&l1, "song_data/Z/Z/Z/TRZZZBADRECORD", ".json"), 1);
    lake_obj_list_free(&l1);
    lake_obj_list_free(&l2);
    lake_obj_list_free(&l3);
    lake_store_close(s1);
    lake_store_close(s2);
    lake_store_close(s3);
    unit_rm_tree(d1);
    unit_rm_tree(d2);
    unit_rm_tree(d3);
    free(d1);
    free(d2);
    free(d3);
}

UNIT_TEST(gen_plain_has_no_edge_files) {
    lake_gen_opts o;
    lake_gen_opts_default(&o);
    o.songs = 50;
    o.events = 300;
    o.edge_cases = false;
    char *d = gen_into(&o);
    if (!d)
        return;
    lake_store *s;
    lake_obj_list l;
    list_all(d, &s, &l);
    CHECK_EQ_INT(count_suffix(&l, "song_data/", ".json"), 50);
    CHECK_EQ_INT(count_suffix(&l, "log_data/", ".json"), 30);
    CHECK_EQ_INT(l.n, 80);
    /* Every event line is a complete object: count lines against the requested events. */
    size_t lines = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (strncmp(l.items[i].key, "log_data/", 9) != 0)
            continue;
        lake_buf b;
        lake_buf_init(&b);
        lake_error err = {0};
        CHECK(lake_store_get(s, l.items[i].key, &b, &err) == LAKE_OK);
        for (size_t k = 0; k < b.len; k++)
            lines += b.data[k] == '\n';
        CHECK(b.len > 0 && b.data[b.len - 1] == '\n');
        lake_buf_free(&b);
    }
    CHECK_EQ_INT(lines, 300);
    lake_obj_list_free(&l);
    lake_store_close(s);
    unit_rm_tree(d);
    free(d);
}

/* Objects under prefix in l, and their bytes. */
static size_t objects_under(const lake_obj_list *l, const char *prefix, uint64_t *bytes) {
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (strncmp(l->items[i].key, prefix, strlen(prefix)) == 0) {
            n++;
            *bytes += l->items[i].size;
        }
    return n;
}

UNIT_TEST(gen_counts_what_it_wrote_and_refuses_to_mix) {
    lake_gen_opts o;
    lake_gen_opts_default(&o);
    o.songs = 40;
    o.events = 400;
    o.bad_records = true;
    char *d = gen_into(&o);
    if (!d)
        return;
    lake_store *s;
    lake_obj_list l;
    list_all(d, &s, &l);
    lake_gen_stats st;
    lake_error err = {0};
    /* Into the same store again: refused, nothing written, nothing counted. */
    CHECK_EQ_INT(lake_gen_ex(s, &o, &st, &err), LAKE_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "already holds song_data/ and log_data/") != NULL);
    CHECK_EQ_INT(st.song_files + st.log_files, 0);
    /* Replacing: the same bytes again, each object counted under its dataset. */
    o.replace = true;
    CHECK_EQ_INT(lake_gen_ex(s, &o, &st, &err), LAKE_OK);
    uint64_t bytes = 0;
    CHECK_EQ_INT(st.song_files, objects_under(&l, "song_data/", &bytes));
    CHECK_EQ_INT(st.log_files, objects_under(&l, "log_data/", &bytes));
    CHECK_EQ_INT(st.song_files + st.log_files, l.n);
    CHECK_EQ_INT(st.bytes, bytes);
    CHECK(st.song_records > o.songs && st.events > o.events); /* edge cases and bad records */
    CHECK_EQ_INT(st.bad_records, 6);
    lake_obj_list l2;
    lake_store *s2;
    list_all(d, &s2, &l2);
    CHECK_EQ_INT(l2.n, l.n);
    lake_obj_list_free(&l);
    lake_obj_list_free(&l2);
    lake_store_close(s);
    lake_store_close(s2);
    unit_rm_tree(d);
    free(d);
}
