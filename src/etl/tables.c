/* Transform: the five output tables as columns in final row order (partition values, then key). */
#include "etl/etl_internal.h"
#include "base/civil.h"

#include <stdlib.h>
#include <string.h>

lake_col *etl_add_col(etl_table *t, const char *name, lake_type type) {
    lake_col *c = &t->cols[t->ncols++];
    lake_col_init(c, name, type);
    return c;
}

void etl_push_str(lake_col *c, lake_str s) {
    if (s.ptr)
        lake_col_push_str(c, s.ptr, s.len);
    else
        lake_col_push_null(c);
}

void etl_push_f64(lake_col *c, opt_f64 x) {
    if (x.ok)
        lake_col_push_f64(c, x.v);
    else
        lake_col_push_null(c);
}

void etl_push_i64(lake_col *c, opt_i64 x) {
    if (x.ok)
        lake_col_push_i64(c, x.v);
    else
        lake_col_push_null(c);
}

int etl_str_cmp(lake_str a, lake_str b) {
    if (!a.ptr || !b.ptr)
        return (a.ptr != NULL) - (b.ptr != NULL);
    uint32_t n = a.len < b.len ? a.len : b.len;
    int r = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (r)
        return r;
    return a.len < b.len ? -1 : a.len > b.len;
}

int etl_opt_cmp(opt_i64 a, opt_i64 b) {
    if (a.ok != b.ok)
        return a.ok ? 1 : -1;
    return a.v < b.v ? -1 : a.v > b.v;
}

void etl_table_free(etl_table *t) {
    for (size_t i = 0; i < t->ncols; i++)
        lake_col_free(&t->cols[i]);
    lake_arena_free(t->arena);
    memset(t, 0, sizeof *t);
}

/* songs: partitioned by (year, artist_id), rows by song_id within a partition. */
static int songs_order(const void *a, const void *b, void *ctx) {
    const song_rec *s = ctx, *x = &s[*(const uint32_t *)a], *y = &s[*(const uint32_t *)b];
    int c = etl_opt_cmp(x->year, y->year);
    if (!c)
        c = etl_str_cmp(x->artist_id, y->artist_id);
    return c ? c : etl_str_cmp(x->song_id, y->song_id);
}

void etl_build_songs(const song_catalog *c, etl_table *t) {
    memset(t, 0, sizeof *t);
    t->name = "songs";
    lake_col *id = etl_add_col(t, "song_id", LAKE_T_STRING),
             *title = etl_add_col(t, "title", LAKE_T_STRING);
    lake_col *artist = etl_add_col(t, "artist_id", LAKE_T_STRING);
    lake_col *year = etl_add_col(t, "year", LAKE_T_INT32);
    lake_col *dur = etl_add_col(t, "duration", LAKE_T_DOUBLE);
    t->part_cols[0] = 3;
    t->part_cols[1] = 2;
    t->npart = 2;
    uint32_t *order = lake_xcalloc(c->nsongs + 1, sizeof *order);
    for (size_t i = 0; i < c->nsongs; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, c->nsongs, sizeof *order, songs_order, c->songs);
    for (size_t k = 0; k < c->nsongs; k++) {
        const song_rec *s = &c->songs[order[k]];
        etl_push_str(id, s->song_id);
        etl_push_str(title, s->title);
        etl_push_str(artist, s->artist_id);
        if (s->year.ok)
            lake_col_push_i32(year, (int32_t)s->year.v);
        else
            lake_col_push_null(year);
        etl_push_f64(dur, s->duration);
    }
    free(order);
}

void etl_build_artists(const song_catalog *c, etl_table *t) {
    memset(t, 0, sizeof *t);
    t->name = "artists";
    lake_col *id = etl_add_col(t, "artist_id", LAKE_T_STRING),
             *name = etl_add_col(t, "name", LAKE_T_STRING);
    lake_col *loc = etl_add_col(t, "location", LAKE_T_STRING);
    lake_col *lat = etl_add_col(t, "latitude", LAKE_T_DOUBLE),
             *lon = etl_add_col(t, "longitude", LAKE_T_DOUBLE);
    for (size_t i = 0; i < c->nartists; i++) {
        const song_rec *a = &c->artists[i];
        etl_push_str(id, a->artist_id);
        etl_push_str(name, a->artist_name);
        etl_push_str(loc, a->location);
        etl_push_f64(lat, a->lat);
        etl_push_f64(lon, a->lon);
    }
}

static bool user_later(const user_rec *a, const user_rec *b) {
    if (a->ts != b->ts)
        return a->ts > b->ts;
    int c = etl_opt_cmp(a->session, b->session);
    if (!c)
        c = etl_opt_cmp(a->item, b->item);
    return c ? c > 0 : a->ord > b->ord;
}

static int user_order(const void *a, const void *b) {
    int32_t x = ((const user_rec *)a)->user_id, y = ((const user_rec *)b)->user_id;
    return x < y ? -1 : x > y;
}

void etl_build_users(event_state *states, unsigned n, etl_table *t) {
    lake_imap index;
    lake_imap_init(&index);
    user_rec *all = NULL;
    size_t nall = 0, cap = 0;
    for (unsigned s = 0; s < n; s++) {
        for (size_t i = 0; i < states[s].nusers; i++) {
            const user_rec *u = &states[s].users[i];
            uint32_t idx = (uint32_t)nall;
            if (lake_imap_upsert(&index, u->user_id, &idx)) {
                if (user_later(u, &all[idx]))
                    all[idx] = *u;
                continue;
            }
            if (nall == cap) {
                cap = cap ? cap * 2 : 256;
                all = lake_xrealloc(all, cap * sizeof *all);
            }
            all[nall++] = *u;
        }
    }
    lake_imap_free(&index);
    if (nall > 1)
        qsort(all, nall, sizeof *all, user_order);
    memset(t, 0, sizeof *t);
    t->name = "users";
    lake_col *id = etl_add_col(t, "user_id", LAKE_T_INT32),
             *first = etl_add_col(t, "first_name", LAKE_T_STRING);
    lake_col *last = etl_add_col(t, "last_name", LAKE_T_STRING),
             *gender = etl_add_col(t, "gender", LAKE_T_STRING);
    lake_col *level = etl_add_col(t, "level", LAKE_T_STRING);
    for (size_t i = 0; i < nall; i++) {
        lake_col_push_i32(id, all[i].user_id);
        etl_push_str(first, all[i].first);
        etl_push_str(last, all[i].last);
        etl_push_str(gender, all[i].gender);
        etl_push_str(level, all[i].level);
    }
    free(all);
}
