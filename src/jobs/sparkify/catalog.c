/* The songs catalog: first record per song_id and per artist_id in input order, and the join
 * index from (title, artist_name, duration) to the winning songs. */
#include "base/pool.h"
#include "jobs/sparkify/sparkify.h"

#include <stdlib.h>
#include <string.h>

static int by_ord(const void *a, const void *b) {
    uint64_t x = ((const song_rec *)a)->ord, y = ((const song_rec *)b)->ord;
    return x < y ? -1 : x > y;
}

static int str_cmp(lake_str a, lake_str b) {
    uint32_t n = a.len < b.len ? a.len : b.len;
    int r = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (r)
        return r;
    return a.len < b.len ? -1 : a.len > b.len;
}

static int by_song_id(const void *a, const void *b) {
    return str_cmp(((const song_rec *)a)->song_id, ((const song_rec *)b)->song_id);
}

static int by_artist_id(const void *a, const void *b) {
    return str_cmp(((const song_rec *)a)->artist_id, ((const song_rec *)b)->artist_id);
}

/* Keeps the first record (in the array's order) of each distinct key. */
static size_t first_per_key(const song_rec *all, size_t n, size_t key_offset, song_rec **out) {
    lake_smap seen;
    lake_smap_init(&seen);
    lake_smap_reserve(&seen, n);
    song_rec *res = lake_xcalloc(n ? n : 1, sizeof *res);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const lake_str *key = (const lake_str *)((const char *)&all[i] + key_offset);
        uint32_t v = (uint32_t)k;
        if (!lake_smap_upsert(&seen, key->ptr, key->len, &v))
            res[k++] = all[i];
    }
    lake_smap_free(&seen);
    *out = res;
    return k;
}

/* Join key bytes: length-prefixed title and artist name, then the duration's bits (with -0.0
 * folded into +0.0 because the join compares doubles with ==). */
void spk_join_key(lake_buf *key, lake_str title, lake_str artist, double duration) {
    uint32_t n;
    key->len = 0;
    n = title.len;
    lake_buf_append(key, &n, 4);
    lake_buf_append(key, title.ptr, title.len);
    n = artist.len;
    lake_buf_append(key, &n, 4);
    lake_buf_append(key, artist.ptr, artist.len);
    if (duration == 0)
        duration = 0;
    lake_buf_append(key, &duration, 8);
}

static void index_song(song_catalog *c, lake_buf *key, uint32_t song) {
    const song_rec *s = &c->songs[song];
    if (!s->title.ptr || !s->artist_name.ptr || !s->duration.ok)
        return; /* a null never equals anything in an inner join */
    spk_join_key(key, s->title, s->artist_name, s->duration.v);
    uint32_t link = (uint32_t)c->nchain;
    c->chain[2 * link] = song;
    c->chain[2 * link + 1] = UINT32_MAX;
    c->nchain++;
    uint32_t head = link;
    char *stored = lake_arena_strndup(c->arena, (const char *)key->data, key->len);
    if (lake_smap_upsert(&c->by_key, stored, (uint32_t)key->len, &head)) {
        /* append to the end so chains list songs in song_id order */
        uint32_t at = head;
        while (c->chain[2 * at + 1] != UINT32_MAX)
            at = c->chain[2 * at + 1];
        c->chain[2 * at + 1] = link;
    }
}

/* The songs side (first record per song_id, sorted, and the join index) and the artists side
 * (first record per artist_id, sorted) share nothing but the records in input order. */
typedef struct {
    song_catalog *c;
    const song_rec *sorted;
    size_t n;
} catalog_job;

static void build_songs(song_catalog *c, const song_rec *sorted, size_t n) {
    c->nsongs = first_per_key(sorted, n, offsetof(song_rec, song_id), &c->songs);
    qsort(c->songs, c->nsongs, sizeof *c->songs, by_song_id);
    c->arena = lake_arena_create(0);
    lake_smap_init(&c->by_key);
    lake_smap_reserve(&c->by_key, c->nsongs);
    c->chain = lake_xcalloc(2 * (c->nsongs ? c->nsongs : 1), sizeof *c->chain);
    lake_buf key;
    lake_buf_init(&key);
    for (size_t i = 0; i < c->nsongs; i++)
        index_song(c, &key, (uint32_t)i);
    lake_buf_free(&key);
}

static int catalog_task(void *ctx, size_t i, unsigned worker) {
    (void)worker;
    catalog_job *j = ctx;
    if (i == 0) {
        build_songs(j->c, j->sorted, j->n);
    } else {
        j->c->nartists =
            first_per_key(j->sorted, j->n, offsetof(song_rec, artist_id), &j->c->artists);
        qsort(j->c->artists, j->c->nartists, sizeof *j->c->artists, by_artist_id);
    }
    return 0;
}

/* The two sides are built on two threads: serial, they were a quarter of the songs stage at M
 * (15,000 songs). The records are put in input order where they are, not in a copy. */
void spk_catalog_build(song_catalog *c, song_vec *all, unsigned threads) {
    memset(c, 0, sizeof *c);
    if (all->n)
        qsort(all->items, all->n, sizeof *all->items, by_ord);
    catalog_job j = {c, all->items, all->n};
    lake_parallel_for(threads < 2 ? 1 : 2, 2, catalog_task, &j);
}

void spk_catalog_free(song_catalog *c) {
    free(c->songs);
    free(c->artists);
    free(c->chain);
    lake_smap_free(&c->by_key);
    lake_arena_free(c->arena);
    memset(c, 0, sizeof *c);
}
