/* Songplays in SPEC order without holding them all. A worker sorts its plays and spills them to
 * a temporary file as one run whenever it holds spill_at of them; the merge reads every run back
 * a block at a time, together with the sorted plays still in memory, and yields the plays in
 * songplay_id order. Memory is spill_at plays per worker plus one block per run, whatever the
 * number of events. Spilled records keep their string views: the bytes live in the workers'
 * arenas, which outlive the merge, and the files never leave this process. */
#include "base/tempfile.h"
#include "jobs/sparkify/plays.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK_PLAYS 1024 /* records read from a run at a time */

/* SPEC order of songplay ids: (ts, user_id, session_id, itemInSession, song_id); input order
 * settles exact duplicates. The catalog's songs are sorted by their unique song_id, so comparing
 * song indices compares song_ids without touching strings. */
int spk_play_order(const void *a, const void *b) {
    const play_rec *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->user_id != y->user_id)
        return x->user_id < y->user_id ? -1 : 1;
    int r = lake_opt_i64_cmp(x->session, y->session);
    if (!r)
        r = lake_opt_i64_cmp(x->item, y->item);
    if (!r && x->song != y->song)
        r = x->song < y->song ? -1 : 1;
    if (!r)
        r = x->ord < y->ord ? -1 : x->ord > y->ord;
    return r;
}

static lake_rc write_all(int fd, const void *data, size_t len, lake_error *err) {
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return lake_error_set(err, LAKE_ERR_IO, "writing a temporary file: %s",
                                  n < 0 ? strerror(errno) : "no space written");
        p += n;
        len -= (size_t)n;
    }
    return LAKE_OK;
}

static bool sorted(const play_rec *p, size_t n) {
    for (size_t i = 1; i < n; i++)
        if (spk_play_order(&p[i - 1], &p[i]) > 0)
            return false;
    return true;
}

/* Sorts st's plays in memory. Those a cluster's shuffle delivered come in order already:
 * checking is cheaper than sorting. */
static void sort_plays(event_state *st) {
    if (!sorted(st->plays, st->nplays))
        qsort(st->plays, st->nplays, sizeof *st->plays, spk_play_order);
}

static lake_rc spill(event_state *st, lake_error *err) {
    sort_plays(st);
    int fd = lake_temp_fd(err);
    if (fd < 0)
        return LAKE_ERR_IO;
    lake_rc rc = write_all(fd, st->plays, st->nplays * sizeof *st->plays, err);
    if (rc) {
        close(fd);
        return rc;
    }
    spk_plays_add_run(st, (play_run){fd, st->nplays});
    st->nplays = 0;
    return LAKE_OK;
}

void spk_plays_add_run(event_state *st, play_run run) {
    st->runs = lake_xrealloc(st->runs, (st->nruns + 1) * sizeof *st->runs);
    st->runs[st->nruns++] = run;
}

bool spk_plays_run_bounds(const play_run *run, int64_t *first, int64_t *last) {
    play_rec r;
    if (run->n == 0 || pread(run->fd, &r, sizeof r, 0) != (ssize_t)sizeof r)
        return false;
    *first = r.ts;
    if (pread(run->fd, &r, sizeof r, (off_t)((run->n - 1) * sizeof r)) != (ssize_t)sizeof r)
        return false;
    *last = r.ts;
    return true;
}

void spk_plays_maybe_spill(event_state *st) {
    if (!st->spill_at || st->nplays < st->spill_at || st->spill_failed)
        return;
    if (spill(st, &st->spill_err))
        st->spill_failed = true; /* plays stay in memory; the run reports the error */
}

void spk_plays_free_runs(event_state *st) {
    for (size_t i = 0; i < st->nruns; i++)
        close(st->runs[i].fd);
    free(st->runs);
    st->runs = NULL;
    st->nruns = 0;
}

/* ---- merge ----------------------------------------------------------------------------------- */

/* Makes c's head valid: refills its block from the run when used up. False at its end. */
static bool cursor_fill(play_merge *m, play_cursor *c) {
    if (c->pos < c->n)
        return true;
    if (c->fd < 0 || c->left == 0)
        return false;
    size_t want = c->left < BLOCK_PLAYS ? c->left : BLOCK_PLAYS;
    size_t bytes = want * sizeof *c->block;
    ssize_t got = pread(c->fd, c->block, bytes, c->off);
    if (got != (ssize_t)bytes) {
        if (!m->failed)
            lake_error_set(&m->err, LAKE_ERR_IO, "reading back a temporary file of songplays: %s",
                           got < 0 ? strerror(errno) : "short read");
        m->failed = true;
        return false;
    }
    c->off += (off_t)bytes;
    c->left -= want;
    c->recs = c->block;
    c->n = want;
    c->pos = 0;
    return true;
}

static const play_rec *head(const play_merge *m, size_t k) {
    const play_cursor *c = &m->cur[m->heap[k]];
    return &c->recs[c->pos];
}

/* Heap order: the smaller head first, the lower cursor index on a tie (never happens: the order
 * is total), so the merge does not depend on how plays were split into runs. */
static bool before(const play_merge *m, size_t a, size_t b) {
    int r = spk_play_order(head(m, a), head(m, b));
    return r ? r < 0 : m->heap[a] < m->heap[b];
}

static void sift_down(play_merge *m, size_t k) {
    for (;;) {
        size_t l = 2 * k + 1, r = l + 1, best = k;
        if (l < m->nheap && before(m, l, best))
            best = l;
        if (r < m->nheap && before(m, r, best))
            best = r;
        if (best == k)
            return;
        size_t t = m->heap[k];
        m->heap[k] = m->heap[best];
        m->heap[best] = t;
        k = best;
    }
}

static void add_cursor(play_merge *m, play_cursor c) {
    m->cur[m->ncur] = c;
    if (cursor_fill(m, &m->cur[m->ncur]))
        m->heap[m->nheap++] = m->ncur;
    m->ncur++;
}

void spk_play_merge_init(play_merge *m, event_state *states, unsigned n) {
    memset(m, 0, sizeof *m);
    size_t k = 0;
    for (unsigned s = 0; s < n; s++) {
        k += states[s].nruns + 1;
        m->total += states[s].nplays;
        for (size_t r = 0; r < states[s].nruns; r++)
            m->total += states[s].runs[r].n;
    }
    m->cur = lake_xcalloc(k + 1, sizeof *m->cur);
    m->heap = lake_xcalloc(k + 1, sizeof *m->heap);
    for (unsigned s = 0; s < n; s++) {
        event_state *st = &states[s];
        sort_plays(st);
        add_cursor(m, (play_cursor){.recs = st->plays, .n = st->nplays, .fd = -1});
        for (size_t r = 0; r < st->nruns; r++) {
            play_rec *block = lake_xmalloc(BLOCK_PLAYS * sizeof *block);
            add_cursor(m,
                       (play_cursor){.fd = st->runs[r].fd, .left = st->runs[r].n, .block = block});
        }
    }
    for (size_t i = m->nheap; i-- > 0;)
        sift_down(m, i);
}

const play_rec *spk_play_merge_peek(const play_merge *m) {
    return m->nheap && !m->failed ? head(m, 0) : NULL;
}

void spk_play_merge_next(play_merge *m) {
    if (!m->nheap)
        return;
    play_cursor *c = &m->cur[m->heap[0]];
    c->pos++;
    if (!cursor_fill(m, c))
        m->heap[0] = m->heap[--m->nheap];
    sift_down(m, 0);
}

void spk_play_merge_free(play_merge *m) {
    for (size_t i = 0; i < m->ncur; i++)
        free(m->cur[i].block);
    free(m->cur);
    free(m->heap);
    memset(m, 0, sizeof *m);
}
