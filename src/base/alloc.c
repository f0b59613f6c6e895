/* Allocation in one place: out-of-memory ends the process with a clear message, so no caller
 * carries an error path for it. */
#include "lake/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *oom(size_t n) {
    fprintf(stderr, "lake: out of memory (allocating %zu bytes)\n", n);
    exit(3);
}

void *lake_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    return p ? p : oom(n);
}

void *lake_xcalloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    return p ? p : oom(count * size);
}

/* Zeroed by writing, unlike calloc: calloc leaves fresh pages unwritten, a lookup then maps the
 * shared zero page, and the first insert into that page is a copy-on-write fault whose TLB flush
 * interrupts every other thread's core. For tables that are read before they are written (hash
 * maps): that flush was a third of the songs stage at M. */
void *lake_xzalloc(size_t n) {
    void *p = lake_xmalloc(n);
    __asm__("" : "+r"(p)); /* else the compiler turns malloc + memset back into calloc */
    memset(p, 0, n ? n : 1);
    return p;
}

void *lake_xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    return q ? q : oom(n);
}

char *lake_xstrdup(const char *s) {
    return lake_xstrndup(s, strlen(s));
}

char *lake_xstrndup(const char *s, size_t n) {
    char *p = lake_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *lake_xconcat_(const char *first, ...) {
    va_list ap;
    size_t n = 0;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        n += strlen(s);
    va_end(ap);
    char *p = lake_xmalloc(n + 1), *at = p;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        size_t len = strlen(s);
        memcpy(at, s, len);
        at += len;
    }
    va_end(ap);
    *at = '\0';
    return p;
}

char *lake_xasprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return lake_xstrdup("");
    char *p = lake_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
