/* lake_error messages (base/error.c): printf formatting, and messages too long for lake_error.msg
 * keep their literal text and their end (the reason) while long values are cut in the middle. */
#include "lake/common.h"
#include "unit.h"

#include <stdlib.h>

static char *repeat(char c, size_t n) {
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static bool valid_utf8(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : 3;
        if (*p >= 0x80 && (*p & 0xC0) == 0x80)
            return false;
        for (p++; n > 0; n--, p++)
            if ((*p & 0xC0) != 0x80)
                return false;
    }
    return true;
}

UNIT_TEST(error_short_messages_as_printf) {
    lake_error e = {0};
    char want[256];
    CHECK_EQ_INT(lake_error_set(
                     &e, LAKE_ERR_IO, "a %s b %zu %d %lld %llu %u %ld %02x %08x %03u %% %c", "str",
                     (size_t)7, -3, -9000000000LL, 18000000000ULL, 4u, -5L, 10, 0xbeefu, 7u, 'z'),
                 LAKE_ERR_IO);
    snprintf(want, sizeof want, "a %s b %zu %d %lld %llu %u %ld %02x %08x %03u %% %c", "str",
             (size_t)7, -3, -9000000000LL, 18000000000ULL, 4u, -5L, 10, 0xbeefu, 7u, 'z');
    CHECK_EQ_STR(e.msg, want);
    CHECK_EQ_INT(e.rc, LAKE_ERR_IO);
    lake_error_set(&e, LAKE_ERR_IO, "[%.*s] [%-6s] [%6.2f] [%*d] [%.*s]", 3, "abcdef", "ab",
                   3.14159, 5, 42, -1, "whole");
    CHECK_EQ_STR(e.msg, "[abc] [ab    ] [  3.14] [   42] [whole]");
    lake_error_prefix(&e, "ctx %s: ", "x");
    CHECK_EQ_STR(e.msg, "ctx x: [abc] [ab    ] [  3.14] [   42] [whole]");
    /* the message itself may be an argument */
    lake_error_set(&e, LAKE_ERR_PARSE, "again: %s", e.msg);
    CHECK_EQ_STR(e.msg, "again: ctx x: [abc] [ab    ] [  3.14] [   42] [whole]");
    CHECK_EQ_INT(lake_error_set(NULL, LAKE_ERR_LIMIT, "x"), LAKE_ERR_LIMIT);
}

/* The defect: a 5,000-byte partition value in a path hid "File name too long". */
UNIT_TEST(error_long_value_keeps_reason) {
    lake_error e = {0};
    char *id = repeat('A', 5000);
    char *path =
        lake_xasprintf("_temporary/run/songs/year=2000/artist_id=%s/part-00000.parquet", id);
    lake_error_set(&e, LAKE_ERR_IO, "writing %s: %s", path, "File name too long");
    CHECK(strlen(e.msg) <= sizeof e.msg - 1);
    CHECK(strlen(e.msg) > sizeof e.msg - 40); /* the room is used, not wasted */
    CHECK(!strncmp(e.msg, "writing _temporary/run/songs/year=2000/artist_id=AAAA", 53));
    CHECK(ends_with(e.msg, "AAAA/part-00000.parquet: File name too long"));
    CHECK(strstr(e.msg, "bytes...]") != NULL);
    /* context prepended to a full message: both ends stay */
    lake_error_prefix(&e, "table %s: ", "songs");
    CHECK(strlen(e.msg) <= sizeof e.msg - 1);
    CHECK(!strncmp(e.msg, "table songs: writing _temporary/", 32));
    CHECK(ends_with(e.msg, ": File name too long"));
    /* a long context value and a long old message are both shortened */
    lake_error_set(&e, LAKE_ERR_IO, "GET %s: %s", path, "connection reset");
    lake_error_prefix(&e, "reading %s (attempt %d): ", path, 3);
    CHECK(strlen(e.msg) <= sizeof e.msg - 1);
    CHECK(!strncmp(e.msg, "reading _temporary/", 19));
    CHECK(strstr(e.msg, "(attempt 3): GET _temporary/") != NULL);
    CHECK(ends_with(e.msg, ": connection reset"));
    free(path);
    free(id);
}

UNIT_TEST(error_cut_on_character_boundaries) {
    lake_error e = {0};
    lake_buf b;
    lake_buf_init(&b);
    for (int i = 0; i < 1500; i++)
        lake_buf_puts(&b, i % 3 ? "\xc3\xa9" : "\xe2\x82\xac"); /* 2- and 3-byte characters */
    lake_buf_putc(&b, 0);
    lake_error_set(&e, LAKE_ERR_IO, "key %s: %s", (const char *)b.data, "no such key");
    CHECK(strlen(e.msg) <= sizeof e.msg - 1);
    CHECK(valid_utf8(e.msg));
    CHECK(ends_with(e.msg, ": no such key"));
    lake_buf_free(&b);
    /* literal text longer than the message: the middle of the whole goes, the end stays */
    char *xs = repeat('x', 2000);
    char *fmt = lake_xasprintf("%s %%s: reason", xs);
    lake_error_set(&e, LAKE_ERR_IO, fmt, "v");
    CHECK(strlen(e.msg) <= sizeof e.msg - 1);
    CHECK(ends_with(e.msg, "x v: reason"));
    free(fmt);
    free(xs);
}
