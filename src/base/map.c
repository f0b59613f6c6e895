/* Linear-probing hash maps. Load factor kept under 1/2 so probes stay short. */
#include "base/map.h"
#include "base/hash.h"

#include <stdlib.h>
#include <string.h>

struct lake_smap_slot {
    const void *key; /* NULL = empty */
    uint64_t hash;
    uint32_t len;
    uint32_t val;
};

struct lake_imap_slot {
    int64_t key;
    uint32_t used;
    uint32_t val;
};

void lake_smap_init(lake_smap *m) {
    memset(m, 0, sizeof *m);
}

void lake_smap_free(lake_smap *m) {
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static void smap_rehash(lake_smap *m, size_t cap) {
    struct lake_smap_slot *s = lake_xzalloc(cap * sizeof *s);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        size_t j = m->slots[i].hash & (cap - 1);
        while (s[j].key)
            j = (j + 1) & (cap - 1);
        s[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = s;
    m->cap = cap;
}

static void smap_grow(lake_smap *m) {
    smap_rehash(m, m->cap ? m->cap * 2 : 64);
}

void lake_smap_reserve(lake_smap *m, size_t n) {
    size_t cap = m->cap ? m->cap : 64;
    while (n * 2 > cap)
        cap *= 2;
    if (cap > m->cap)
        smap_rehash(m, cap);
}

/* An empty key still needs a non-NULL pointer to mark the slot used. */
static const char empty_key[1];

static struct lake_smap_slot *smap_find(const lake_smap *m, const void *key, uint32_t len,
                                        uint64_t h) {
    size_t j = h & (m->cap - 1);
    while (m->slots[j].key) {
        struct lake_smap_slot *s = &m->slots[j];
        if (s->hash == h && s->len == len && (len == 0 || !memcmp(s->key, key, len)))
            return s;
        j = (j + 1) & (m->cap - 1);
    }
    return &m->slots[j];
}

bool lake_smap_upsert(lake_smap *m, const void *key, uint32_t len, uint32_t *val) {
    if ((m->n + 1) * 2 > m->cap)
        smap_grow(m);
    uint64_t h = lake_hash(key, len, 0);
    struct lake_smap_slot *s = smap_find(m, key, len, h);
    if (s->key) {
        *val = s->val;
        return true;
    }
    s->key = len ? key : empty_key;
    s->hash = h;
    s->len = len;
    s->val = *val;
    m->n++;
    return false;
}

bool lake_smap_get(const lake_smap *m, const void *key, uint32_t len, uint32_t *val) {
    if (!m->cap)
        return false;
    struct lake_smap_slot *s = smap_find(m, key, len, lake_hash(key, len, 0));
    if (!s->key)
        return false;
    *val = s->val;
    return true;
}

bool lake_smap_get_key(const lake_smap *m, const void *key, uint32_t len, const char **stored) {
    if (!m->cap)
        return false;
    struct lake_smap_slot *s = smap_find(m, key, len, lake_hash(key, len, 0));
    if (!s->key)
        return false;
    *stored = s->key;
    return true;
}

void lake_imap_init(lake_imap *m) {
    memset(m, 0, sizeof *m);
}

void lake_imap_free(lake_imap *m) {
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static size_t imap_home(int64_t key, size_t cap) {
    uint64_t h = (uint64_t)key * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static void imap_grow(lake_imap *m) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    struct lake_imap_slot *s = lake_xzalloc(cap * sizeof *s);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].used)
            continue;
        size_t j = imap_home(m->slots[i].key, cap);
        while (s[j].used)
            j = (j + 1) & (cap - 1);
        s[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = s;
    m->cap = cap;
}

static struct lake_imap_slot *imap_find(const lake_imap *m, int64_t key) {
    size_t j = imap_home(key, m->cap);
    while (m->slots[j].used && m->slots[j].key != key)
        j = (j + 1) & (m->cap - 1);
    return &m->slots[j];
}

bool lake_imap_upsert(lake_imap *m, int64_t key, uint32_t *val) {
    if ((m->n + 1) * 2 > m->cap)
        imap_grow(m);
    struct lake_imap_slot *s = imap_find(m, key);
    if (s->used) {
        *val = s->val;
        return true;
    }
    s->used = 1;
    s->key = key;
    s->val = *val;
    m->n++;
    return false;
}

bool lake_imap_get(const lake_imap *m, int64_t key, uint32_t *val) {
    if (!m->cap)
        return false;
    struct lake_imap_slot *s = imap_find(m, key);
    if (!s->used)
        return false;
    *val = s->val;
    return true;
}

size_t lake_imap_keys(const lake_imap *m, int64_t *out) {
    size_t k = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].used)
            out[k++] = m->slots[i].key;
    return k;
}
