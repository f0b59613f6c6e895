/* bad_records: a few events and songs that a reader must reject (truncated JSON, missing or
 * wrong ids, no timestamp). */
#include "gen/gen_emit.h"
#include "gen/gen_events.h"
#include "gen/gen_songs.h"

#include <stdio.h>
#include <string.h>

lake_rc gen_write_bad_records(gen_ctx *c, lake_error *err) {
    gen_user *u = &c->users[0];
    int64_t ts = gen_ms_at(2018, 11, 15, 12, 0, 0, 0);
    lake_buf_resize(&c->buf, 0);
    const char *uids[] = {NULL, NULL, "", "abc"};
    for (int i = 0; i < 6; i++) {
        gen_event e;
        memset(&e, 0, sizeof e);
        e.u = u;
        e.item = i;
        e.session = 999999;
        e.ts = ts + i;
        e.has_ts = true;
        e.level = gen_level_at(u, ts);
        e.page = "NextSong";
        e.status = 200;
        e.artist = "Bad";
        e.song = "Record";
        e.has_length = true;
        e.length5 = 10000000;
        if (i == 1) {
            gen_put(&c->buf,
                    "{\"artist\":\"Truncated\",\"auth\":\"Logged In\",\"firstName\":\"X\n");
            continue;
        }
        if (i >= 2 && i <= 3)
            e.user_id = uids[i];
        if (i == 4)
            e.has_ts = false;
        gen_put_event_json(&c->buf, &e);
        lake_buf_putc(&c->buf, '\n');
    }
    /* Six lines: one truncated, two with unusable userIds, one without ts are bad. */
    lake_rc rc = gen_put_object(c, "log_data/2018/11/2018-11-15-zz-bad-events.json", 6, err);
    if (rc)
        return rc;
    c->stats->bad_records += 4;

    /* Songs: one without song_id (line 2 of a one-per-line file), one without artist_id. */
    gen_song s[3];
    memset(s, 0, sizeof s);
    static const gen_artist a = {"ARBADRECORD0000001", "Bad Artist", "", false, 0, 0};
    for (int i = 0; i < 3; i++) {
        snprintf(s[i].track, sizeof s[i].track, "TRZZZBADRECORD000%c", (char)('0' + i));
        s[i].song_id = i == 0 ? "SOBADRECORDGOOD001" : "SOBADRECORD0000002";
        s[i].title = "Bad Song";
        gen_song_from_artist(&s[i], &a);
        s[i].dur5 = 10000000;
        s[i].year = 2000;
    }
    s[1].omit = "song_id";
    s[2].omit = "artist_id";
    s[2].song_id = "SOBADRECORD0000003";
    lake_buf_resize(&c->buf, 0);
    for (int i = 0; i < 3; i++) {
        gen_put_song_json(&c->buf, &s[i], false);
        lake_buf_putc(&c->buf, '\n');
    }
    rc = gen_put_object(c, "song_data/Z/Z/Z/TRZZZBADRECORD0000.json", 3, err);
    if (!rc)
        c->stats->bad_records += 2; /* the songs without song_id and without artist_id */
    return rc;
}
