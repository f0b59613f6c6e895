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

int spk_table_first_rank(int t, int size) {
    switch (t) {
    case LAKE_TABLE_ARTISTS:
        return size - 1;
    case LAKE_TABLE_USERS:
        return size > 1 ? size - 2 : 0;
    default:
        return 0;
    }
}
