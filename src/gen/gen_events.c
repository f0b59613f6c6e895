/* log_data/ for November 2018: users, their sessions and the events of each day as NDJSON. */
#include "gen/gen_emit.h"
#include "gen/gen_events.h"
#include "gen/gen_words.h"
#include "json/emit.h"

#include <stdio.h>
#include <string.h>

void gen_put_event_json(lake_buf *b, const gen_event *e) {
    const gen_user *u = e->u;
    int f = e->str_flags;
    gen_put(b, "{\"artist\":");
    gen_put_str(b, e->artist, f);
    gen_put(b, u ? ",\"auth\":\"Logged In\",\"firstName\":"
                 : ",\"auth\":\"Logged Out\",\"firstName\":");
    gen_put_str(b, u ? u->first : NULL, u ? u->name_flags : 0);
    gen_put(b, ",\"gender\":");
    gen_put_str(b, u ? u->gender : NULL, 0);
    gen_put(b, ",\"itemInSession\":");
    lj_emit_i64(b, e->item);
    gen_put(b, ",\"lastName\":");
    gen_put_str(b, u ? u->last : NULL, u ? u->name_flags : 0);
    gen_put(b, ",\"length\":");
    if (e->length_text)
        gen_put(b, e->length_text);
    else if (e->has_length)
        gen_put_fixed5(b, e->length5);
    else
        gen_put(b, "null");
    gen_put(b, ",\"level\":\"");
    gen_put(b, e->level);
    gen_put(b, "\",\"location\":");
    gen_put_str(b, u ? u->location : NULL, 0);
    gen_put(b, strcmp(e->page, "NextSong") == 0 ? ",\"method\":\"PUT\",\"page\":\""
                                                : ",\"method\":\"GET\",\"page\":\"");
    gen_put(b, e->page);
    gen_put(b, "\",\"registration\":");
    if (u) {
        lj_emit_i64(b, u->registration);
        gen_put(b, ".0");
    } else {
        gen_put(b, "null");
    }
    gen_put(b, ",\"sessionId\":");
    lj_emit_i64(b, e->session);
    gen_put(b, ",\"song\":");
    gen_put_str(b, e->song, f);
    gen_put(b, ",\"status\":");
    lj_emit_i64(b, e->status);
    if (e->has_ts) {
        gen_put(b, ",\"ts\":");
        lj_emit_i64(b, e->ts);
    }
    gen_put(b, ",\"userAgent\":");
    gen_put_str(b, u ? u->agent : NULL, GEN_ESC_SLASH);
    gen_put(b, ",");
    if (e->extra)
        gen_put(b, e->extra);
    gen_put(b, "\"userId\":");
    gen_put_str(b, e->user_id ? e->user_id : u ? u->id : "", 0);
    gen_put(b, "}");
}

void gen_make_users(gen_ctx *c, gen_rng *r) {
    uint64_t n = 20 + c->o->events / 1000;
    if (n > 10000)
        n = 10000;
    c->nusers = (size_t)n;
    c->users = lake_xcalloc(c->nusers + 4, sizeof *c->users);
    int64_t nov1 = gen_ms_at(2018, 11, 1, 0, 0, 0, 0);
    for (size_t i = 0; i < c->nusers; i++) {
        gen_user *u = &c->users[i];
        snprintf(u->id, sizeof u->id, "%zu", i + 2); /* like Sparkify: small integers */
        u->first = gen_first_names[gen_rng_below(r, gen_nfirst_names)];
        u->last = gen_last_names[gen_rng_below(r, gen_nlast_names)];
        u->gender = gen_rng_permille(r, 500) ? "F" : "M";
        u->location = gen_user_locations[gen_rng_below(r, gen_nuser_locations)];
        u->agent = gen_user_agents[gen_rng_below(r, gen_nuser_agents)];
        u->registration = nov1 - 1000 - (int64_t)gen_rng_below(r, 90ull * 86400000);
        uint64_t k = gen_rng_below(r, 10);
        u->upgrade_ts = k < 3   ? INT64_MIN                                           /* paid */
                        : k < 6 ? INT64_MAX                                           /* free */
                                : nov1 + (int64_t)gen_rng_below(r, 30ull * 86400000); /* upgrade */
    }
}

const char *gen_level_at(const gen_user *u, int64_t ts) {
    return ts >= u->upgrade_ts ? "paid" : "free";
}

/* Fills e as a NextSong of user u at ts: ~40% a real song record, else a random one. */
static void next_song(gen_ctx *c, gen_rng *r, gen_event *e) {
    e->page = "NextSong";
    e->status = 200;
    if (gen_rng_permille(r, 400) && c->nsongs) {
        const gen_song *s = &c->songs[gen_rng_below(r, c->nsongs)];
        e->artist = s->artist_name;
        e->song = s->title;
        e->has_length = true;
        e->length5 = s->dur5;
        e->length_text = s->ev_len_text ? s->ev_len_text : s->dur_text;
        e->str_flags = (int)gen_rng_below(r, 8) & c->o->edge_cases * 7;
    } else {
        e->artist = gen_words[gen_rng_below(r, gen_nwords)];
        e->song = gen_words[gen_rng_below(r, gen_nwords)];
        e->has_length = true;
        e->length5 = 3000000 + (int64_t)gen_rng_below(r, 57000000);
    }
}

/* Appends one session of up to `budget` events starting at ts; returns the events written. */
static uint64_t put_session(gen_ctx *c, gen_rng *r, int64_t ts, uint64_t budget) {
    gen_user *u = &c->users[gen_rng_below(r, c->nusers)];
    uint64_t n = 1 + gen_rng_below(r, 40);
    if (n > budget)
        n = budget;
    int64_t session = c->next_session++;
    bool logout_at_end = n >= 3 && gen_rng_permille(r, 200);
    for (uint64_t i = 0; i < n; i++) {
        gen_event e;
        memset(&e, 0, sizeof e);
        e.u = u;
        e.item = (int64_t)i;
        e.session = session;
        e.ts = ts;
        e.has_ts = true;
        e.level = gen_level_at(u, ts);
        if (logout_at_end && i + 2 == n) {
            e.page = "Logout";
            e.status = 307;
        } else if (logout_at_end && i + 1 == n) {
            e.u = NULL;
            e.page = gen_rng_permille(r, 500) ? "Home" : "Login";
            e.status = 200;
        } else if (gen_rng_permille(r, 150)) {
            e.page = "Home";
            e.status = 200;
        } else {
            next_song(c, r, &e);
        }
        gen_put_event_json(&c->buf, &e);
        lake_buf_putc(&c->buf, '\n');
        ts += e.has_length ? e.length5 / 100 : 1000 + (int64_t)gen_rng_below(r, 60000);
    }
    return n;
}

lake_rc gen_write_days(gen_ctx *c, lake_error *err) {
    lake_rc rc = LAKE_OK;
    const unsigned ndays = 30;
    c->next_session = 1;
    for (unsigned d = 1; d <= ndays && !rc; d++) {
        gen_rng r;
        gen_rng_seed(&r, c->o->seed, 1000 + d);
        uint64_t quota = c->o->events / ndays + (d <= c->o->events % ndays ? 1 : 0);
        uint64_t day_events = quota;
        int64_t day0 = gen_ms_at(2018, 11, d, 0, 0, 0, 0);
        int64_t prev_start = day0;
        lake_buf_resize(&c->buf, 0);
        while (quota) {
            int64_t start = day0 + (int64_t)gen_rng_below(&r, 86400000 - 3600000);
            /* Different users at the same instant now and then. */
            if (c->o->edge_cases && gen_rng_permille(&r, 20))
                start = prev_start;
            prev_start = start;
            quota -= put_session(c, &r, start, quota);
        }
        bool gz = c->o->edge_cases && d == ndays;
        if (c->o->edge_cases && d % 7 == 0 && c->buf.len)
            c->buf.len--; /* no final newline */
        char key[80];
        snprintf(key, sizeof key, "log_data/2018/11/2018-11-%02u-events.json%s", d,
                 gz ? ".gz" : "");
        rc = gen_put_object(c, key, day_events, err);
    }
    return rc;
}
