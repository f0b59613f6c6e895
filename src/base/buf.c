/* Growing byte buffer that keeps LAKE_BUF_PADDING zero bytes after its contents. */
#include "lake/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lake_buf_init(lake_buf *b) {
    memset(b, 0, sizeof *b);
}

void lake_buf_free(lake_buf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

void lake_buf_reserve(lake_buf *b, size_t extra) {
    size_t need = b->len + extra + LAKE_BUF_PADDING;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap * 2;
    b->data = lake_xrealloc(b->data, cap);
    /* Only the padding: zeroing the whole new capacity touched (and made the kernel clear) pages
     * that a doubled buffer may never use. */
    memset(b->data + b->len, 0, LAKE_BUF_PADDING);
    b->cap = cap;
}

static void pad(lake_buf *b) {
    memset(b->data + b->len, 0, LAKE_BUF_PADDING);
}

void lake_buf_puts(lake_buf *b, const char *s) {
    lake_buf_append(b, s, strlen(s));
}

void lake_buf_printf(lake_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    lake_buf_reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    pad(b);
}

void lake_buf_resize(lake_buf *b, size_t n) {
    if (n > b->len)
        lake_buf_reserve(b, n - b->len);
    if (n > b->len)
        memset(b->data + b->len, 0, n - b->len);
    b->len = n;
    if (b->data)
        pad(b);
}
