/* song_data/: each song record as JSON, and the files holding them (one object a file, several
 * concatenated or one per line, pretty-printed, compressed, without a final newline). */
#include "gen/gen_emit.h"
#include "gen/gen_songs.h"
#include "json/emit.h"

#include <stdio.h>
#include <string.h>

void gen_put_song_json(lake_buf *b, const gen_song *s, bool pretty) {
    const char *nl = pretty ? "\n    " : " ";
    int f = s->str_flags;
    gen_put(b, pretty ? "{\n    " : "{");
    if (s->extra)
        gen_put(b, s->extra);
    gen_put(b, "\"num_songs\": 1,");
    gen_put(b, nl);
    if (!s->omit || strcmp(s->omit, "artist_id") != 0) {
        gen_put(b, "\"artist_id\": ");
        gen_put_str(b, s->artist->id, f);
        gen_put(b, ",");
        gen_put(b, nl);
    }
    gen_put(b, "\"artist_latitude\": ");
    if (s->has_latlon)
        gen_put_fixed5(b, s->lat5);
    else
        gen_put(b, "null");
    gen_put(b, ",");
    gen_put(b, nl);
    gen_put(b, "\"artist_longitude\": ");
    if (s->has_latlon)
        gen_put_fixed5(b, s->lon5);
    else
        gen_put(b, "null");
    gen_put(b, ",");
    gen_put(b, nl);
    gen_put(b, "\"artist_location\": ");
    gen_put_str(b, s->location, f);
    gen_put(b, ",");
    gen_put(b, nl);
    gen_put(b, "\"artist_name\": ");
    gen_put_str(b, s->artist_name, f);
    gen_put(b, ",");
    gen_put(b, nl);
    if (!s->omit || strcmp(s->omit, "song_id") != 0) {
        gen_put(b, "\"song_id\": ");
        gen_put_str(b, s->song_id, f);
        gen_put(b, ",");
        gen_put(b, nl);
    }
    gen_put(b, "\"title\": ");
    gen_put_str(b, s->title, f);
    gen_put(b, ",");
    gen_put(b, nl);
    gen_put(b, "\"duration\": ");
    if (s->dur_text)
        gen_put(b, s->dur_text);
    else
        gen_put_fixed5(b, s->dur5);
    gen_put(b, ",");
    gen_put(b, nl);
    gen_put(b, "\"year\": ");
    if (s->year < 0)
        gen_put(b, "null");
    else
        lj_emit_i64(b, s->year);
    gen_put(b, pretty ? "\n}" : "}");
}

typedef enum { SF_ONE, SF_CONCAT, SF_LINES, SF_PRETTY } song_style;

/* One song file holding songs[idx[0..n)] in the given style. */
static lake_rc write_song_file(gen_ctx *c, const size_t *idx, size_t n, song_style style,
                               bool final_newline, const char *ext, lake_error *err) {
    const gen_song *first = &c->songs[idx[0]];
    char key[96];
    snprintf(key, sizeof key, "song_data/%c/%c/%c/%s%s", first->track[2], first->track[3],
             first->track[4], first->track, ext);
    lake_buf_resize(&c->buf, 0);
    for (size_t i = 0; i < n; i++) {
        if (i && style == SF_CONCAT)
            gen_put(&c->buf, i % 2 ? "" : " ");
        gen_put_song_json(&c->buf, &c->songs[idx[i]], style == SF_PRETTY);
        if (style != SF_CONCAT && (i + 1 < n || final_newline))
            lake_buf_putc(&c->buf, '\n');
    }
    if (style == SF_CONCAT && final_newline)
        lake_buf_putc(&c->buf, '\n');
    return gen_put_object(c, key, n, err);
}

lake_rc gen_write_songs(gen_ctx *c, gen_rng *r, size_t first_edge, lake_error *err) {
    lake_rc rc = LAKE_OK;
    size_t idx[8];
    size_t i = 0, group = 0;
    while (i < c->nsongs && !rc) {
        if (c->o->edge_cases && i + 2 == c->nsongs) {
            idx[0] = i;
            idx[1] = i + 1;
            rc = write_song_file(c, idx, 2, SF_CONCAT, true, ".json", err);
            i += 2;
            continue;
        }
        if (c->o->edge_cases && i >= first_edge) {
            /* The special songs: group a few so that several layouts appear among them. */
            size_t left = c->nsongs - 2 - i;
            size_t k = group++ % 5;
            song_style st = k == 0 ? SF_PRETTY : k == 1 ? SF_LINES : k == 2 ? SF_CONCAT : SF_ONE;
            size_t n = st == SF_ONE || st == SF_PRETTY ? 1 : (left < 3 ? left : 3);
            for (size_t j = 0; j < n; j++)
                idx[j] = i + j;
            const char *ext = k == 3 ? ".json.gz" : k == 4 ? ".json.zst" : ".json";
            rc = write_song_file(c, idx, n, st, k != 1, ext, err);
            i += n;
            continue;
        }
        size_t n = 1;
        song_style st = SF_ONE;
        if (c->o->edge_cases && gen_rng_permille(r, 30)) {
            n = 2 + (size_t)gen_rng_below(r, 3);
            st = gen_rng_permille(r, 500) ? SF_CONCAT : SF_LINES;
        }
        size_t end = c->o->edge_cases ? first_edge : c->nsongs;
        if (n > end - i)
            n = end - i;
        for (size_t j = 0; j < n; j++)
            idx[j] = i + j;
        bool nl = !c->o->edge_cases || !gen_rng_permille(r, 100);
        rc = write_song_file(c, idx, n, st, nl, ".json", err);
        i += n;
    }
    return rc;
}
