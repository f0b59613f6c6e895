/* Bad records: collected per worker, merged, sorted by input position and written as NDJSON. */
#include "engine/ingest/reject.h"
#include "json/emit.h"

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

/* Rejects of different inputs number their objects in separate listings, so equal ords are told
 * apart by the object's key: the order does not depend on which worker read what. */
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

void eng_reject_write(const eng_reject_list *l, lake_buf *out) {
    for (size_t i = 0; i < l->n; i++) {
        const eng_reject *r = &l->items[i];
        lake_buf_puts(out, "{\"source\":");
        lj_emit_string(out, r->source, strlen(r->source), 0);
        lake_buf_printf(out, ",\"line\":%llu,\"reason\":", (unsigned long long)r->line);
        lj_emit_string(out, r->reason, strlen(r->reason), 0);
        lake_buf_puts(out, ",\"raw\":");
        lj_emit_string(out, r->raw.ptr, r->raw.len, 0);
        lake_buf_puts(out, "}\n");
    }
}
