/* JSON record extraction (json/json.h): values, unescaping, numbers, record boundaries, line
 * numbers, malformed records and recovery. */
#include "json/json.h"
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>

#define MAXEV 64
#define MAXF 8

typedef struct {
    int is_err;
    size_t line;
    char raw[512];
    char reason[256];
    char dup_key[32]; /* rec->dup_key, "" for none */
    lj_value v[MAXF];
    char s[MAXF][256]; /* copies of string values */
} event;

static event evs[MAXEV];
static int nev;
static size_t nfields_cur;
static int stop_after; /* when > 0, the callback returns 7 on that event */

static void copy_raw(event *e, const lj_record *rec) {
    e->line = rec->line;
    size_t n = rec->raw_len < sizeof e->raw - 1 ? rec->raw_len : sizeof e->raw - 1;
    memcpy(e->raw, rec->raw, n);
    e->raw[n] = 0;
}

static int on_rec(void *ctx, const lj_record *rec, const lj_value *vals) {
    (void)ctx;
    if (nev == MAXEV)
        return 0;
    event *e = &evs[nev++];
    memset(e, 0, sizeof *e);
    copy_raw(e, rec);
    snprintf(e->dup_key, sizeof e->dup_key, "%s", rec->dup_key ? rec->dup_key : "");
    for (size_t i = 0; i < nfields_cur && i < MAXF; i++) {
        e->v[i] = vals[i];
        if (vals[i].kind == LJ_STRING) {
            size_t n = vals[i].len < 255 ? vals[i].len : 255;
            memcpy(e->s[i], vals[i].s, n);
            e->v[i].s = e->s[i];
        }
    }
    return stop_after && nev == stop_after ? 7 : 0;
}

static int on_err(void *ctx, const lj_record *rec, const char *reason) {
    (void)ctx;
    if (nev == MAXEV)
        return 0;
    event *e = &evs[nev++];
    memset(e, 0, sizeof *e);
    e->is_err = 1;
    copy_raw(e, rec);
    snprintf(e->reason, sizeof e->reason, "%s", reason);
    return stop_after && nev == stop_after ? 7 : 0;
}

/* Extracts fields from text (copied into a padded buffer); returns lj_extract's result. */
static lake_rc run_n(const char *text, size_t len, const char *const *fields, size_t nfields) {
    nev = 0;
    nfields_cur = nfields;
    lake_buf b;
    lake_buf_init(&b);
    lake_buf_append(&b, text, len);
    lj_extractor *x = lj_extractor_create(fields, nfields);
    lake_error err = {0};
    lake_rc rc = lj_extract(x, b.data ? (const char *)b.data : "", len, on_rec, on_err, NULL, &err);
    lj_extractor_free(x);
    lake_buf_free(&b);
    return rc;
}

static lake_rc run(const char *text, const char *const *fields, size_t nfields) {
    return run_n(text, strlen(text), fields, nfields);
}

static const char *const A[] = {"a"};
static const char *const AB[] = {"a", "b"};

UNIT_TEST(json_value_kinds) {
    static const char *const f[] = {"n", "t", "i", "d", "s", "arr", "obj", "none"};
    CHECK_EQ_INT(run("{\"n\":null,\"t\":true,\"i\":-42,\"d\":2.5,\"s\":\"x\",\"arr\":[1,{}],"
                     "\"obj\":{\"k\":[]},\"other\":1}",
                     f, 8),
                 LAKE_OK);
    CHECK_EQ_INT(nev, 1);
    event *e = &evs[0];
    CHECK(!e->is_err);
    CHECK_EQ_INT(e->v[0].kind, LJ_NULL);
    CHECK_EQ_INT(e->v[1].kind, LJ_BOOL);
    CHECK(e->v[1].b);
    CHECK_EQ_INT(e->v[2].kind, LJ_INT);
    CHECK_EQ_INT(e->v[2].i, -42);
    CHECK(e->v[2].d == -42.0);
    CHECK_EQ_INT(e->v[3].kind, LJ_DOUBLE);
    CHECK(e->v[3].d == 2.5);
    CHECK_EQ_INT(e->v[4].kind, LJ_STRING);
    CHECK_EQ_MEM(e->v[4].s, e->v[4].len, "x", 1);
    CHECK_EQ_INT(e->v[5].kind, LJ_ARRAY);
    CHECK_EQ_INT(e->v[6].kind, LJ_OBJECT);
    CHECK_EQ_INT(e->v[7].kind, LJ_MISSING);
    CHECK_EQ_INT(e->line, 1);
}

UNIT_TEST(json_unescape) {
    CHECK_EQ_INT(run("{\"a\":\"q\\\"s\\/b\\\\n\\n\\t\\u0041\\u00e9\\u20ac\"}", A, 1), LAKE_OK);
    CHECK_EQ_INT(nev, 1);
    CHECK_EQ_MEM(evs[0].v[0].s, evs[0].v[0].len, "q\"s/b\\n\n\tA\xC3\xA9\xE2\x82\xAC", 15);
    /* surrogate pair -> one 4-byte UTF-8 sequence */
    CHECK_EQ_INT(run("{\"a\":\"\\ud83d\\ude00\"}", A, 1), LAKE_OK);
    CHECK_EQ_MEM(evs[0].v[0].s, evs[0].v[0].len, "\xF0\x9F\x98\x80", 4);
    /* raw multi-byte UTF-8 passes through; escaped NUL is kept */
    CHECK_EQ_INT(run("{\"a\":\"\xC3\xA9t\xC3\xA9\\u0000z\"}", A, 1), LAKE_OK);
    CHECK_EQ_MEM(evs[0].v[0].s, evs[0].v[0].len, "\xC3\xA9t\xC3\xA9\0z", 7);
    /* escaped keys match requested names */
    CHECK_EQ_INT(run("{\"\\u0061\":\"k\"}", A, 1), LAKE_OK);
    CHECK_EQ_INT(evs[0].v[0].kind, LJ_STRING);
    /* SPEC example: the user agent */
    static const char *const ua[] = {"userAgent"};
    CHECK_EQ_INT(run("{\"userAgent\":\"\\\"Mozilla\\/5.0 (X11)\\\"\"}", ua, 1), LAKE_OK);
    CHECK_EQ_STR(evs[0].s[0], "\"Mozilla/5.0 (X11)\"");
}

UNIT_TEST(json_numbers_exact) {
    static const char *const f[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    CHECK_EQ_INT(run("{\"a\":152.92036,\"b\":0.1,\"c\":1e-320,\"d\":9007199254740993,"
                     "\"e\":9007199254740993.0,\"f\":1540266185796.0,\"g\":1541990258796,"
                     "\"h\":-9223372036854775808}",
                     f, 8),
                 LAKE_OK);
    CHECK_EQ_INT(nev, 1);
    event *e = &evs[0];
    CHECK(!e->is_err);
    CHECK_EQ_INT(e->v[0].kind, LJ_DOUBLE);
    CHECK(e->v[0].d == 152.92036);
    CHECK(e->v[1].d == 0.1);
    CHECK_EQ_INT(e->v[2].kind, LJ_DOUBLE);
    CHECK(e->v[2].d == 1e-320 && e->v[2].d > 0);
    CHECK_EQ_INT(e->v[3].kind, LJ_INT);
    CHECK_EQ_INT(e->v[3].i, 9007199254740993LL);
    CHECK(e->v[3].d == 9007199254740992.0); /* ties to even */
    CHECK_EQ_INT(e->v[4].kind, LJ_DOUBLE);
    CHECK(e->v[4].d == 9007199254740992.0);
    CHECK_EQ_INT(e->v[5].kind, LJ_DOUBLE);
    CHECK(e->v[5].d == 1540266185796.0);
    CHECK_EQ_INT(e->v[6].kind, LJ_INT);
    CHECK_EQ_INT(e->v[6].i, 1541990258796LL);
    CHECK_EQ_INT(e->v[7].kind, LJ_INT);
    CHECK(e->v[7].i == INT64_MIN);
}

UNIT_TEST(json_big_integers_become_doubles) {
    static const char *const f[] = {"a", "b", "c", "d"};
    CHECK_EQ_INT(run("{\"a\":9223372036854775808,\"b\":18446744073709551616,"
                     "\"c\":-9223372036854775809,\"d\":123456789012345678901234567890}",
                     f, 4),
                 LAKE_OK);
    CHECK_EQ_INT(nev, 1);
    event *e = &evs[0];
    CHECK(!e->is_err);
    CHECK_EQ_INT(e->v[0].kind, LJ_DOUBLE);
    CHECK(e->v[0].d == 9223372036854775808.0);
    CHECK_EQ_INT(e->v[1].kind, LJ_DOUBLE);
    CHECK(e->v[1].d == 18446744073709551616.0);
    CHECK_EQ_INT(e->v[2].kind, LJ_DOUBLE);
    CHECK(e->v[2].d == -9223372036854775808.0);
    CHECK_EQ_INT(e->v[3].kind, LJ_DOUBLE);
    CHECK(e->v[3].d == 123456789012345678901234567890.0);
    /* the big-number path validates the rest of the record too */
    CHECK_EQ_INT(run("{\"a\":18446744073709551616,\"b\":tru}\n{\"a\":1}", AB, 2), LAKE_OK);
    CHECK_EQ_INT(nev, 2);
    CHECK(evs[0].is_err);
    CHECK(!evs[1].is_err);
    /* a double that overflows is a bad record */
    CHECK_EQ_INT(run("{\"a\":1e400}", A, 1), LAKE_OK);
    CHECK_EQ_INT(nev, 1);
    CHECK(evs[0].is_err);
}

UNIT_TEST(json_ndjson_final_newline_or_not) {
    const char *with = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n";
    CHECK_EQ_INT(run(with, A, 1), LAKE_OK);
    CHECK_EQ_INT(nev, 3);
    CHECK_EQ_INT(evs[2].v[0].i, 3);
    CHECK_EQ_INT(evs[2].line, 3);
    CHECK_EQ_STR(evs[1].raw, "{\"a\":2}");
    CHECK_EQ_INT(run("{\"a\":1}\n{\"a\":2}\n{\"a\":3}", A, 1), LAKE_OK);
    CHECK_EQ_INT(nev, 3);
    CHECK_EQ_INT(evs[2].v[0].i, 3);
    CHECK_EQ_STR(evs[2].raw, "{\"a\":3}");
    /* blank lines and whitespace between records are skipped; line numbers count them */
    CHECK_EQ_INT(run("\n\n  {\"a\":1}\n\n\t\n{\"a\":2}  \n\n", A, 1), LAKE_OK);
    CHECK_EQ_INT(nev, 2);
    CHECK_EQ_INT(evs[0].line, 3);
    CHECK_EQ_INT(evs[1].line, 6);
}

UNIT_TEST(json_crlf) {
    CHECK_EQ_INT(run("{\"a\":1}\r\n{\"a\":\"x\"}\r\n{\"a\":3}", A, 1), LAKE_OK);
    CHECK_EQ_INT(nev, 3);
    CHECK(!evs[1].is_err);
    CHECK_EQ_INT(evs[1].line, 2);
    CHECK_EQ_STR(evs[1].raw, "{\"a\":\"x\"}");
    CHECK_EQ_INT(evs[2].line, 3);
}

UNIT_TEST(json_concatenated_and_single) {
    CHECK_EQ_INT(run("{\"a\":1}{\"a\":2} {\"a\":3}", A, 1), LAKE_OK);
    CHECK_EQ_INT(nev, 3);
    CHECK_EQ_STR(evs[1].raw, "{\"a\":2}");
    CHECK_EQ_INT(evs[2].line, 1);
    CHECK_EQ_INT(run("{\"num_songs\": 1, \"a\": \"SOUPIRU12A6D4FA1E1\", \"b\": 152.92036}", AB, 2),
                 LAKE_OK);
    CHECK_EQ_INT(nev, 1);
    CHECK_EQ_STR(evs[0].s[0], "SOUPIRU12A6D4FA1E1");
    CHECK(evs[0].v[1].d == 152.92036);
}

UNIT_TEST(json_pretty_printed_lines) {
    const char *t = "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ]\n}\n\n{\n  \"a\": 2\n}\n"
                    "{\"a\": 3}";
    CHECK_EQ_INT(run(t, AB, 2), LAKE_OK);
    CHECK_EQ_INT(nev, 3);
    CHECK_EQ_INT(evs[0].line, 1);
    CHECK_EQ_INT(evs[0].v[1].kind, LJ_ARRAY);
    CHECK_EQ_STR(evs[0].raw, "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ]\n}");
    CHECK_EQ_INT(evs[1].line, 9);
    CHECK_EQ_INT(evs[1].v[0].i, 2);
    CHECK_EQ_INT(evs[2].line, 12);
}

UNIT_TEST(json_duplicate_key_first_wins) {
    CHECK_EQ_INT(run("{\"a\":1,\"a\":2}", A, 1), LAKE_OK);
    CHECK_EQ_INT(evs[0].v[0].i, 1);
    CHECK(evs[0].v[0].dup);
    CHECK_EQ_STR(evs[0].dup_key, "a");
    /* a field requested twice is filled in both places */
    static const char *const aa[] = {"a", "b", "a"};
    CHECK_EQ_INT(run("{\"a\":5}", aa, 3), LAKE_OK);
    CHECK_EQ_INT(evs[0].v[2].kind, LJ_INT);
    CHECK_EQ_INT(evs[0].v[2].i, 5);
}

UNIT_TEST(json_bad_line_in_middle) {
    const char *t = "{\"a\":1}\n{\"a\":2}\n{\"a\": \"broken\n{\"a\":4}\n{\"a\":5,}\n{\"a\":6}\n";
    CHECK_EQ_INT(run(t, A, 1), LAKE_OK);
    CHECK_EQ_INT(nev, 6);
    CHECK(!evs[1].is_err);
    CHECK(evs[2].is_err);
    CHECK_EQ_INT(evs[2].line, 3);
    CHECK_EQ_STR(evs[2].raw, "{\"a\": \"broken");
    CHECK(strstr(evs[2].reason, "unterminated string") != NULL);
    CHECK(!evs[3].is_err);
    CHECK_EQ_INT(evs[3].line, 4);
    CHECK_EQ_INT(evs[3].v[0].i, 4);
    CHECK(evs[4].is_err);
    CHECK_EQ_INT(evs[4].line, 5);
    CHECK_EQ_STR(evs[4].raw, "{\"a\":5,}");
    CHECK(strstr(evs[4].reason, "invalid JSON") != NULL);
    CHECK(!evs[5].is_err);
    CHECK_EQ_INT(evs[5].line, 6);
}

UNIT_TEST(json_truncated_line_then_records) {
    CHECK_EQ_INT(run("{\"a\":1}\n{\"a\":2,\"b\":[1\n{\"a\":3}\n{\"a\":4", A, 1), LAKE_OK);
    CHECK_EQ_INT(nev, 4);
    CHECK(!evs[0].is_err);
    CHECK(evs[1].is_err);
    CHECK_EQ_INT(evs[1].line, 2);
    CHECK_EQ_STR(evs[1].raw, "{\"a\":2,\"b\":[1");
    CHECK(!evs[2].is_err);
    CHECK_EQ_INT(evs[2].v[0].i, 3);
    CHECK(evs[3].is_err); /* last record cut short */
    CHECK_EQ_INT(evs[3].line, 4);
    CHECK_EQ_STR(evs[3].raw, "{\"a\":4");
}

UNIT_TEST(json_invalid_utf8) {
    CHECK_EQ_INT(run("{\"a\":1}\n{\"a\":\"\xC3\x28\"}\n{\"a\":\"\xFF\"}\r\n{\"a\":4}\n", A, 1),
                 LAKE_OK);
    CHECK_EQ_INT(nev, 4);
    CHECK(evs[1].is_err);
    CHECK_EQ_INT(evs[1].line, 2);
    CHECK(strstr(evs[1].reason, "UTF-8") != NULL);
    CHECK(evs[2].is_err);
    CHECK_EQ_STR(evs[2].raw, "{\"a\":\"\xFF\"}");
    CHECK(!evs[3].is_err);
    CHECK_EQ_INT(evs[3].line, 4);
}

UNIT_TEST(json_non_object_and_garbage) {
    const char *t = "[1,2]\n\"str\"\n42\n{\"a\":1} x\nnull\n{\"a\":2}}\nhello\n{\"a\":3}";
    CHECK_EQ_INT(run(t, A, 1), LAKE_OK);
    CHECK_EQ_INT(nev, 8);
    for (int i = 0; i < 7; i++) {
        CHECK(evs[i].is_err);
        CHECK_EQ_INT(evs[i].line, (size_t)i + 1);
    }
    CHECK(strstr(evs[0].reason, "not an object") != NULL);
    CHECK(strstr(evs[1].reason, "not a JSON object") != NULL);
    CHECK_EQ_STR(evs[0].raw, "[1,2]");
    CHECK_EQ_STR(evs[3].raw, "{\"a\":1} x"); /* trailing garbage costs the whole line */
    CHECK_EQ_STR(evs[5].raw, "{\"a\":2}}");
    CHECK(!evs[7].is_err);
    CHECK_EQ_INT(evs[7].line, 8);
}

UNIT_TEST(json_empty_and_blank) {
    CHECK_EQ_INT(run("", A, 1), LAKE_OK);
    CHECK_EQ_INT(nev, 0);
    CHECK_EQ_INT(run(" \n\r\n\t ", A, 1), LAKE_OK);
    CHECK_EQ_INT(nev, 0);
    CHECK_EQ_INT(run("\xEF\xBB\xBF{\"a\":1}", A, 1), LAKE_OK); /* byte order mark */
    CHECK_EQ_INT(nev, 1);
    CHECK(!evs[0].is_err);
}

UNIT_TEST(json_embedded_nul_is_bad) {
    CHECK_EQ_INT(run_n("{\"a\":1}\n\0\n{\"a\":2}", 17, A, 1), LAKE_OK);
    CHECK_EQ_INT(nev, 3);
    CHECK(evs[1].is_err);
    CHECK_EQ_INT(evs[1].line, 2);
    CHECK(!evs[2].is_err);
}

UNIT_TEST(json_callback_stops) {
    stop_after = 2;
    lake_rc rc = run("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n", A, 1);
    stop_after = 0;
    CHECK_EQ_INT(rc, 7);
    CHECK_EQ_INT(nev, 2);
    stop_after = 1;
    rc = run("x\n{\"a\":2}\n", A, 1);
    stop_after = 0;
    CHECK_EQ_INT(rc, 7);
    CHECK_EQ_INT(nev, 1);
}

UNIT_TEST(json_no_error_callback_fails_with_detail) {
    lj_extractor *x = lj_extractor_create(A, 1);
    lake_buf b;
    lake_buf_init(&b);
    lake_buf_puts(&b, "{\"a\":1}\n{oops}\n");
    lake_error err = {0};
    lake_rc rc = lj_extract(x, (const char *)b.data, b.len, NULL, NULL, NULL, &err);
    CHECK_EQ_INT(rc, LAKE_ERR_PARSE);
    CHECK(strstr(err.msg, "line 2") != NULL);
    lj_extractor_free(x);
    lake_buf_free(&b);
    CHECK(lj_extractor_create(NULL, 0) == NULL);
}

struct count_state {
    int next, good, bad, order_ok;
};

static int count_rec(void *ctx, const lj_record *rec, const lj_value *vals) {
    struct count_state *st = ctx;
    if (vals[0].kind != LJ_INT || vals[0].i != st->next || rec->line != (size_t)st->next)
        st->order_ok = 0;
    st->next++;
    st->good++;
    return 0;
}

static int count_err(void *ctx, const lj_record *rec, const char *reason) {
    struct count_state *st = ctx;
    (void)reason;
    if (rec->line != (size_t)st->next)
        st->order_ok = 0;
    st->next++;
    st->bad++;
    return 0;
}

/* Many records spanning several stream batches, with bad lines sprinkled in: every good record is
 * delivered once, in order, with the right line number. */
UNIT_TEST(json_large_mixed_stream) {
    lake_buf in;
    lake_buf_init(&in);
    const int n = 40000;
    for (int i = 1; i <= n; i++) {
        if (i % 997 == 0)
            lake_buf_printf(&in, "{\"a\":%d,\"b\":\"bad\xFF\"}\n", i);
        else if (i % 1499 == 0)
            lake_buf_printf(&in, "{\"a\":%d,\"b\":\n", i);
        else
            lake_buf_printf(&in, "{\"b\":\"pad-%064d\",\"a\":%d}\n", i, i);
    }
    lj_extractor *x = lj_extractor_create(A, 1);
    struct count_state st = {1, 0, 0, 1};
    lake_error err = {0};
    lake_rc rc = lj_extract(x, (const char *)in.data, in.len, count_rec, count_err, &st, &err);
    CHECK_EQ_INT(rc, LAKE_OK);
    CHECK(st.order_ok);
    CHECK_EQ_INT(st.good + st.bad, n);
    CHECK_EQ_INT(st.bad, n / 997 + n / 1499);
    lj_extractor_free(x);
    lake_buf_free(&in);
}

/* Issue 18, defect 8: a repeated key among the requested fields is reported on the record and on
 * the field, on every path (one record, a stream, the number walker); other repeats are not. */
UNIT_TEST(json_duplicate_keys_reported) {
    CHECK_EQ_INT(run("{\"a\":1,\"b\":2,\"c\":3,\"c\":4}", AB, 2), LAKE_OK);
    CHECK_EQ_STR(evs[0].dup_key, ""); /* c is not requested */
    CHECK(!evs[0].v[0].dup && !evs[0].v[1].dup);
    const char *t = "{\"a\":1}\n{\"b\":1,\"a\":\"x\",\"b\":null,\"a\":2}\n{\"a\":3,\"b\":4}\n"
                    "{\"a\":123456789012345678901234567890,\"b\":1,\"b\":2}\n{\"a\":5}\n";
    CHECK_EQ_INT(run(t, AB, 2), LAKE_OK);
    CHECK_EQ_INT(nev, 5);
    CHECK_EQ_STR(evs[0].dup_key, "");
    CHECK_EQ_STR(evs[1].dup_key, "b"); /* the first key seen again */
    CHECK(evs[1].v[0].dup && evs[1].v[1].dup);
    CHECK_EQ_INT(evs[1].v[1].kind, LJ_INT); /* the first value stays */
    CHECK_EQ_STR(evs[2].dup_key, "");       /* nothing carries over from the record before */
    CHECK(!evs[2].v[0].dup && !evs[2].v[1].dup);
    CHECK(!evs[3].is_err);
    CHECK_EQ_INT(evs[3].v[0].kind, LJ_DOUBLE); /* read by the walker */
    CHECK_EQ_STR(evs[3].dup_key, "b");
    CHECK(!evs[3].v[0].dup && evs[3].v[1].dup);
    CHECK_EQ_STR(evs[4].dup_key, "");
    /* keys of nested objects are not top-level fields */
    CHECK_EQ_INT(run("{\"a\":{\"a\":1,\"a\":2},\"b\":[{\"b\":1},{\"b\":2}]}", AB, 2), LAKE_OK);
    CHECK_EQ_STR(evs[0].dup_key, "");
}

/* A lone surrogate makes the record bad wherever it is (read or not), and the reason names the
 * escape and the key. */
UNIT_TEST(json_lone_surrogate_names_the_key) {
    const char *t =
        "{\"a\":\"ok\"}\n{\"a\":\"x\",\"firstName\":\"Bad\\ud800\"}\n"
        "{\"a\":\"\\udc00\"}\n{\"z\":{\"k\":\"\\ud800\\u0041\"}}\n{\"a\":\"\\ud83d\\ude00\"}\n"
        "{\"a\\ud800\":1}\n{\"a\":\"\\q\"}\n";
    CHECK_EQ_INT(run(t, A, 1), LAKE_OK);
    CHECK_EQ_INT(nev, 7);
    CHECK(!evs[0].is_err);
    CHECK(evs[1].is_err);
    CHECK_EQ_STR(evs[1].reason, "invalid JSON: lone surrogate \\ud800 in the value of 'firstName'");
    CHECK(evs[2].is_err);
    CHECK_EQ_STR(evs[2].reason, "invalid JSON: lone surrogate \\udc00 in the value of 'a'");
    CHECK(evs[3].is_err);
    CHECK_EQ_STR(evs[3].reason, "invalid JSON: lone surrogate \\ud800 in the value of 'k'");
    CHECK(!evs[4].is_err);
    CHECK_EQ_MEM(evs[4].v[0].s, evs[4].v[0].len, "\xF0\x9F\x98\x80", 4);
    CHECK(evs[5].is_err);
    CHECK_EQ_STR(evs[5].reason, "invalid JSON: lone surrogate \\ud800 in a key");
    CHECK(evs[6].is_err);
    CHECK_EQ_STR(evs[6].reason, "invalid JSON: bad escape \\q in the value of 'a'");
    /* one record alone (the single-document path) */
    CHECK_EQ_INT(run("{\"a\":\"\\ud800\"}", A, 1), LAKE_OK);
    CHECK(evs[0].is_err);
    CHECK_EQ_STR(evs[0].reason, "invalid JSON: lone surrogate \\ud800 in the value of 'a'");
}
