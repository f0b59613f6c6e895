/* Bad records: collected per worker, merged, sorted by input position and written as NDJSON. */
#include "engine/ingest/reject.h"

#include <stdlib.h>
#include <string.h>

void eng_reject_list_add(eng_reject_list *l, lake_arena *a, const char *source, uint32_t obj,
                         uint64_t line, const char *reason, const char *raw, size_t raw_len) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->items = lake_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    /* Keep at most 1 MiB of a huge bad record: enough to find it, bounded memory. */
    if (raw_len > (1u << 20))
        raw_len = 1u << 20;
    eng_reject *r = &l->items[l->n++];
    r->ord = ENG_ORD(obj, line > UINT32_MAX ? UINT32_MAX : line);
    r->source = source;
    r->line = line;
    r->reason = lake_arena_strndup(a, reason, strlen(reason));
    r->raw.ptr = lake_arena_strndup(a, raw, raw_len);
    r->raw.len = (uint32_t)raw_len;
}

void eng_reject_merge(eng_reject_list *dst, eng_reject_list *src) {
    for (size_t i = 0; i < src->n; i++) {
        if (dst->n == dst->cap) {
            dst->cap = dst->cap ? dst->cap * 2 : 16;
            dst->items = lake_xrealloc(dst->items, dst->cap * sizeof *dst->items);
        }
        dst->items[dst->n++] = src->items[i];
    }
}

/* Song and log rejects number their objects in two listings, so equal ords are told apart by
 * the object's key: the order does not depend on which worker read what. */
static int by_ord(const void *a, const void *b) {
    const eng_reject *x = a, *y = b;
    if (x->ord != y->ord)
        return x->ord < y->ord ? -1 : 1;
    int c = strcmp(x->source, y->source);
    if (c)
        return c;
    return (x->line > y->line) - (x->line < y->line);
}

void eng_reject_sort(eng_reject_list *l) {
    if (l->n > 1)
        qsort(l->items, l->n, sizeof *l->items, by_ord);
}

void eng_reject_list_free(eng_reject_list *l) {
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if the bytes there are not valid UTF-8. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!len || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (size_t i = 1; i < len; i++)
        cp = (cp << 6) | (s[i] & 0x3f);
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Appends s as a JSON string. Bytes that are not valid UTF-8 become U+FFFD so the rejected file
 * itself is always valid JSON. */
static void json_string(lake_buf *out, const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    lake_buf_putc(out, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            lake_buf_putc(out, '\\');
            lake_buf_putc(out, c);
            i++;
        } else if (c < 0x20) {
            lake_buf_printf(out, "\\u%04x", c);
            i++;
        } else {
            size_t len = utf8_seq(s + i, n - i);
            if (len)
                lake_buf_append(out, s + i, len);
            else
                lake_buf_puts(out, "\xef\xbf\xbd");
            i += len ? len : 1;
        }
    }
    lake_buf_putc(out, '"');
}

void eng_reject_write(const eng_reject_list *l, lake_buf *out) {
    for (size_t i = 0; i < l->n; i++) {
        const eng_reject *r = &l->items[i];
        lake_buf_puts(out, "{\"source\":");
        json_string(out, r->source, strlen(r->source));
        lake_buf_printf(out, ",\"line\":%llu,\"reason\":", (unsigned long long)r->line);
        json_string(out, r->reason, strlen(r->reason));
        lake_buf_puts(out, ",\"raw\":");
        json_string(out, r->raw.ptr, r->raw.len);
        lake_buf_puts(out, "}\n");
    }
}
