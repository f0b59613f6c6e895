/* The one error convention: lake_rc codes plus a message in lake_error. */
#include "lake/common.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *lake_strerror(lake_rc rc) {
    switch (rc) {
    case LAKE_OK:
        return "success";
    case LAKE_ERR_IO:
        return "input/output error";
    case LAKE_ERR_NOT_FOUND:
        return "not found";
    case LAKE_ERR_PARSE:
        return "malformed input";
    case LAKE_ERR_INVALID_ARG:
        return "invalid argument";
    case LAKE_ERR_BAD_RECORDS:
        return "too many bad records";
    case LAKE_ERR_UNSUPPORTED:
        return "not supported";
    case LAKE_ERR_CODEC:
        return "compression error";
    case LAKE_ERR_LIMIT:
        return "size limit exceeded";
    case LAKE_ERR_NETWORK:
        return "network error";
    case LAKE_ERR_AUTH:
        return "access denied";
    case LAKE_ERR_INTERNAL:
        return "internal error";
    case LAKE_ERR_LOCKED:
        return "locked by another run";
    }
    return "unknown error";
}

/* ---- messages that keep their reason when cut ----
 * A message is rendered piece by piece: the format's literal text and each conversion. When the
 * whole does not fit lake_error.msg, the %s values (keys, paths, upstream messages) are shortened
 * in their middle, the longest first, down to a common length that makes the message fit; the
 * literal text, numbers and the end of every value stay. The end of a message is where its reason
 * is ("...: File name too long"), so the reason shows however long the key before it. */

#define CUT_MIN 48 /* a shortened value keeps at least this many bytes, marker included */

typedef struct {
    size_t off, len;
    bool cuttable;
} msg_piece;

typedef struct {
    lake_buf text;
    msg_piece *v;
    size_t n, cap;
} msg_pieces;

static void pieces_free(msg_pieces *p) {
    lake_buf_free(&p->text);
    free(p->v);
}

/* Appends the text added to p->text since off as one piece. */
static void piece_end(msg_pieces *p, size_t off, bool cuttable) {
    if (p->text.len == off)
        return;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->v = lake_xrealloc(p->v, p->cap * sizeof *p->v);
    }
    p->v[p->n++] = (msg_piece){off, p->text.len - off, cuttable};
}

static void piece_add(msg_pieces *p, const char *s, size_t n, bool cuttable) {
    size_t off = p->text.len;
    lake_buf_append(&p->text, s, n);
    piece_end(p, off, cuttable);
}

/* Renders one conversion spec (complete, '*' already resolved) taking its argument from ap.
 * Returns false for a conversion this walker does not know (the caller then falls back to
 * vsnprintf). */
static bool render_conv(msg_pieces *p, const char *spec, const char *len, char conv, va_list *ap) {
    lake_buf *b = &p->text;
    size_t off = b->len;
    switch (conv) {
    case 'd':
    case 'i':
        if (!strcmp(len, "l"))
            lake_buf_printf(b, spec, va_arg(*ap, long));
        else if (!strcmp(len, "ll"))
            lake_buf_printf(b, spec, va_arg(*ap, long long));
        else if (!strcmp(len, "z"))
            lake_buf_printf(b, spec, va_arg(*ap, ptrdiff_t)); /* ssize_t's size */
        else if (!strcmp(len, "j"))
            lake_buf_printf(b, spec, va_arg(*ap, intmax_t));
        else if (!strcmp(len, "t"))
            lake_buf_printf(b, spec, va_arg(*ap, ptrdiff_t));
        else if (!len[0] || !strcmp(len, "h") || !strcmp(len, "hh"))
            lake_buf_printf(b, spec, va_arg(*ap, int));
        else
            return false;
        break;
    case 'u':
    case 'x':
    case 'X':
    case 'o':
        if (!strcmp(len, "l"))
            lake_buf_printf(b, spec, va_arg(*ap, unsigned long));
        else if (!strcmp(len, "ll"))
            lake_buf_printf(b, spec, va_arg(*ap, unsigned long long));
        else if (!strcmp(len, "z"))
            lake_buf_printf(b, spec, va_arg(*ap, size_t));
        else if (!strcmp(len, "j"))
            lake_buf_printf(b, spec, va_arg(*ap, uintmax_t));
        else if (!strcmp(len, "t"))
            lake_buf_printf(b, spec, va_arg(*ap, ptrdiff_t));
        else if (!len[0] || !strcmp(len, "h") || !strcmp(len, "hh"))
            lake_buf_printf(b, spec, va_arg(*ap, unsigned));
        else
            return false;
        break;
    case 'c':
        if (len[0])
            return false;
        lake_buf_printf(b, spec, va_arg(*ap, int));
        break;
    case 's':
        if (len[0])
            return false;
        lake_buf_printf(b, spec, va_arg(*ap, const char *));
        piece_end(p, off, true);
        return true;
    case 'p':
        lake_buf_printf(b, spec, va_arg(*ap, void *));
        break;
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
    case 'a':
    case 'A':
        if (!strcmp(len, "L"))
            lake_buf_printf(b, spec, va_arg(*ap, long double));
        else if (!len[0] || !strcmp(len, "l"))
            lake_buf_printf(b, spec, va_arg(*ap, double));
        else
            return false;
        break;
    default:
        return false;
    }
    piece_end(p, off, false);
    return true;
}

/* Splits the message fmt/ap would print into pieces; false when fmt uses a conversion the walker
 * does not know (p then holds a part of it only). */
static bool render(msg_pieces *p, const char *fmt, va_list *ap) {
    const char *s = fmt;
    while (*s) {
        const char *pct = strchr(s, '%');
        size_t lit = pct ? (size_t)(pct - s) : strlen(s);
        piece_add(p, s, lit, false);
        if (!pct)
            break;
        s = pct + 1;
        if (*s == '%') {
            piece_add(p, "%", 1, false);
            s++;
            continue;
        }
        char spec[64], len[3] = "";
        size_t k = 0;
        spec[k++] = '%';
        while (*s && strchr("-+ #0", *s) && k < 8)
            spec[k++] = *s++;
        for (int part = 0; part < 2; part++) { /* width, then precision */
            if (part == 1) {
                if (*s != '.')
                    break;
                spec[k++] = *s++;
            }
            if (*s == '*') {
                int v = va_arg(*ap, int);
                if (part == 1 && v < 0)
                    k--; /* a negative precision is no precision */
                else
                    k += (size_t)snprintf(spec + k, 16, "%d", v);
                s++;
            } else {
                for (int d = 0; *s >= '0' && *s <= '9'; d++, s++)
                    if (d < 9)
                        spec[k++] = *s;
            }
        }
        for (size_t l = 0; l < 2 && *s && strchr("hlzjtL", *s); l++) {
            if (l == 1 && *s != s[-1])
                break; /* only hh and ll are two letters */
            len[l] = *s;
            spec[k++] = *s++;
        }
        if (!*s)
            return false;
        char conv = *s++;
        spec[k++] = conv;
        spec[k] = '\0';
        if (!render_conv(p, spec, len, conv, ap))
            return false;
    }
    return true;
}

/* Writes s[0..n) shortened in its middle to at most max bytes (max >= a marker's length):
 * its first third and last two thirds around "[...N bytes...]", cut on UTF-8 character
 * boundaries. Returns the bytes written. */
static size_t shorten(const char *s, size_t n, size_t max, char *out) {
    if (n <= max) {
        memcpy(out, s, n);
        return n;
    }
    size_t mlen = (size_t)snprintf(NULL, 0, "[...%zu bytes...]", n);
    size_t keep = max > mlen ? max - mlen : 0;
    size_t head = keep / 3, tail = n - (keep - head);
    while (head > 0 && ((unsigned char)s[head] & 0xC0) == 0x80)
        head--;
    while (tail < n && ((unsigned char)s[tail] & 0xC0) == 0x80)
        tail++;
    memcpy(out, s, head);
    int m = snprintf(out + head, mlen + 1, "[...%zu bytes...]", tail - head);
    size_t w = head + (size_t)m;
    memcpy(out + w, s + tail, n - tail);
    return w + n - tail;
}

/* Joins the pieces into out (cap bytes with the NUL), shortening cuttable ones as the comment on
 * top of this section says. */
static void fit(const msg_pieces *p, char *out, size_t cap) {
    const char *s = p->text.data ? (const char *)p->text.data : "";
    size_t total = p->text.len, budget = cap - 1, fixed = 0, ncut = 0, maxlen = 0;
    if (total <= budget) {
        memcpy(out, s, total);
        out[total] = '\0';
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        if (!p->v[i].cuttable)
            fixed += p->v[i].len;
        else if (p->v[i].len > CUT_MIN) {
            ncut++;
            maxlen = p->v[i].len > maxlen ? p->v[i].len : maxlen;
        } else
            fixed += p->v[i].len;
    }
    if (!ncut || fixed + ncut * CUT_MIN > budget) { /* the literal text alone is too long */
        out[shorten(s, total, budget, out)] = '\0';
        return;
    }
    /* The largest common length lim that fits: values longer than lim are cut to lim. */
    size_t lo = CUT_MIN, hi = maxlen;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2, sum = fixed;
        for (size_t i = 0; i < p->n; i++)
            if (p->v[i].cuttable && p->v[i].len > CUT_MIN)
                sum += p->v[i].len < mid ? p->v[i].len : mid;
        if (sum <= budget)
            lo = mid;
        else
            hi = mid - 1;
    }
    size_t w = 0;
    for (size_t i = 0; i < p->n; i++) {
        const msg_piece *v = &p->v[i];
        if (v->cuttable)
            w += shorten(s + v->off, v->len, lo, out + w);
        else {
            memcpy(out + w, s + v->off, v->len);
            w += v->len;
        }
    }
    out[w] = '\0';
}

/* Formats fmt/ap (plus, when tail is not NULL, tail as one more value) into out. */
static void format_msg(char *out, size_t cap, const char *tail, const char *fmt, va_list ap) {
    msg_pieces p = {0};
    va_list walk;
    va_copy(walk, ap);
    bool ok = render(&p, fmt, &walk);
    va_end(walk);
    if (!ok) { /* a conversion the walker does not know: the whole message is one value */
        pieces_free(&p);
        memset(&p, 0, sizeof p);
        va_list again;
        va_copy(again, ap);
        int n = vsnprintf(NULL, 0, fmt, again);
        va_end(again);
        if (n > 0) {
            lake_buf_reserve(&p.text, (size_t)n + 1);
            vsnprintf((char *)p.text.data, (size_t)n + 1, fmt, ap);
            p.text.len = (size_t)n;
            piece_end(&p, 0, true);
        }
    }
    if (tail)
        piece_add(&p, tail, strlen(tail), true);
    fit(&p, out, cap);
    pieces_free(&p);
}

lake_rc lake_error_set(lake_error *err, lake_rc rc, const char *fmt, ...) {
    if (!err)
        return rc;
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    format_msg(msg, sizeof msg, NULL, fmt, ap); /* an argument may be err->msg itself */
    va_end(ap);
    memcpy(err->msg, msg, sizeof msg);
    err->rc = rc;
    return rc;
}

lake_rc lake_error_prefix(lake_error *err, const char *fmt, ...) {
    if (!err)
        return LAKE_ERR_INTERNAL;
    char old[sizeof err->msg];
    memcpy(old, err->msg, sizeof old);
    old[sizeof old - 1] = '\0';
    va_list ap;
    va_start(ap, fmt);
    format_msg(err->msg, sizeof err->msg, old, fmt, ap);
    va_end(ap);
    return err->rc;
}
