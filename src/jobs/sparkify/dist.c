/* The Sparkify job on several ranks: the song records to every rank, the rejects to rank 0, and
 * which rank writes which table's partitions (dist.h). */
#include "cluster/wire.h"
#include "jobs/sparkify/dist.h"

#include <stdlib.h>
#include <string.h>

static void put_song(lake_buf *b, const song_rec *s) {
    cl_put_str(b, s->song_id);
    cl_put_str(b, s->title);
    cl_put_str(b, s->artist_id);
    cl_put_str(b, s->artist_name);
    cl_put_str(b, s->location);
    cl_put_opt_f64(b, s->duration);
    cl_put_opt_f64(b, s->lat);
    cl_put_opt_f64(b, s->lon);
    cl_put_opt_i64(b, s->year);
    cl_put_u64(b, s->ord);
}

static song_rec get_song(cl_reader *r) {
    song_rec s;
    s.song_id = cl_get_str(r);
    s.title = cl_get_str(r);
    s.artist_id = cl_get_str(r);
    s.artist_name = cl_get_str(r);
    s.location = cl_get_str(r);
    s.duration = cl_get_opt_f64(r);
    s.lat = cl_get_opt_f64(r);
    s.lon = cl_get_opt_f64(r);
    s.year = cl_get_opt_i64(r);
    s.ord = cl_get_u64(r);
    return s;
}

void spk_dist_songs(cl_comm *c, song_vec *v, lake_buf *keep) {
    lake_buf mine;
    lake_buf_init(&mine);
    for (size_t i = 0; i < v->n; i++)
        put_song(&mine, &v->items[i]);
    uint64_t *lens = lake_xcalloc((size_t)c->size, sizeof *lens);
    cl_allgather(c, &mine, keep, lens);
    free(lens);
    lake_buf_free(&mine);
    v->n = 0;
    cl_reader r = {keep->data, keep->data + keep->len, false};
    while (cl_more(&r)) {
        song_rec s = get_song(&r);
        if (r.bad)
            abort(); /* every rank runs this binary: a bad record is memory corruption */
        if (v->n == v->cap) {
            v->cap = v->cap ? v->cap * 2 : 1024;
            v->items = lake_xrealloc(v->items, v->cap * sizeof *v->items);
        }
        v->items[v->n++] = s;
    }
}

void spk_dist_rejects(cl_comm *c, eng_reject_list *l, lake_buf *keep) {
    lake_buf mine;
    lake_buf_init(&mine);
    for (size_t i = 0; i < l->n; i++) {
        const eng_reject *e = &l->items[i];
        cl_put_u64(&mine, e->ord);
        cl_put_u64(&mine, e->line);
        cl_put_cstr(&mine, e->source);
        cl_put_cstr(&mine, e->reason);
        cl_put_str(&mine, e->raw);
    }
    cl_gather(c, &mine, keep);
    lake_buf_free(&mine);
    l->n = 0;
    cl_reader r = {keep->data, keep->data + keep->len, false};
    while (cl_more(&r)) {
        eng_reject e;
        e.ord = cl_get_u64(&r);
        e.line = cl_get_u64(&r);
        e.source = cl_get_cstr(&r);
        e.reason = cl_get_cstr(&r);
        e.raw = cl_get_str(&r);
        if (r.bad)
            abort();
        if (l->n == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 64;
            l->items = lake_xrealloc(l->items, l->cap * sizeof *l->items);
        }
        l->items[l->n++] = e;
    }
}

int spk_users_rank(int size) {
    return size - 1;
}

/* The rank with the least work (the lowest on a tie). */
static uint32_t least_loaded(const uint64_t *load, int size) {
    uint32_t best = 0;
    for (int r = 1; r < size; r++)
        if (load[r] < load[best])
            best = (uint32_t)r;
    return best;
}

/* Table t's partitions, each to the least loaded rank. */
static uint32_t *deal_table(eng_table *t, uint64_t *load, int size) {
    size_t *ends = NULL, n = eng_table_partitions(t, &ends), start = 0;
    uint32_t *w = lake_xcalloc(n + 1, sizeof *w);
    for (size_t k = 0; k < n; k++) {
        w[k] = least_loaded(load, size);
        load[w[k]] += SPK_FILE_COST + (ends[k] - start);
        start = ends[k];
    }
    free(ends);
    return w;
}

static void set_writers(eng_table *t, uint32_t *w, int rank, uint32_t **slot) {
    *slot = w;
    t->part_writer = w;
    t->part_self = (uint32_t)rank;
}

void spk_dist_deal(cl_comm *c, eng_table *tables, uint64_t stream_rows,
                   uint32_t *writers[LAKE_TABLE_COUNT]) {
    int users = spk_users_rank(c->size);
    /* the users' rows are on their rank only: every rank counts them from there */
    uint64_t *load = lake_xcalloc((size_t)c->size + 1, sizeof *load);
    load[c->rank] = stream_rows;
    load[c->size] = tables[LAKE_TABLE_USERS].cols[0].len;
    cl_allreduce(c, load, (size_t)c->size + 1, CL_SUM);
    uint32_t *uw = lake_xcalloc(1, sizeof *uw);
    uw[0] = (uint32_t)users;
    load[users] += SPK_FILE_COST + load[c->size];
    set_writers(&tables[LAKE_TABLE_USERS], uw, c->rank, &writers[LAKE_TABLE_USERS]);
    set_writers(&tables[LAKE_TABLE_ARTISTS], deal_table(&tables[LAKE_TABLE_ARTISTS], load, c->size),
                c->rank, &writers[LAKE_TABLE_ARTISTS]);
    set_writers(&tables[LAKE_TABLE_SONGS], deal_table(&tables[LAKE_TABLE_SONGS], load, c->size),
                c->rank, &writers[LAKE_TABLE_SONGS]);
    free(load);
}
