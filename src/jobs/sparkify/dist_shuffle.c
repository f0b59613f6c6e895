/* The shuffle of a cluster run (dist.h): users to the users table's rank, timestamps and
 * songplays to the rank owning their month. Months are dealt out in time order, contiguous runs
 * of about equal weight (the distinct timestamps each rank saw per month, which track the
 * events), so rank r's songplays all sort before rank r+1's and each (year, month) partition of
 * time and songplays is written by one rank. */
#include "base/civil.h"
#include "cluster/strtab.h"
#include "jobs/sparkify/dist.h"
#include "jobs/sparkify/plays.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t *keys; /* year * 16 + month, ascending */
    uint64_t *weight;
    int *owner;
    size_t n;
    /* The month of the last lookup, [lo, hi) in ms: a worker's timestamps come mostly in
     * order, so nearly every lookup is two comparisons, not a calendar split. */
    int64_t lo, hi, key;
    int key_owner;
} months;

static int64_t month_of(months *m, int64_t ts_ms) {
    if (ts_ms >= m->lo && ts_ms < m->hi)
        return m->key;
    int64_t y;
    int mo, d;
    lake_civil_from_days(lake_floor_div(ts_ms, 86400000), &y, &mo, &d);
    m->lo = lake_days_from_civil(y, mo, 1) * 86400000;
    m->hi = lake_days_from_civil(mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1, 1) * 86400000;
    m->key = y * 16 + mo;
    m->key_owner = -1;
    return m->key;
}

/* The index of key in m (which has it), or where it would go. */
static size_t month_find(const months *m, int64_t key) {
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void month_add(months *m, int64_t key, uint64_t w) {
    size_t i = month_find(m, key);
    if (i < m->n && m->keys[i] == key) {
        m->weight[i] += w;
        return;
    }
    m->keys = lake_xrealloc(m->keys, (m->n + 1) * sizeof *m->keys);
    m->weight = lake_xrealloc(m->weight, (m->n + 1) * sizeof *m->weight);
    memmove(m->keys + i + 1, m->keys + i, (m->n - i) * sizeof *m->keys);
    memmove(m->weight + i + 1, m->weight + i, (m->n - i) * sizeof *m->weight);
    m->keys[i] = key;
    m->weight[i] = w;
    m->n++;
}

static void months_free(months *m) {
    free(m->keys);
    free(m->weight);
    free(m->owner);
}

/* Every rank's months and weights, merged, each given to a rank: month i goes to the rank whose
 * share of the total weight holds the middle of month i's weight. */
static void deal_months(cl_comm *c, const event_state *states, unsigned n, months *m) {
    months local = {0}, seen = {0}; /* [lo, hi) empty: no month looked up yet */
    for (unsigned s = 0; s < n; s++)
        for (size_t i = 0; i < states[s].nts; i++)
            month_add(&local, month_of(&seen, states[s].ts[i]), 1);
    lake_buf mine, all;
    lake_buf_init(&mine);
    lake_buf_init(&all);
    for (size_t i = 0; i < local.n; i++) {
        cl_put_u64(&mine, (uint64_t)local.keys[i]);
        cl_put_u64(&mine, local.weight[i]);
    }
    uint64_t *lens = lake_xcalloc((size_t)c->size, sizeof *lens), total = 0;
    cl_allgather(c, &mine, &all, lens);
    cl_reader r = {all.data, all.data + all.len, false};
    while (cl_more(&r)) {
        int64_t key = (int64_t)cl_get_u64(&r);
        uint64_t w = cl_get_u64(&r);
        month_add(m, key, w);
        total += w;
    }
    m->owner = lake_xcalloc(m->n + 1, sizeof *m->owner);
    unsigned __int128 before = 0;
    for (size_t i = 0; i < m->n; i++) {
        unsigned __int128 mid = 2 * before + m->weight[i];
        int o = total ? (int)(mid * (unsigned)c->size / (2 * (unsigned __int128)total)) : 0;
        m->owner[i] = o < c->size ? o : c->size - 1;
        before += m->weight[i];
    }
    free(lens);
    lake_buf_free(&mine);
    lake_buf_free(&all);
    months_free(&local);
}

static int owner_of(months *m, int64_t ts) {
    int64_t key = month_of(m, ts);
    if (m->key_owner < 0) {
        size_t i = month_find(m, key);
        m->key_owner = i < m->n ? m->owner[i] : 0; /* every month a rank has was dealt */
    }
    return m->key_owner;
}

typedef struct {
    cl_comm *c;
    event_state *states;
    event_state *into; /* the rows that stay on this rank (produce) */
    event_state recv;  /* the rows received (consume, on the exchange's second thread) */
    unsigned n;
    eng_worker *w;
    months m;
    int users_rank;
    unsigned s;      /* producer's position: state ... */
    size_t i;        /* ... and row in it */
    play_merge pm;   /* the songplays, read back from memory and spilled runs */
    cl_strtab *tabs; /* per destination: the strings of this round's message */
    int64_t *last;   /* per destination: the ts of its previous songplay this round */
} shuffle_job;

static lake_str intern(eng_worker *w, lake_str s) {
    return s.ptr ? eng_intern(w, s.ptr, s.len) : s;
}

static lake_rc bad_message(int from, lake_error *err) {
    return lake_error_set(err, LAKE_ERR_INTERNAL, "a malformed shuffle message from rank %d", from);
}

/* ---- users ----------------------------------------------------------------------------------- */

/* The same user from several ranks or workers: spk_build_users keeps the latest. */
static void push_user(event_state *st, const user_rec *u) {
    if (st->nusers == st->capusers) {
        st->capusers = st->capusers ? st->capusers * 2 : 256;
        st->users = lake_xrealloc(st->users, st->capusers * sizeof *st->users);
    }
    st->users[st->nusers++] = *u;
}

/* Rows that stay on this rank are moved as they are (their strings live in this rank's worker
 * arenas); the others are encoded for their rank. */
static bool produce_users(void *ud, lake_buf *out, size_t chunk) {
    shuffle_job *j = ud;
    lake_buf *b = &out[j->users_rank];
    for (; j->s < j->n; j->s++, j->i = 0)
        for (; j->i < j->states[j->s].nusers; j->i++) {
            if (b->len >= chunk)
                return true;
            const user_rec *u = &j->states[j->s].users[j->i];
            if (j->users_rank == j->c->rank) {
                push_user(j->into, u);
                continue;
            }
            cl_put_u64(b, (uint64_t)(int64_t)u->user_id);
            cl_put_u64(b, (uint64_t)u->ts);
            cl_put_opt_i64(b, u->session);
            cl_put_opt_i64(b, u->item);
            cl_put_str(b, u->first);
            cl_put_str(b, u->last);
            cl_put_str(b, u->gender);
            cl_put_str(b, u->level);
            cl_put_u64(b, u->ord);
        }
    return false;
}

static lake_rc consume_users(void *ud, int from, const uint8_t *data, size_t len, lake_error *err) {
    shuffle_job *j = ud;
    cl_reader r = {data, data + len, false};
    while (cl_more(&r)) {
        user_rec u;
        u.user_id = (int32_t)(int64_t)cl_get_u64(&r);
        u.ts = (int64_t)cl_get_u64(&r);
        u.session = cl_get_opt_i64(&r);
        u.item = cl_get_opt_i64(&r);
        u.first = intern(j->w, cl_get_str(&r));
        u.last = intern(j->w, cl_get_str(&r));
        u.gender = intern(j->w, cl_get_str(&r));
        u.level = intern(j->w, cl_get_str(&r));
        u.ord = cl_get_u64(&r);
        if (r.bad)
            return bad_message(from, err);
        push_user(&j->recv, &u);
    }
    return LAKE_OK;
}

/* ---- timestamps ------------------------------------------------------------------------------ */

static void push_ts(event_state *st, const int64_t *ts, size_t n) {
    if (n == 0)
        return;
    if (st->nts + n > st->capts) {
        st->capts = (st->nts + n) * 2;
        st->ts = lake_xrealloc(st->ts, st->capts * sizeof *st->ts);
    }
    memcpy(st->ts + st->nts, ts, n * sizeof *ts);
    st->nts += n;
}

/* Timestamps as differences to the previous one in the round's message (a worker's are mostly
 * ascending): a byte or two each instead of eight. */
static bool produce_ts(void *ud, lake_buf *out, size_t chunk) {
    shuffle_job *j = ud;
    size_t queued = 0;
    for (int d = 0; d < j->c->size; d++)
        j->last[d] = 0;
    for (; j->s < j->n; j->s++, j->i = 0)
        for (; j->i < j->states[j->s].nts; j->i++) {
            if (queued >= chunk)
                return true;
            int64_t ts = j->states[j->s].ts[j->i];
            int to = owner_of(&j->m, ts);
            if (to == j->c->rank) {
                push_ts(j->into, &ts, 1);
                continue;
            }
            size_t before = out[to].len;
            cl_put_svarint(&out[to], ts - j->last[to]);
            j->last[to] = ts;
            queued += out[to].len - before;
        }
    return false;
}

static lake_rc consume_ts(void *ud, int from, const uint8_t *data, size_t len, lake_error *err) {
    shuffle_job *j = ud;
    cl_reader r = {data, data + len, false};
    int64_t ts = 0;
    while (cl_more(&r)) {
        ts += cl_get_svarint(&r);
        if (r.bad)
            return bad_message(from, err);
        push_ts(&j->recv, &ts, 1);
    }
    return LAKE_OK;
}

/* ---- songplays ------------------------------------------------------------------------------- */

/* A songplay in a round's message to one rank: integers as varints, ts as the difference to
 * the previous one (the merge gives them in time order), strings once per message (strtab.h).
 * About 25 bytes a songplay instead of 130 at L. */
static void put_opt(lake_buf *b, lake_opt_i64 x) {
    cl_put_varint(b, x.ok);
    if (x.ok)
        cl_put_svarint(b, x.v);
}

static lake_opt_i64 get_opt(cl_reader *r) {
    lake_opt_i64 x = {0, cl_get_varint(r) != 0};
    if (x.ok)
        x.v = cl_get_svarint(r);
    return x;
}

static void put_play(lake_buf *b, cl_strtab *tab, int64_t *last, const play_rec *p) {
    cl_put_svarint(b, p->ts - *last);
    *last = p->ts;
    cl_put_svarint(b, p->user_id);
    put_opt(b, p->session);
    put_opt(b, p->item);
    cl_put_varint(b, p->song);
    cl_put_str_tab(b, tab, p->level);
    cl_put_str_tab(b, tab, p->location);
    cl_put_str_tab(b, tab, p->user_agent);
    cl_put_varint(b, p->ord);
}

/* Appends a copy of p (padding zeroed: spilled runs are written as raw bytes) and spills once
 * the state holds spill_at plays. */
static void push_play(event_state *st, const play_rec *p) {
    if (st->nplays == st->capplays) {
        st->capplays = st->capplays ? st->capplays * 2 : 1024;
        st->plays = lake_xrealloc(st->plays, st->capplays * sizeof *st->plays);
    }
    play_rec *q = &st->plays[st->nplays++];
    memset(q, 0, sizeof *q);
    q->ts = p->ts;
    q->user_id = p->user_id;
    q->session = p->session;
    q->item = p->item;
    q->song = p->song;
    q->level = p->level;
    q->location = p->location;
    q->user_agent = p->user_agent;
    q->ord = p->ord;
    spk_plays_maybe_spill(st);
}

static bool own_run(shuffle_job *j, const play_run *run) {
    int64_t first, last;
    return spk_plays_run_bounds(run, &first, &last) && owner_of(&j->m, first) == j->c->rank &&
           owner_of(&j->m, last) == j->c->rank;
}

/* The plays that stay on this rank skip the merge, the copy and a second spill: a run whose
 * first and last plays are this rank's moves to `into` as it is (months are dealt in time order,
 * so every play between them is this rank's too), and so do this rank's plays in memory. */
static void keep_own_plays(shuffle_job *j) {
    for (unsigned s = 0; s < j->n; s++) {
        event_state *st = &j->states[s];
        size_t runs = 0, plays = 0;
        for (size_t k = 0; k < st->nruns; k++)
            if (own_run(j, &st->runs[k]))
                spk_plays_add_run(j->into, st->runs[k]);
            else
                st->runs[runs++] = st->runs[k];
        st->nruns = runs;
        for (size_t i = 0; i < st->nplays; i++)
            if (owner_of(&j->m, st->plays[i].ts) == j->c->rank)
                push_play(j->into, &st->plays[i]);
            else
                st->plays[plays++] = st->plays[i];
        st->nplays = plays;
    }
}

static bool produce_plays(void *ud, lake_buf *out, size_t chunk) {
    shuffle_job *j = ud;
    size_t queued = 0;
    for (int d = 0; d < j->c->size; d++) { /* a new message to every rank */
        cl_strtab_reset(&j->tabs[d]);
        j->last[d] = 0;
    }
    const play_rec *p;
    while (queued < chunk && (p = spk_play_merge_peek(&j->pm)) != NULL) {
        int to = owner_of(&j->m, p->ts);
        if (to == j->c->rank) {
            push_play(j->into, p);
        } else {
            size_t before = out[to].len;
            put_play(&out[to], &j->tabs[to], &j->last[to], p);
            queued += out[to].len - before;
        }
        spk_play_merge_next(&j->pm);
    }
    return spk_play_merge_peek(&j->pm) != NULL;
}

static lake_str keep_interned(void *ud, lake_str s) {
    return intern(ud, s);
}

static lake_rc consume_plays(void *ud, int from, const uint8_t *data, size_t len, lake_error *err) {
    shuffle_job *j = ud;
    cl_reader r = {data, data + len, false};
    cl_strvec strs = {0};
    int64_t last = 0;
    while (cl_more(&r)) {
        play_rec p;
        p.ts = last += cl_get_svarint(&r);
        p.user_id = (int32_t)cl_get_svarint(&r);
        p.session = get_opt(&r);
        p.item = get_opt(&r);
        p.song = (uint32_t)cl_get_varint(&r);
        p.level = cl_get_str_tab(&r, &strs, keep_interned, j->w);
        p.location = cl_get_str_tab(&r, &strs, keep_interned, j->w);
        p.user_agent = cl_get_str_tab(&r, &strs, keep_interned, j->w);
        p.ord = cl_get_varint(&r);
        if (r.bad)
            break;
        push_play(&j->recv, &p);
    }
    cl_strvec_free(&strs);
    return r.bad ? bad_message(from, err) : LAKE_OK;
}

/* ---- the shuffle ----------------------------------------------------------------------------- */

static lake_rc exchange(shuffle_job *j, bool (*produce)(void *, lake_buf *, size_t),
                        lake_rc (*consume)(void *, int, const uint8_t *, size_t, lake_error *),
                        lake_error *err) {
    j->s = 0;
    j->i = 0;
    cl_exchange_fns f = {produce, consume, j, true};
    return cl_exchange(j->c, CL_EXCHANGE_CHUNK, &f, err);
}

/* The rows received join those that stayed: runs as they are, the rest copied. */
static void take_received(event_state *into, event_state *recv) {
    for (size_t i = 0; i < recv->nusers; i++)
        push_user(into, &recv->users[i]);
    push_ts(into, recv->ts, recv->nts);
    for (size_t k = 0; k < recv->nruns; k++)
        spk_plays_add_run(into, recv->runs[k]);
    recv->nruns = 0;
    for (size_t i = 0; i < recv->nplays; i++)
        push_play(into, &recv->plays[i]);
    if (recv->spill_failed && !into->spill_failed) {
        into->spill_failed = true;
        into->spill_err = recv->spill_err;
    }
    spk_event_state_free(recv);
}

lake_rc spk_dist_shuffle(cl_comm *c, event_state *states, unsigned n, event_state *into,
                         eng_worker *w, lake_error *err) {
    shuffle_job j = {.c = c, .states = states, .into = into, .n = n, .w = w};
    j.recv.spill_at = into->spill_at;
    j.tabs = lake_xcalloc((size_t)c->size, sizeof *j.tabs);
    j.last = lake_xcalloc((size_t)c->size, sizeof *j.last);
    j.users_rank = spk_users_rank(c->size);
    deal_months(c, states, n, &j.m);
    lake_error e[3] = {{0}, {0}, {0}};
    lake_rc rc[3];
    rc[0] = exchange(&j, produce_users, consume_users, &e[0]);
    rc[1] = exchange(&j, produce_ts, consume_ts, &e[1]);
    keep_own_plays(&j);
    spk_play_merge_init(&j.pm, states, n);
    rc[2] = exchange(&j, produce_plays, consume_plays, &e[2]);
    take_received(into, &j.recv);
    if (!rc[2] && j.pm.failed) {
        e[2] = j.pm.err;
        rc[2] = e[2].rc ? e[2].rc : LAKE_ERR_IO;
    }
    if (!rc[2] && into->spill_failed) {
        e[2] = into->spill_err;
        rc[2] = lake_error_prefix(&e[2], "spilling songplays: ");
    }
    spk_play_merge_free(&j.pm);
    for (int d = 0; d < c->size; d++)
        cl_strtab_free(&j.tabs[d]);
    free(j.tabs);
    free(j.last);
    for (unsigned s = 0; s < n; s++)
        spk_event_state_free(&states[s]);
    months_free(&j.m);
    for (int k = 0; k < 3; k++)
        if (rc[k]) {
            *err = e[k];
            return rc[k];
        }
    return LAKE_OK;
}
