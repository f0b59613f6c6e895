/* JSON strings and numbers as text: see json/emit.h. */
#include "json/emit.h"

#include <stdio.h>
#include <stdlib.h>

/* Length of the valid UTF-8 sequence at s[0..n) (1-4), or 0 when the bytes there are not valid
 * UTF-8 (a bad lead byte, a missing continuation, an overlong form, a surrogate, past U+10FFFF). */
static size_t utf8_seq(const uint8_t *s, size_t n) {
    uint8_t c = s[0];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!len || len > n)
        return 0;
    uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

static bool utf8_valid(const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n;) {
        size_t len = s[i] < 0x80 ? 1 : utf8_seq(s + i, n - i);
        if (!len)
            return false;
        i += len;
    }
    return true;
}

/* Length of the run at s[0..n) that is copied as it is. */
static size_t plain_run(const uint8_t *s, size_t n, unsigned flags, bool latin1) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            i++;
        } else if (c == 0x7f && !(flags & LJ_EMIT_DEL)) {
            i++;
        } else if (c >= 0x80 && !latin1) {
            size_t len = utf8_seq(s + i, n - i);
            if (!len)
                break;
            i += len;
        } else {
            break;
        }
    }
    return i;
}

/* Appends the escape for byte c, which plain_run stopped at. */
static void escape_byte(lake_buf *b, uint8_t c, unsigned flags) {
    const char *hex = (flags & LJ_EMIT_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
    if (c == '"' || c == '\\') {
        char t[2] = {'\\', (char)c};
        lake_buf_append(b, t, 2);
    } else if (c == '\n' && (flags & LJ_EMIT_NL_TAB)) {
        lake_buf_append(b, "\\n", 2);
    } else if (c == '\t' && (flags & LJ_EMIT_NL_TAB)) {
        lake_buf_append(b, "\\t", 2);
    } else if (c == '\r' && (flags & LJ_EMIT_CR)) {
        lake_buf_append(b, "\\r", 2);
    } else {
        char t[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        lake_buf_append(b, t, 6);
    }
}

void lj_emit_escaped(lake_buf *b, const void *p, size_t n, unsigned flags) {
    const uint8_t *s = p;
    bool latin1 = (flags & LJ_EMIT_LATIN1) && !utf8_valid(s, n);
    size_t i = 0;
    while (i < n) {
        size_t run = plain_run(s + i, n - i, flags, latin1);
        lake_buf_append(b, s + i, run);
        i += run;
        if (i == n)
            break;
        if (s[i] >= 0x80 && !latin1)
            lake_buf_append(b, "\xef\xbf\xbd", 3); /* U+FFFD for a byte that is not UTF-8 */
        else
            escape_byte(b, s[i], flags);
        i++;
    }
}

void lj_emit_string(lake_buf *b, const void *s, size_t n, unsigned flags) {
    lake_buf_putc(b, '"');
    lj_emit_escaped(b, s, n, flags);
    lake_buf_putc(b, '"');
}

void lj_emit_u64(lake_buf *b, uint64_t v) {
    char t[24];
    int i = 24;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    lake_buf_append(b, t + i, (size_t)(24 - i));
}

void lj_emit_i64(lake_buf *b, int64_t v) {
    if (v < 0) {
        lake_buf_putc(b, '-');
        lj_emit_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        lj_emit_u64(b, (uint64_t)v);
    }
}

void lj_emit_double(lake_buf *b, double d) {
    char t[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, d);
        if (prec == 17 || strtod(t, NULL) == d)
            break;
    }
    lake_buf_puts(b, t);
}
