/* Unit tests of JSON text emitting (json/emit.h): every escaping choice, invalid UTF-8 under both
 * policies, and the integer and double texts. */
#include "unit.h"

#include "json/emit.h"

#include <float.h>
#include <stdlib.h>

/* The quoted literal for s[0..n) under flags, NUL-terminated; the caller frees it. */
static char *lit(const char *s, size_t n, unsigned flags) {
    lake_buf b;
    lake_buf_init(&b);
    lj_emit_string(&b, s, n, flags);
    char *r = lake_xstrndup((const char *)b.data, b.len);
    lake_buf_free(&b);
    return r;
}

#define CHECK_LIT(s, flags, want)                                                                  \
    do {                                                                                           \
        char *got_ = lit((s), sizeof(s) - 1, (flags));                                             \
        CHECK_EQ_STR(got_, (want));                                                                \
        free(got_);                                                                                \
    } while (0)

UNIT_TEST(json_emit_plain_escapes) {
    CHECK_LIT("", 0, "\"\"");
    CHECK_LIT("abc/def", 0, "\"abc/def\"");
    CHECK_LIT("a\"b\\c", 0, "\"a\\\"b\\\\c\"");
    /* Without flags every control character takes \u00xx; DEL stays. */
    CHECK_LIT("\n\t\r\x01\x1f\x7f", 0, "\"\\u000a\\u0009\\u000d\\u0001\\u001f\x7f\"");
    /* NUL bytes are data too. */
    CHECK_LIT("a\0b", 0, "\"a\\u0000b\"");
}

UNIT_TEST(json_emit_flags) {
    CHECK_LIT("\n\t\r", LJ_EMIT_NL_TAB, "\"\\n\\t\\u000d\"");
    CHECK_LIT("\n\t\r", LJ_EMIT_NL_TAB | LJ_EMIT_CR, "\"\\n\\t\\r\"");
    CHECK_LIT("\r", LJ_EMIT_CR, "\"\\r\"");
    CHECK_LIT("x\x7fy", LJ_EMIT_DEL, "\"x\\u007fy\"");
    CHECK_LIT("\x1b\x7f", LJ_EMIT_DEL | LJ_EMIT_UPPER, "\"\\u001B\\u007F\"");
    CHECK_LIT("\xc3\xa9\xf0\x9f\x8e\x89", LJ_EMIT_UPPER, "\"\xc3\xa9\xf0\x9f\x8e\x89\"");
}

UNIT_TEST(json_emit_invalid_utf8_replaced) {
    /* Valid multi-byte sequences are copied; each bad byte becomes U+FFFD. */
    CHECK_LIT("\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\x89", 0,
              "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\x89\"");
    CHECK_LIT("a\xff"
              "b",
              0,
              "\"a\xef\xbf\xbd"
              "b\"");
    CHECK_LIT("\xc0\xaf", 0, "\"\xef\xbf\xbd\xef\xbf\xbd\"");                 /* overlong '/' */
    CHECK_LIT("\xed\xa0\x80", 0, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""); /* surrogate */
    CHECK_LIT("\xf4\x90\x80\x80", 0,
              "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""); /* past U+10FFFF */
    CHECK_LIT("x\xe2\x82", 0, "\"x\xef\xbf\xbd\xef\xbf\xbd\"");        /* cut short */
    CHECK_LIT("bad\xff\x01\"\\", 0, "\"bad\xef\xbf\xbd\\u0001\\\"\\\\\"");
}

UNIT_TEST(json_emit_invalid_utf8_as_latin1) {
    /* Valid UTF-8 is copied even under LJ_EMIT_LATIN1 ... */
    CHECK_LIT("\xc3\xa9", LJ_EMIT_LATIN1, "\"\xc3\xa9\"");
    /* ... but one bad byte turns every byte >= 0x80 of the string into \u00xx. */
    CHECK_LIT("\xc3\xa9\xff", LJ_EMIT_LATIN1, "\"\\u00c3\\u00a9\\u00ff\"");
    CHECK_LIT("\xc3\xa9\xff", LJ_EMIT_LATIN1 | LJ_EMIT_UPPER, "\"\\u00C3\\u00A9\\u00FF\"");
    CHECK_LIT("a\n\xff", LJ_EMIT_LATIN1 | LJ_EMIT_NL_TAB, "\"a\\n\\u00ff\"");
}

UNIT_TEST(json_emit_escaped_has_no_quotes) {
    lake_buf b;
    lake_buf_init(&b);
    lj_emit_escaped(&b, "a\"b", 3, 0);
    lj_emit_escaped(&b, "", 0, 0);
    lj_emit_escaped(&b, "\t", 1, LJ_EMIT_NL_TAB);
    CHECK_EQ_MEM(b.data, b.len, "a\\\"b\\t", 6);
    lake_buf_free(&b);
}

static char *num_text(int kind, int64_t i, uint64_t u, double d) {
    lake_buf b;
    lake_buf_init(&b);
    if (kind == 0)
        lj_emit_i64(&b, i);
    else if (kind == 1)
        lj_emit_u64(&b, u);
    else
        lj_emit_double(&b, d);
    char *r = lake_xstrndup((const char *)b.data, b.len);
    lake_buf_free(&b);
    return r;
}

UNIT_TEST(json_emit_integers) {
    const int64_t iv[] = {0, 7, -1, 1234567890123, INT64_MAX, INT64_MIN};
    const char *iw[] = {
        "0", "7", "-1", "1234567890123", "9223372036854775807", "-9223372036854775808"};
    for (size_t k = 0; k < sizeof iv / sizeof iv[0]; k++) {
        char *s = num_text(0, iv[k], 0, 0);
        CHECK_EQ_STR(s, iw[k]);
        free(s);
    }
    char *s = num_text(1, 0, UINT64_MAX, 0);
    CHECK_EQ_STR(s, "18446744073709551615");
    free(s);
    s = num_text(1, 0, 0, 0);
    CHECK_EQ_STR(s, "0");
    free(s);
}

UNIT_TEST(json_emit_doubles_shortest) {
    const double dv[] = {0.1, 152.92036, 1e300, -0.0, 0.1 + 0.2, DBL_MAX, 1.0 / 3};
    const char *dw[] = {"0.1",
                        "152.92036",
                        "1e+300",
                        "-0",
                        "0.30000000000000004",
                        "1.7976931348623157e+308",
                        "0.3333333333333333"};
    for (size_t k = 0; k < sizeof dv / sizeof dv[0]; k++) {
        char *s = num_text(2, 0, 0, dv[k]);
        CHECK_EQ_STR(s, dw[k]);
        CHECK(strtod(s, NULL) == dv[k]);
        free(s);
    }
    /* Not JSON, by contract: the caller decides how to write these. */
    char *s = num_text(2, 0, 0, INFINITY);
    CHECK_EQ_STR(s, "inf");
    free(s);
}
