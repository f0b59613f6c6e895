/* Transform of the event facts: the time dimension and songplays with their ids. */
#include "etl/etl_internal.h"
#include "etl/timeparts.h"
#include "lake/sort.h"

#include <stdlib.h>
#include <string.h>

/* All distinct ts (ms) over every worker, ascending. */
static size_t distinct_ts(event_state *states, unsigned n, int64_t **out) {
    size_t total = 0, k = 0;
    for (unsigned s = 0; s < n; s++)
        total += states[s].nts;
    int64_t *ts = lake_xcalloc(total + 1, sizeof *ts);
    for (unsigned s = 0; s < n; s++) {
        if (states[s].nts)
            memcpy(ts + k, states[s].ts, states[s].nts * sizeof *ts);
        k += states[s].nts;
        free(states[s].ts); /* copied: keep one copy in memory, not two */
        states[s].ts = NULL;
        states[s].nts = states[s].capts = 0;
    }
    lake_sort_i64(ts, k);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (m == 0 || ts[m - 1] != ts[i])
            ts[m++] = ts[i];
    *out = ts;
    return m;
}

void etl_build_time(event_state *states, unsigned n, etl_table *t) {
    int64_t *ts;
    size_t m = distinct_ts(states, n, &ts);
    memset(t, 0, sizeof *t);
    t->name = "time";
    lake_col *start = etl_add_col(t, "start_time", LAKE_T_TIMESTAMP_US);
    lake_col *hour = etl_add_col(t, "hour", LAKE_T_INT32),
             *day = etl_add_col(t, "day", LAKE_T_INT32);
    lake_col *week = etl_add_col(t, "week", LAKE_T_INT32),
             *month = etl_add_col(t, "month", LAKE_T_INT32);
    lake_col *year = etl_add_col(t, "year", LAKE_T_INT32);
    lake_col *weekday = etl_add_col(t, "weekday", LAKE_T_INT32);
    t->part_cols[0] = 5;
    t->part_cols[1] = 4;
    t->npart = 2;
    for (size_t i = 0; i < m; i++) {
        lake_time_parts p;
        lake_time_parts_from_us(ts[i] * 1000, &p);
        lake_col_push_i64(start, ts[i] * 1000);
        lake_col_push_i32(hour, p.hour);
        lake_col_push_i32(day, p.day);
        lake_col_push_i32(week, p.week);
        lake_col_push_i32(month, p.month);
        lake_col_push_i32(year, p.year);
        lake_col_push_i32(weekday, p.weekday);
    }
    free(ts);
}

/* SPEC order of songplay ids: (ts, user_id, session_id, itemInSession, song_id); input order
 * settles exact duplicates. The catalog's songs are sorted by their unique song_id, so comparing
 * song indices compares song_ids without touching strings. */
static int play_order(const void *a, const void *b) {
    const play_rec *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->user_id != y->user_id)
        return x->user_id < y->user_id ? -1 : 1;
    int r = etl_opt_cmp(x->session, y->session);
    if (!r)
        r = etl_opt_cmp(x->item, y->item);
    if (!r && x->song != y->song)
        r = x->song < y->song ? -1 : 1;
    if (!r)
        r = x->ord < y->ord ? -1 : x->ord > y->ord;
    return r;
}

static play_rec *all_plays(event_state *states, unsigned n, size_t *count) {
    size_t total = 0, k = 0;
    for (unsigned s = 0; s < n; s++)
        total += states[s].nplays;
    play_rec *p = lake_xcalloc(total + 1, sizeof *p);
    for (unsigned s = 0; s < n; s++) {
        if (states[s].nplays)
            memcpy(p + k, states[s].plays, states[s].nplays * sizeof *p);
        k += states[s].nplays;
        free(states[s].plays); /* copied: keep one copy in memory, not two */
        states[s].plays = NULL;
        states[s].nplays = states[s].capplays = 0;
    }
    qsort(p, k, sizeof *p, play_order);
    *count = k;
    return p;
}

void etl_build_songplays(event_state *states, unsigned n, const song_catalog *c, etl_table *t) {
    size_t np;
    play_rec *p = all_plays(states, n, &np);
    memset(t, 0, sizeof *t);
    t->name = "songplays";
    lake_col *id = etl_add_col(t, "songplay_id", LAKE_T_INT64);
    lake_col *start = etl_add_col(t, "start_time", LAKE_T_TIMESTAMP_US);
    lake_col *user = etl_add_col(t, "user_id", LAKE_T_INT32),
             *level = etl_add_col(t, "level", LAKE_T_STRING);
    lake_col *song = etl_add_col(t, "song_id", LAKE_T_STRING),
             *artist = etl_add_col(t, "artist_id", LAKE_T_STRING);
    lake_col *session = etl_add_col(t, "session_id", LAKE_T_INT64);
    lake_col *loc = etl_add_col(t, "location", LAKE_T_STRING),
             *agent = etl_add_col(t, "user_agent", LAKE_T_STRING);
    lake_col *year = etl_add_col(t, "year", LAKE_T_INT32),
             *month = etl_add_col(t, "month", LAKE_T_INT32);
    t->part_cols[0] = 9;
    t->part_cols[1] = 10;
    t->npart = 2;
    for (size_t i = 0; i < np; i++) {
        const song_rec *s = &c->songs[p[i].song];
        lake_time_parts tp;
        lake_time_parts_from_us(p[i].ts * 1000, &tp);
        lake_col_push_i64(id, (int64_t)i + 1);
        lake_col_push_i64(start, p[i].ts * 1000);
        lake_col_push_i32(user, p[i].user_id);
        etl_push_str(level, p[i].level);
        etl_push_str(song, s->song_id);
        etl_push_str(artist, s->artist_id);
        etl_push_i64(session, p[i].session);
        etl_push_str(loc, p[i].location);
        etl_push_str(agent, p[i].user_agent);
        lake_col_push_i32(year, tp.year);
        lake_col_push_i32(month, tp.month);
    }
    free(p);
}
