#include "gen/gen_emit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gen_rng_seed(gen_rng *r, uint64_t seed, uint64_t stream) {
    r->s = seed ^ (stream * 0xD1B54A32D192ED03ull);
    /* Mix once so that nearby seeds give unrelated streams. */
    (void)gen_rng_next(r);
}

uint64_t gen_rng_next(gen_rng *r) {
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t gen_rng_below(gen_rng *r, uint64_t n) {
    /* Multiply-shift: the tiny bias is irrelevant for test data and it is fast. */
    return (uint64_t)(((unsigned __int128)gen_rng_next(r) * n) >> 64);
}

bool gen_rng_permille(gen_rng *r, unsigned pct) {
    return gen_rng_below(r, 1000) < pct;
}

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";

static void put_u16_escape(lake_buf *b, unsigned v, const char *hex) {
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

void gen_put_str(lake_buf *b, const char *s, int flags) {
    if (!s) {
        lake_buf_append(b, "null", 4);
        return;
    }
    const char *hex = (flags & GEN_ESC_UPPER) ? hex_upper : hex_lower;
    const unsigned char *p = (const unsigned char *)s;
    lake_buf_putc(b, '"');
    while (*p) {
        /* Copy the longest run that needs no escaping in one go. */
        const unsigned char *q = p;
        while (*q >= 0x20 && *q != '"' && *q != '\\' && *q != 0x7F &&
               !(*q == '/' && (flags & GEN_ESC_SLASH)) &&
               !(*q >= 0x80 && (flags & GEN_ESC_UNICODE)))
            q++;
        if (q > p) {
            lake_buf_append(b, p, (size_t)(q - p));
            p = q;
            continue;
        }
        unsigned c = *p;
        switch (c) {
        case '"':
            lake_buf_append(b, "\\\"", 2);
            p++;
            continue;
        case '\\':
            lake_buf_append(b, "\\\\", 2);
            p++;
            continue;
        case '/':
            lake_buf_append(b, "\\/", 2);
            p++;
            continue;
        case '\n':
            lake_buf_append(b, "\\n", 2);
            p++;
            continue;
        case '\t':
            lake_buf_append(b, "\\t", 2);
            p++;
            continue;
        case '\r':
            lake_buf_append(b, "\\r", 2);
            p++;
            continue;
        default:
            break;
        }
        if (c < 0x80) { /* other control characters and DEL */
            if (c == 0x7F && !(flags & GEN_ESC_UNICODE))
                lake_buf_putc(b, 0x7F);
            else
                put_u16_escape(b, c, hex);
            p++;
            continue;
        }
        unsigned cp;
        p += utf8_decode(p, &cp);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put_u16_escape(b, 0xD800 + (cp >> 10), hex);
            put_u16_escape(b, 0xDC00 + (cp & 0x3FF), hex);
        } else {
            put_u16_escape(b, cp, hex);
        }
    }
    lake_buf_putc(b, '"');
}

void gen_put_u64(lake_buf *b, uint64_t v) {
    char t[24];
    int i = 24;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    lake_buf_append(b, t + i, (size_t)(24 - i));
}

void gen_put_i64(lake_buf *b, int64_t v) {
    if (v < 0) {
        lake_buf_putc(b, '-');
        gen_put_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        gen_put_u64(b, (uint64_t)v);
    }
}

void gen_put_fixed5(lake_buf *b, int64_t v) {
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (v < 0)
        lake_buf_putc(b, '-');
    gen_put_u64(b, a / 100000);
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

void gen_put_double(lake_buf *b, double d) {
    char t[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, d);
        if (prec == 17 || strtod(t, NULL) == d)
            break;
    }
    lake_buf_puts(b, t);
}
