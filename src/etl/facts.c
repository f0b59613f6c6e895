/* Transform of the event facts into row sources, both in final order: the time dimension from
 * the distinct timestamps, and songplays with their ids from the merge of the sorted plays. */
#include "etl/etl_internal.h"
#include "etl/plays.h"
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

/* Partition number of (year, month): equal exactly for rows of the same partition. */
static int64_t year_month(const lake_time_parts *p) {
    return (int64_t)p->year * 16 + p->month;
}

/* ---- time ------------------------------------------------------------------------------------ */

typedef struct {
    int64_t *ts; /* distinct, ascending */
    size_t n, pos;
    size_t parts_of; /* pos whose parts are in p, or SIZE_MAX */
    lake_time_parts p;
} time_src;

static const lake_time_parts *time_parts_at(time_src *s) {
    if (s->parts_of != s->pos) {
        lake_time_parts_from_us(s->ts[s->pos] * 1000, &s->p);
        s->parts_of = s->pos;
    }
    return &s->p;
}

static bool time_peek(void *ud, int64_t *part) {
    time_src *s = ud;
    if (s->pos == s->n)
        return false;
    *part = year_month(time_parts_at(s));
    return true;
}

static void time_take(void *ud, etl_table *t) {
    time_src *s = ud;
    const lake_time_parts *p = time_parts_at(s);
    lake_col_push_i64(&t->cols[0], s->ts[s->pos] * 1000);
    lake_col_push_i32(&t->cols[1], p->hour);
    lake_col_push_i32(&t->cols[2], p->day);
    lake_col_push_i32(&t->cols[3], p->week);
    lake_col_push_i32(&t->cols[4], p->month);
    lake_col_push_i32(&t->cols[5], p->year);
    lake_col_push_i32(&t->cols[6], p->weekday);
    s->pos++;
}

static lake_rc no_error(void *ud, lake_error *err) {
    (void)ud;
    (void)err;
    return LAKE_OK;
}

static void time_free(void *ud) {
    time_src *s = ud;
    free(s->ts);
    free(s);
}

void etl_time_source(event_state *states, unsigned n, etl_table *t, etl_rowsrc *src) {
    time_src *s = lake_xcalloc(1, sizeof *s);
    s->n = distinct_ts(states, n, &s->ts);
    s->parts_of = SIZE_MAX;
    memset(t, 0, sizeof *t);
    t->name = "time";
    etl_add_col(t, "start_time", LAKE_T_TIMESTAMP_US);
    etl_add_col(t, "hour", LAKE_T_INT32);
    etl_add_col(t, "day", LAKE_T_INT32);
    etl_add_col(t, "week", LAKE_T_INT32);
    etl_add_col(t, "month", LAKE_T_INT32);
    etl_add_col(t, "year", LAKE_T_INT32);
    etl_add_col(t, "weekday", LAKE_T_INT32);
    t->part_cols[0] = 5;
    t->part_cols[1] = 4;
    t->npart = 2;
    *src = (etl_rowsrc){s, time_peek, time_take, no_error, time_free, s->n};
}

/* ---- songplays ------------------------------------------------------------------------------- */

typedef struct {
    play_merge m;
    const song_catalog *cat;
    uint64_t next_id;
    const play_rec *parts_of; /* play whose time parts are in p */
    lake_time_parts p;
} plays_src;

static const lake_time_parts *play_parts(plays_src *s, const play_rec *r) {
    if (s->parts_of != r) {
        lake_time_parts_from_us(r->ts * 1000, &s->p);
        s->parts_of = r;
    }
    return &s->p;
}

static bool plays_peek(void *ud, int64_t *part) {
    plays_src *s = ud;
    const play_rec *r = etl_play_merge_peek(&s->m);
    if (!r)
        return false;
    *part = year_month(play_parts(s, r));
    return true;
}

static void plays_take(void *ud, etl_table *t) {
    plays_src *s = ud;
    const play_rec *r = etl_play_merge_peek(&s->m);
    const song_rec *song = &s->cat->songs[r->song];
    const lake_time_parts *p = play_parts(s, r);
    lake_col_push_i64(&t->cols[0], (int64_t)++s->next_id);
    lake_col_push_i64(&t->cols[1], r->ts * 1000);
    lake_col_push_i32(&t->cols[2], r->user_id);
    etl_push_str(&t->cols[3], r->level);
    etl_push_str(&t->cols[4], song->song_id);
    etl_push_str(&t->cols[5], song->artist_id);
    etl_push_i64(&t->cols[6], r->session);
    etl_push_str(&t->cols[7], r->location);
    etl_push_str(&t->cols[8], r->user_agent);
    lake_col_push_i32(&t->cols[9], p->year);
    lake_col_push_i32(&t->cols[10], p->month);
    s->parts_of = NULL; /* the block the play was in may be refilled */
    etl_play_merge_next(&s->m);
}

static lake_rc plays_status(void *ud, lake_error *err) {
    plays_src *s = ud;
    if (!s->m.failed)
        return LAKE_OK;
    *err = s->m.err;
    return err->rc ? err->rc : LAKE_ERR_IO;
}

static void plays_free(void *ud) {
    plays_src *s = ud;
    etl_play_merge_free(&s->m);
    free(s);
}

void etl_songplays_source(event_state *states, unsigned n, const song_catalog *c, etl_table *t,
                          etl_rowsrc *src) {
    plays_src *s = lake_xcalloc(1, sizeof *s);
    etl_play_merge_init(&s->m, states, n);
    s->cat = c;
    memset(t, 0, sizeof *t);
    t->name = "songplays";
    etl_add_col(t, "songplay_id", LAKE_T_INT64);
    etl_add_col(t, "start_time", LAKE_T_TIMESTAMP_US);
    etl_add_col(t, "user_id", LAKE_T_INT32);
    etl_add_col(t, "level", LAKE_T_STRING);
    etl_add_col(t, "song_id", LAKE_T_STRING);
    etl_add_col(t, "artist_id", LAKE_T_STRING);
    etl_add_col(t, "session_id", LAKE_T_INT64);
    etl_add_col(t, "location", LAKE_T_STRING);
    etl_add_col(t, "user_agent", LAKE_T_STRING);
    etl_add_col(t, "year", LAKE_T_INT32);
    etl_add_col(t, "month", LAKE_T_INT32);
    t->part_cols[0] = 9;
    t->part_cols[1] = 10;
    t->npart = 2;
    *src = (etl_rowsrc){s, plays_peek, plays_take, plays_status, plays_free, s->m.total};
}
