/* The generator's JSON spellings: see gen/gen_emit.h. */
#include "gen/gen_emit.h"

#include "json/emit.h"

#include <string.h>

static void put_u16_escape(lake_buf *b, unsigned v, bool upper) {
    const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char t[6] = {'\\',       'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15],
                 hex[v & 15]};
    lake_buf_append(b, t, 6);
}

/* Decodes one UTF-8 sequence at s (the generator only feeds valid UTF-8); returns its length. */
static size_t utf8_decode(const unsigned char *s, unsigned *cp) {
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0) {
        *cp = ((unsigned)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if ((s[0] & 0xF0) == 0xE0) {
        *cp = ((unsigned)(s[0] & 0x0F) << 12) | ((unsigned)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return 3;
    }
    *cp = ((unsigned)(s[0] & 0x07) << 18) | ((unsigned)(s[1] & 0x3F) << 12) |
          ((unsigned)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    return 4;
}

/* Appends the character at s as \uXXXX (a surrogate pair above U+FFFF); returns its length. */
static size_t put_unicode_escape(lake_buf *b, const char *s, bool upper) {
    unsigned cp;
    size_t len = utf8_decode((const unsigned char *)s, &cp);
    if (cp >= 0x10000) {
        cp -= 0x10000;
        put_u16_escape(b, 0xD800 + (cp >> 10), upper);
        put_u16_escape(b, 0xDC00 + (cp & 0x3FF), upper);
    } else {
        put_u16_escape(b, cp, upper);
    }
    return len;
}

/* Length of the run at s that the generator leaves to lj_emit_escaped. */
static size_t plain_len(const char *s, int flags) {
    size_t i = 0;
    for (; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c == '/' && (flags & GEN_ESC_SLASH)) || (c >= 0x80 && (flags & GEN_ESC_UNICODE)))
            break;
    }
    return i;
}

void gen_put_str(lake_buf *b, const char *s, int flags) {
    if (!s) {
        lake_buf_append(b, "null", 4);
        return;
    }
    bool upper = flags & GEN_ESC_UPPER;
    unsigned lj = LJ_EMIT_NL_TAB | LJ_EMIT_CR | (upper ? LJ_EMIT_UPPER : 0) |
                  ((flags & GEN_ESC_UNICODE) ? LJ_EMIT_DEL : 0);
    lake_buf_putc(b, '"');
    for (;;) {
        size_t run = plain_len(s, flags);
        lj_emit_escaped(b, s, run, lj);
        s += run;
        if (!*s)
            break;
        if (*s == '/') {
            lake_buf_append(b, "\\/", 2);
            s++;
        } else {
            s += put_unicode_escape(b, s, upper);
        }
    }
    lake_buf_putc(b, '"');
}

void gen_put_fixed5(lake_buf *b, int64_t v) {
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (v < 0)
        lake_buf_putc(b, '-');
    lj_emit_u64(b, a / 100000);
    char f[6];
    uint64_t frac = a % 100000;
    for (int i = 4; i >= 0; i--) {
        f[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    int n = 5;
    while (n > 1 && f[n - 1] == '0')
        n--;
    lake_buf_putc(b, '.');
    lake_buf_append(b, f, (size_t)n);
}
