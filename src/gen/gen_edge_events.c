/* The fixed catalogue of awkward events (edge_cases), in files of their own. */
#include "gen/gen_emit.h"
#include "gen/gen_events.h"

#include <stdio.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The fixed catalogue of awkward events (edge_cases): year boundaries for ISO weeks, matches of
 * each special song under other escapings, unusual users. */
lake_rc gen_write_edge_events(gen_ctx *c, size_t first_edge, lake_error *err) {
    gen_user *big = &c->users[c->nusers];
    memset(big, 0, sizeof *big);
    snprintf(big->id, sizeof big->id, "2147483647");
    big->first = "Zo\xc3\xab";
    big->last = "O'Brien-\xc3\x85str\xc3\xb6m";
    big->gender = "F";
    big->location = "M\xc3\xbcnchen, BY";
    big->agent = "\"Mozilla/5.0 (compatible; \\\"quoted\\\")\"";
    big->registration = gen_ms_at(2018, 1, 1, 0, 0, 0, 1);
    big->upgrade_ts = gen_ms_at(2020, 12, 31, 12, 0, 0, 0);
    big->name_flags = GEN_ESC_UNICODE;
    gen_user *u1 = &c->users[0];
    gen_user *u2 = &c->users[c->nusers > 1 ? 1 : 0];

    static const struct {
        const char *key;
        int y;
        unsigned m, d, hh, mm, ss, ms;
    } files[] = {
        {"log_data/2018/12/2018-12-31-events.json", 2018, 12, 30, 23, 59, 59, 999},
        {"log_data/2019/01/2019-01-01-events.json", 2018, 12, 31, 23, 59, 59, 999},
        {"log_data/2020/12/2020-12-31-events.json.zst", 2020, 12, 31, 0, 0, 0, 0},
        {"log_data/2021/01/2021-01-03-events.json.gz", 2021, 1, 3, 23, 59, 59, 0},
    };
    lake_rc rc = LAKE_OK;
    size_t nspecial = c->nsongs - first_edge;
    for (size_t f = 0; f < NELEM(files) && !rc; f++) {
        lake_buf_resize(&c->buf, 0);
        int64_t ts = gen_ms_at(files[f].y, files[f].m, files[f].d, files[f].hh, files[f].mm,
                               files[f].ss, files[f].ms);
        bool crlf = f == 1;
        int64_t session = 3000000000ll + (int64_t)f;
        for (size_t i = 0; i < nspecial + 4; i++) {
            gen_event e;
            memset(&e, 0, sizeof e);
            e.u = i % 3 == 0 ? big : i % 3 == 1 ? u1 : u2;
            e.item = (int64_t)i;
            e.session = session;
            e.ts = ts;
            e.has_ts = true;
            e.level = gen_level_at(e.u, ts);
            e.page = "NextSong";
            e.status = 200;
            if (i < nspecial) {
                const gen_song *s = &c->songs[first_edge + i];
                e.artist = s->artist_name;
                e.song = s->title;
                e.has_length = true;
                e.length5 = s->dur5;
                e.length_text = s->ev_len_text ? s->ev_len_text : s->dur_text;
                e.str_flags = (int)((f + i) % 8); /* each file escapes differently */
            } else if (i == nspecial) {
                e.artist = NULL; /* a NextSong with nothing to match */
                e.song = NULL;
            } else {
                e.artist = "No Such Artist";
                e.song = "No Such Song";
                e.has_length = true;
                e.length5 = 12345678;
                e.extra = "\"unknownField\":{\"x\":[1,{\"y\":\"]}\"}]},";
            }
            gen_put_event_json(&c->buf, &e);
            gen_put(&c->buf, crlf ? "\r\n" : "\n");
            if (i == 2 && f == 1)
                gen_put(&c->buf, "\r\n"); /* a blank line */
            /* Crosses the boundary after a few events; two users share each instant. */
            if (i % 2 == 1)
                ts += 1;
            if (i == 3)
                ts = gen_ms_at(files[f].y, files[f].m, files[f].d, 0, 0, 0, 0) + 86400000;
        }
        /* The day after: ISO week changes on Monday. */
        for (int k = 0; k < 3; k++) {
            gen_event e;
            memset(&e, 0, sizeof e);
            e.u = k == 2 ? NULL : u1;
            e.item = 100 + k;
            e.session = session;
            e.ts = ts + 86400000ll * (k + 1);
            e.has_ts = true;
            e.level = e.u ? gen_level_at(e.u, e.ts) : "free";
            e.page = k == 2 ? "Home" : "NextSong";
            e.status = 200;
            if (k < 2) {
                e.artist = "Pavement";
                e.song = "Mercy:The Laundromat";
                e.has_length = true;
                e.length5 = 9916036;
            }
            gen_put_event_json(&c->buf, &e);
            if (k < 2 || f != 1)
                gen_put(&c->buf, crlf ? "\r\n" : "\n");
        }
        rc = gen_put_object(c, files[f].key, nspecial + 4 + 3, err);
    }
    return rc;
}
