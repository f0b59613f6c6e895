/* Strings once per message (strtab.h). */
#include "cluster/strtab.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(const char *p, size_t cap) {
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 20) & (cap - 1);
}

static void grow(cl_strtab *t) {
    size_t cap = t->cap ? t->cap * 2 : 1024;
    const char **keys = lake_xcalloc(cap, sizeof *keys);
    uint32_t *nums = lake_xcalloc(cap, sizeof *nums);
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->keys[i])
            continue;
        size_t k = slot_of(t->keys[i], cap);
        while (keys[k])
            k = (k + 1) & (cap - 1);
        keys[k] = t->keys[i];
        nums[k] = t->nums[i];
    }
    free(t->keys);
    free(t->nums);
    t->keys = keys;
    t->nums = nums;
    t->cap = cap;
}

void cl_strtab_reset(cl_strtab *t) {
    if (t->n)
        memset(t->keys, 0, t->cap * sizeof *t->keys);
    t->n = 0;
}

void cl_strtab_free(cl_strtab *t) {
    free(t->keys);
    free(t->nums);
    memset(t, 0, sizeof *t);
}

void cl_put_str_tab(lake_buf *b, cl_strtab *t, lake_str s) {
    if (!s.ptr) {
        cl_put_varint(b, 0);
        return;
    }
    if (2 * (t->n + 1) > t->cap)
        grow(t);
    size_t k = slot_of(s.ptr, t->cap);
    while (t->keys[k] && t->keys[k] != s.ptr)
        k = (k + 1) & (t->cap - 1);
    if (t->keys[k]) {
        cl_put_varint(b, 2 * (uint64_t)t->nums[k] + 1);
        return;
    }
    t->keys[k] = s.ptr;
    t->nums[k] = (uint32_t)t->n++;
    cl_put_varint(b, 2 * ((uint64_t)s.len + 1));
    lake_buf_append(b, s.ptr, s.len);
}

lake_str cl_get_str_tab(cl_reader *r, cl_strvec *v, lake_str (*keep)(void *ud, lake_str s),
                        void *ud) {
    uint64_t tag = cl_get_varint(r);
    lake_str none = {NULL, 0};
    if (r->bad || tag == 0)
        return none;
    if (tag & 1) {
        if ((tag >> 1) >= v->n) {
            r->bad = true;
            return none;
        }
        return v->items[tag >> 1];
    }
    uint64_t len = (tag >> 1) - 1;
    if (len > UINT32_MAX || (uint64_t)(r->end - r->p) < len) {
        r->bad = true;
        return none;
    }
    lake_str s = keep(ud, (lake_str){(const char *)r->p, (uint32_t)len});
    r->p += len;
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 256;
        v->items = lake_xrealloc(v->items, v->cap * sizeof *v->items);
    }
    v->items[v->n++] = s;
    return s;
}

void cl_strvec_free(cl_strvec *v) {
    free(v->items);
    memset(v, 0, sizeof *v);
}

void cl_put_str_near(lake_buf *b, const char **prev, const char *s) {
    if (!s) {
        cl_put_varint(b, 0);
        return;
    }
    const char *p = *prev ? *prev : "";
    size_t n = strlen(s), pn = strlen(p), head = 0, tail = 0;
    while (head < n && head < pn && s[head] == p[head])
        head++;
    while (tail < n - head && tail < pn - head && s[n - 1 - tail] == p[pn - 1 - tail])
        tail++;
    cl_put_varint(b, n - head - tail + 1);
    cl_put_varint(b, head);
    cl_put_varint(b, tail);
    lake_buf_append(b, s + head, n - head - tail);
    *prev = s;
}

const char *cl_get_str_near(cl_reader *r, const char **prev, lake_arena *a) {
    uint64_t mid = cl_get_varint(r);
    if (r->bad || mid-- == 0)
        return NULL;
    uint64_t head = cl_get_varint(r), tail = cl_get_varint(r);
    const char *p = *prev ? *prev : "";
    size_t pn = strlen(p);
    if (r->bad || head > pn || tail > pn - head || mid > (uint64_t)(r->end - r->p)) {
        r->bad = true;
        return NULL;
    }
    char *s = lake_arena_alloc(a, head + mid + tail + 1);
    memcpy(s, p, head);
    memcpy(s + head, r->p, mid);
    memcpy(s + head + mid, p + pn - tail, tail);
    s[head + mid + tail] = '\0';
    r->p += mid;
    *prev = s;
    return s;
}
