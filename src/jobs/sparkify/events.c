/* log_data: NextSong events into per-worker state: latest user facts, distinct timestamps, and
 * songplays joined against the catalog. */
#include "jobs/sparkify/sparkify.h"
#include "jobs/sparkify/plays.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    E_PAGE,
    E_USER_ID,
    E_TS,
    E_SESSION,
    E_ITEM,
    E_FIRST,
    E_LAST,
    E_GENDER,
    E_LEVEL,
    E_SONG,
    E_ARTIST,
    E_LENGTH,
    E_LOCATION,
    E_AGENT,
    E_NFIELDS
};

const char *const spk_event_fields[] = {
    "page",   "userId", "ts",   "sessionId", "itemInSession", "firstName", "lastName",
    "gender", "level",  "song", "artist",    "length",        "location",  "userAgent"};
const size_t spk_event_nfields = E_NFIELDS;

typedef struct {
    int32_t user_id;
    int64_t ts;
    lake_opt_i64 session, item;
    lake_str first, last, gender, level, song, artist, location, agent;
    lake_opt_f64 length;
} event_rec;

typedef struct {
    const song_catalog *cat;
    event_state *states; /* one per worker */
} events_job;

/* userId arrives as a string ("10") in Sparkify logs; a JSON integer is accepted too. */
static bool parse_user_id(const lj_value *v, int32_t *out, char *why) {
    if (v->kind == LJ_INT && v->i >= INT32_MIN && v->i <= INT32_MAX) {
        *out = (int32_t)v->i;
        return true;
    }
    if (v->kind == LJ_MISSING || v->kind == LJ_NULL || (v->kind == LJ_STRING && v->len == 0)) {
        snprintf(why, ENG_WHY, "NextSong event without userId");
        return false;
    }
    if (v->kind == LJ_STRING && v->len < 16) {
        char tmp[16], *end;
        memcpy(tmp, v->s, v->len);
        tmp[v->len] = '\0';
        errno = 0;
        long long x = strtoll(tmp, &end, 10);
        bool digits = tmp[0] == '-' || (tmp[0] >= '0' && tmp[0] <= '9');
        if (digits && *end == '\0' && errno == 0 && x >= INT32_MIN && x <= INT32_MAX) {
            *out = (int32_t)x;
            return true;
        }
    }
    snprintf(why, ENG_WHY, "field 'userId': expected a 32-bit integer (as string or number)");
    return false;
}

/* Strings of e are views into the JSON scratch: only what is kept gets interned. */
static bool event_from_values(const lj_value *v, event_rec *e, char *why) {
    lake_opt_i64 ts;
    if (!parse_user_id(&v[E_USER_ID], &e->user_id, why) || !eng_get_i64(&v[E_TS], "ts", &ts, why) ||
        !eng_get_i64(&v[E_SESSION], "sessionId", &e->session, why) ||
        !eng_get_i64(&v[E_ITEM], "itemInSession", &e->item, why) ||
        !eng_get_view(&v[E_FIRST], "firstName", &e->first, why) ||
        !eng_get_view(&v[E_LAST], "lastName", &e->last, why) ||
        !eng_get_view(&v[E_GENDER], "gender", &e->gender, why) ||
        !eng_get_view(&v[E_LEVEL], "level", &e->level, why) ||
        !eng_get_view(&v[E_SONG], "song", &e->song, why) ||
        !eng_get_view(&v[E_ARTIST], "artist", &e->artist, why) ||
        !eng_get_f64(&v[E_LENGTH], "length", &e->length, why) ||
        !eng_get_view(&v[E_LOCATION], "location", &e->location, why) ||
        !eng_get_view(&v[E_AGENT], "userAgent", &e->agent, why))
        return false;
    if (!ts.ok) {
        snprintf(why, ENG_WHY, "NextSong event without ts");
        return false;
    }
    if (ts.v > INT64_MAX / 1000 || ts.v < INT64_MIN / 1000) {
        snprintf(why, ENG_WHY, "field 'ts': %lld ms is out of the timestamp range",
                 (long long)ts.v);
        return false;
    }
    e->ts = ts.v;
    return true;
}

static int cmp_opt(lake_opt_i64 a, lake_opt_i64 b) {
    if (a.ok != b.ok)
        return a.ok ? 1 : -1; /* null sorts first */
    return a.v < b.v ? -1 : a.v > b.v;
}

/* Is event (ts, session, item, ord) later than the stored user state? Input order breaks ties. */
static bool later_than(const event_rec *e, uint64_t ord, const user_rec *u) {
    if (e->ts != u->ts)
        return e->ts > u->ts;
    int c = cmp_opt(e->session, u->session);
    if (!c)
        c = cmp_opt(e->item, u->item);
    return c ? c > 0 : ord > u->ord;
}

/* The user's slot, created empty (ts = INT64_MIN) on its first event. */
static uint32_t user_slot(event_state *st, int32_t user_id) {
    uint32_t idx = (uint32_t)st->nusers;
    if (lake_imap_upsert(&st->user_index, user_id, &idx))
        return idx;
    if (st->nusers == st->capusers) {
        st->capusers = st->capusers ? st->capusers * 2 : 256;
        st->users = lake_xrealloc(st->users, st->capusers * sizeof *st->users);
        st->hints = lake_xrealloc(st->hints, st->capusers * sizeof *st->hints);
    }
    memset(&st->users[idx], 0, sizeof st->users[idx]);
    memset(&st->hints[idx], 0, sizeof st->hints[idx]);
    st->users[idx].user_id = user_id;
    st->users[idx].ts = INT64_MIN;
    st->nusers++;
    return idx;
}

static void update_user(eng_worker *w, event_state *st, uint32_t idx, const event_rec *e,
                        uint64_t ord) {
    user_rec *u = &st->users[idx];
    user_hints *h = &st->hints[idx];
    if (u->ts != INT64_MIN && !later_than(e, ord, u))
        return;
    *u = (user_rec){e->user_id,
                    e->ts,
                    e->session,
                    e->item,
                    eng_intern_hint(w, e->first, &h->first),
                    eng_intern_hint(w, e->last, &h->last),
                    eng_intern_hint(w, e->gender, &h->gender),
                    eng_intern_hint(w, e->level, &h->level),
                    ord};
}

static void push_play(eng_worker *w, event_state *st, user_hints *h, const event_rec *e,
                      uint64_t ord, uint32_t song) {
    if (st->nplays == st->capplays) {
        st->capplays = st->capplays ? st->capplays * 2 : 1024;
        st->plays = lake_xrealloc(st->plays, st->capplays * sizeof *st->plays);
    }
    play_rec *p = &st->plays[st->nplays++];
    memset(p, 0, sizeof *p); /* padding included: spilled runs are written as raw bytes */
    p->ts = e->ts;
    p->user_id = e->user_id;
    p->session = e->session;
    p->item = e->item;
    p->song = song;
    p->level = eng_intern_hint(w, e->level, &h->level);
    p->location = eng_intern_hint(w, e->location, &h->location);
    p->user_agent = eng_intern_hint(w, e->agent, &h->agent);
    p->ord = ord;
    spk_plays_maybe_spill(st);
}

/* Distinct timestamps: log files are mostly in time order, so dropping consecutive repeats
 * keeps the vector near the distinct count; the rest is deduplicated after sorting. */
static void push_ts(event_state *st, int64_t ts) {
    if (st->nts && st->ts[st->nts - 1] == ts)
        return;
    if (st->nts == st->capts) {
        st->capts = st->capts ? st->capts * 2 : 4096;
        st->ts = lake_xrealloc(st->ts, st->capts * sizeof *st->ts);
    }
    st->ts[st->nts++] = ts;
}

static void join_songs(eng_worker *w, const song_catalog *cat, event_state *st, user_hints *h,
                       const event_rec *e, uint64_t ord) {
    if (!e->song.ptr || !e->artist.ptr || !e->length.ok)
        return;
    spk_join_key(&w->key, e->song, e->artist, e->length.v);
    uint32_t link;
    if (!lake_smap_get(&cat->by_key, w->key.data, (uint32_t)w->key.len, &link))
        return;
    for (; link != UINT32_MAX; link = cat->chain[2 * link + 1])
        push_play(w, st, h, e, ord, cat->chain[2 * link]);
}

static bool is_next_song(const lj_value *page) {
    return page->kind == LJ_STRING && page->len == 8 && !memcmp(page->s, "NextSong", 8);
}

/* eng_scan handler: job is the events_job. */
static int on_event(void *ctx, const lj_record *rec, const lj_value *vals) {
    eng_scan_file *f = ctx;
    events_job *j = f->job;
    event_state *st = &j->states[f->worker];
    uint64_t ord = ENG_ORD(f->obj, f->rec);
    char why[ENG_WHY];
    event_rec e;
    /* A repeated page key leaves open whether the event feeds the tables: bad whatever its page.
     * Other keys are checked only where the fields are (NextSong events). */
    bool page_dup = vals[E_PAGE].dup;
    if (!page_dup && !is_next_song(&vals[E_PAGE]))
        return 0;
    st->nextsong += !page_dup;
    memset(&e, 0, sizeof e);
    if (!eng_check_dup_keys(rec, why) || !event_from_values(vals, &e, why)) {
        eng_reject_add(f->w, f->source, f->obj, rec->line, why, rec->raw, rec->raw_len);
        return 0;
    }
    uint32_t idx = user_slot(st, e.user_id);
    update_user(f->w, st, idx, &e, ord);
    push_ts(st, e.ts);
    join_songs(f->w, j->cat, st, &st->hints[idx], &e, ord);
    return 0;
}

lake_rc spk_extract_events(lake_store *in, eng_input *input, unsigned threads, eng_worker *workers,
                           const song_catalog *cat, event_state *states, lake_error *err) {
    events_job j = {cat, states};
    return eng_scan(in, input, threads, workers, on_event, &j, "log", err);
}

void spk_event_state_free(event_state *s) {
    lake_imap_free(&s->user_index);
    free(s->ts);
    free(s->users);
    free(s->hints);
    free(s->plays);
    spk_plays_free_runs(s);
    memset(s, 0, sizeof *s);
}
