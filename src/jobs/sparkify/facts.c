/* Transform of the event facts into row sources, both in final order: the time dimension from
 * the distinct timestamps, and songplays with their ids from the merge of the sorted plays. */
#include "jobs/sparkify/sparkify.h"
#include "jobs/sparkify/plays.h"
#include "base/civil.h"
#include "base/sort.h"

#include <stdlib.h>
#include <string.h>

/* The time table's keys are the workers' timestamp vectors, held once: each vector is cut into
 * its ascending runs and the time source merges the runs as it hands out rows. A worker reads
 * its logs in listing order (compressed ones first, scan.c), so logs in time order make a vector
 * of one run or two. A vector with more runs than its share of TS_MERGE_RUNS (logs not quite in
 * time order, as `lake gen` writes them) is sorted and deduplicated in place instead, which
 * costs a temporary copy of that vector; past TS_MERGE_RUNS workers all are copied into one. */
#define TS_MERGE_RUNS 16

typedef struct {
    const int64_t *ts; /* strictly ascending */
    size_t n, pos;
} ts_run;

typedef struct {
    int64_t **vecs; /* owned: the workers' vectors */
    unsigned nvecs;
    ts_run *runs;
    size_t nruns;
} ts_runs;

static size_t count_runs(const int64_t *ts, size_t n) {
    size_t runs = n > 0;
    for (size_t i = 1; i < n; i++)
        runs += ts[i] <= ts[i - 1];
    return runs;
}

static size_t sort_unique(int64_t *ts, size_t n) {
    lake_sort_i64(ts, n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || ts[m - 1] != ts[i])
            ts[m++] = ts[i];
    return m;
}

static void add_runs(ts_runs *r, const int64_t *ts, size_t n) {
    size_t start = 0;
    for (size_t i = 1; i <= n; i++)
        if (i == n || ts[i] <= ts[i - 1]) {
            r->runs[r->nruns++] = (ts_run){ts + start, i - start, 0};
            start = i;
        }
}

/* All the workers' values in one vector, sorted and deduplicated: for more workers than
 * TS_MERGE_RUNS, where merging by scanning the heads would cost too much per row. */
static int64_t *concat_sorted(event_state *states, unsigned n, size_t *len) {
    size_t total = 0, k = 0;
    for (unsigned s = 0; s < n; s++)
        total += states[s].nts;
    int64_t *all = lake_xcalloc(total + 1, sizeof *all);
    for (unsigned s = 0; s < n; s++) {
        if (states[s].nts)
            memcpy(all + k, states[s].ts, states[s].nts * sizeof *all);
        k += states[s].nts;
        free(states[s].ts);
        states[s].ts = NULL;
        states[s].nts = states[s].capts = 0;
    }
    *len = sort_unique(all, total);
    return all;
}

/* Takes the workers' vectors (no copy up to TS_MERGE_RUNS workers) and cuts them into runs. */
static void take_runs(event_state *states, unsigned n, ts_runs *r) {
    if (n > TS_MERGE_RUNS) {
        size_t len;
        r->vecs = lake_xcalloc(1, sizeof *r->vecs);
        r->vecs[r->nvecs++] = concat_sorted(states, n, &len);
        r->runs = lake_xcalloc(count_runs(r->vecs[0], len) + 1, sizeof *r->runs);
        add_runs(r, r->vecs[0], len);
        return;
    }
    size_t share = n ? TS_MERGE_RUNS / n : 1, total = 0;
    for (unsigned s = 0; s < n; s++) {
        size_t k = count_runs(states[s].ts, states[s].nts);
        if (k > share) {
            states[s].nts = sort_unique(states[s].ts, states[s].nts);
            /* Counted again, not assumed to be one: the runs array is sized from the counts and
             * add_runs cuts whatever it is given, so a sort that left anything out of order
             * would make it write past the array instead of merely merging more runs. */
            k = count_runs(states[s].ts, states[s].nts);
        }
        total += k;
    }
    r->vecs = lake_xcalloc(n ? n : 1, sizeof *r->vecs);
    r->runs = lake_xcalloc(total ? total : 1, sizeof *r->runs);
    for (unsigned s = 0; s < n; s++) {
        r->vecs[r->nvecs++] = states[s].ts;
        add_runs(r, states[s].ts, states[s].nts);
        states[s].ts = NULL;
        states[s].nts = states[s].capts = 0;
    }
}

static void free_runs(ts_runs *r) {
    for (unsigned v = 0; v < r->nvecs; v++)
        free(r->vecs[v]);
    free(r->vecs);
    free(r->runs);
}

/* The run holding the least head, or -1 when all are done. */
static long least_run(const ts_run *runs, size_t n) {
    long best = -1;
    for (size_t r = 0; r < n; r++)
        if (runs[r].pos < runs[r].n &&
            (best < 0 || runs[r].ts[runs[r].pos] < runs[best].ts[runs[best].pos]))
            best = (long)r;
    return best;
}

/* Moves every run whose head is v past it. */
static void skip_value(ts_run *runs, size_t n, int64_t v) {
    for (size_t r = 0; r < n; r++)
        if (runs[r].pos < runs[r].n && runs[r].ts[runs[r].pos] == v)
            runs[r].pos++;
}

static size_t count_distinct(const ts_run *runs, size_t n) {
    ts_run *view = lake_xcalloc(n ? n : 1, sizeof *view);
    memcpy(view, runs, n * sizeof *view);
    size_t distinct = 0;
    for (long b; (b = least_run(view, n)) >= 0; distinct++)
        skip_value(view, n, view[b].ts[view[b].pos]);
    free(view);
    return distinct;
}

/* Partition number of (year, month): equal exactly for rows of the same partition. */
static int64_t year_month(const lake_time_parts *p) {
    return (int64_t)p->year * 16 + p->month;
}

/* ---- time ------------------------------------------------------------------------------------ */

typedef struct {
    ts_runs r;         /* merged as rows are taken */
    long head;         /* run holding the next timestamp, or -1 when all are taken */
    lake_time_parts p; /* parts of the next timestamp */
} time_src;

static void time_next(time_src *s) {
    s->head = least_run(s->r.runs, s->r.nruns);
    if (s->head >= 0)
        lake_time_parts_from_us(s->r.runs[s->head].ts[s->r.runs[s->head].pos] * 1000, &s->p);
}

static bool time_peek(void *ud, int64_t *part) {
    time_src *s = ud;
    if (s->head < 0)
        return false;
    *part = year_month(&s->p);
    return true;
}

/* Pushes one row into the columns in the order schema.c defines them. */
static void time_take(void *ud, eng_table *t) {
    time_src *s = ud;
    const lake_time_parts *p = &s->p;
    const ts_run *run = &s->r.runs[s->head];
    int64_t ts = run->ts[run->pos];
    lake_col_push_i64(&t->cols[0], ts * 1000);
    lake_col_push_i32(&t->cols[1], p->hour);
    lake_col_push_i32(&t->cols[2], p->day);
    lake_col_push_i32(&t->cols[3], p->week);
    lake_col_push_i32(&t->cols[4], p->month);
    lake_col_push_i32(&t->cols[5], p->year);
    lake_col_push_i32(&t->cols[6], p->weekday);
    skip_value(s->r.runs, s->r.nruns, ts);
    time_next(s);
}

static lake_rc no_error(void *ud, lake_error *err) {
    (void)ud;
    (void)err;
    return LAKE_OK;
}

static void time_free(void *ud) {
    time_src *s = ud;
    free_runs(&s->r);
    free(s);
}

void spk_time_source(event_state *states, unsigned n, eng_table *t, eng_rowsrc *src) {
    time_src *s = lake_xcalloc(1, sizeof *s);
    take_runs(states, n, &s->r);
    size_t rows = count_distinct(s->r.runs, s->r.nruns);
    time_next(s);
    spk_table_shell(LAKE_TABLE_TIME, t);
    *src = (eng_rowsrc){s, time_peek, time_take, no_error, time_free, rows};
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
    const play_rec *r = spk_play_merge_peek(&s->m);
    if (!r)
        return false;
    *part = year_month(play_parts(s, r));
    return true;
}

/* Pushes one row into the columns in the order schema.c defines them. */
static void plays_take(void *ud, eng_table *t) {
    plays_src *s = ud;
    const play_rec *r = spk_play_merge_peek(&s->m);
    const song_rec *song = &s->cat->songs[r->song];
    const lake_time_parts *p = play_parts(s, r);
    lake_col_push_i64(&t->cols[0], (int64_t)++s->next_id);
    lake_col_push_i64(&t->cols[1], r->ts * 1000);
    lake_col_push_i32(&t->cols[2], r->user_id);
    lake_col_push_opt_str(&t->cols[3], r->level);
    lake_col_push_opt_str(&t->cols[4], song->song_id);
    lake_col_push_opt_str(&t->cols[5], song->artist_id);
    lake_col_push_opt_i64(&t->cols[6], r->session);
    lake_col_push_opt_str(&t->cols[7], r->location);
    lake_col_push_opt_str(&t->cols[8], r->user_agent);
    lake_col_push_i32(&t->cols[9], p->year);
    lake_col_push_i32(&t->cols[10], p->month);
    s->parts_of = NULL; /* the block the play was in may be refilled */
    spk_play_merge_next(&s->m);
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
    spk_play_merge_free(&s->m);
    free(s);
}

void spk_songplays_source(event_state *states, unsigned n, const song_catalog *c, uint64_t id_base,
                          eng_table *t, eng_rowsrc *src) {
    plays_src *s = lake_xcalloc(1, sizeof *s);
    spk_play_merge_init(&s->m, states, n);
    s->cat = c;
    s->next_id = id_base;
    spk_table_shell(LAKE_TABLE_SONGPLAYS, t);
    *src = (eng_rowsrc){s, plays_peek, plays_take, plays_status, plays_free, s->m.total};
}
