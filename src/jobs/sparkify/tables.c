/* Transform: the five output tables as columns in final row order (partition values, then key). */
#include "jobs/sparkify/sparkify.h"
#include "base/civil.h"

#include <stdlib.h>
#include <string.h>

/* songs: partitioned by (year, artist_id), rows by song_id within a partition. */
static int songs_order(const void *a, const void *b, void *ctx) {
    const song_rec *s = ctx, *x = &s[*(const uint32_t *)a], *y = &s[*(const uint32_t *)b];
    int c = lake_opt_i64_cmp(x->year, y->year);
    if (!c)
        c = lake_str_cmp(x->artist_id, y->artist_id);
    return c ? c : lake_str_cmp(x->song_id, y->song_id);
}

void spk_build_songs(const song_catalog *c, eng_table *t) {
    spk_table_shell(LAKE_TABLE_SONGS, t);
    lake_col *id = spk_col(t, "song_id"), *title = spk_col(t, "title");
    lake_col *artist = spk_col(t, "artist_id"), *year = spk_col(t, "year");
    lake_col *dur = spk_col(t, "duration");
    uint32_t *order = lake_xcalloc(c->nsongs + 1, sizeof *order);
    for (size_t i = 0; i < c->nsongs; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, c->nsongs, sizeof *order, songs_order, c->songs);
    for (size_t k = 0; k < c->nsongs; k++) {
        const song_rec *s = &c->songs[order[k]];
        lake_col_push_opt_str(id, s->song_id);
        lake_col_push_opt_str(title, s->title);
        lake_col_push_opt_str(artist, s->artist_id);
        if (s->year.ok)
            lake_col_push_i32(year, (int32_t)s->year.v);
        else
            lake_col_push_null(year);
        lake_col_push_opt_f64(dur, s->duration);
    }
    free(order);
}

void spk_build_artists(const song_catalog *c, eng_table *t) {
    spk_table_shell(LAKE_TABLE_ARTISTS, t);
    lake_col *id = spk_col(t, "artist_id"), *name = spk_col(t, "name");
    lake_col *loc = spk_col(t, "location");
    lake_col *lat = spk_col(t, "latitude"), *lon = spk_col(t, "longitude");
    for (size_t i = 0; i < c->nartists; i++) {
        const song_rec *a = &c->artists[i];
        lake_col_push_opt_str(id, a->artist_id);
        lake_col_push_opt_str(name, a->artist_name);
        lake_col_push_opt_str(loc, a->location);
        lake_col_push_opt_f64(lat, a->lat);
        lake_col_push_opt_f64(lon, a->lon);
    }
}

static bool user_later(const user_rec *a, const user_rec *b) {
    if (a->ts != b->ts)
        return a->ts > b->ts;
    int c = lake_opt_i64_cmp(a->session, b->session);
    if (!c)
        c = lake_opt_i64_cmp(a->item, b->item);
    return c ? c > 0 : a->ord > b->ord;
}

static int user_order(const void *a, const void *b) {
    int32_t x = ((const user_rec *)a)->user_id, y = ((const user_rec *)b)->user_id;
    return x < y ? -1 : x > y;
}

void spk_build_users(event_state *states, unsigned n, eng_table *t) {
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
    spk_table_shell(LAKE_TABLE_USERS, t);
    lake_col *id = spk_col(t, "user_id"), *first = spk_col(t, "first_name");
    lake_col *last = spk_col(t, "last_name"), *gender = spk_col(t, "gender");
    lake_col *level = spk_col(t, "level");
    for (size_t i = 0; i < nall; i++) {
        lake_col_push_i32(id, all[i].user_id);
        lake_col_push_opt_str(first, all[i].first);
        lake_col_push_opt_str(last, all[i].last);
        lake_col_push_opt_str(gender, all[i].gender);
        lake_col_push_opt_str(level, all[i].level);
    }
    free(all);
}
