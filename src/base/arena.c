/* Arena allocator: strings and small records that live as long as a table. */
#include "lake/common.h"

#include <stdlib.h>
#include <string.h>

typedef struct block {
    struct block *next;
    size_t used, size;
    _Alignas(8) unsigned char data[];
} block;

struct lake_arena {
    block *head;
    size_t block_size;
    size_t reserved;
};

lake_arena *lake_arena_create(size_t block_size) {
    lake_arena *a = lake_xcalloc(1, sizeof *a);
    a->block_size = block_size ? block_size : (size_t)1 << 20;
    return a;
}

void lake_arena_free(lake_arena *a) {
    if (!a)
        return;
    block *b = a->head;
    while (b) {
        block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *lake_arena_alloc(lake_arena *a, size_t n) {
    n = (n + 7) & ~(size_t)7;
    block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > a->block_size ? n : a->block_size;
        b = lake_xmalloc(sizeof *b + size);
        b->used = 0;
        b->size = size;
        b->next = a->head;
        a->head = b;
        a->reserved += size;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

char *lake_arena_strndup(lake_arena *a, const char *s, size_t n) {
    char *p = lake_arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

size_t lake_arena_bytes(const lake_arena *a) {
    return a->reserved;
}
