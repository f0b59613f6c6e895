/* The songs catalogue: random artists and songs, the fixed catalogue of awkward songs, and
 * duplicates of song ids across files. */
#include "gen/gen_songs.h"

#include "gen/gen_emit.h"
#include "gen/gen_words.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

static char *rand_id(gen_ctx *c, gen_rng *r, const char *prefix, size_t n) {
    size_t pl = strlen(prefix);
    char *s = lake_arena_alloc(c->arena, pl + n + 1);
    memcpy(s, prefix, pl);
    for (size_t i = 0; i < n; i++)
        s[pl + i] = alnum[gen_rng_below(r, 36)];
    s[pl + n] = 0;
    return s;
}

static char *rand_words(gen_ctx *c, gen_rng *r, unsigned minw, unsigned maxw) {
    char tmp[256];
    size_t len = 0;
    unsigned n = minw + (unsigned)gen_rng_below(r, maxw - minw + 1);
    for (unsigned i = 0; i < n; i++) {
        const char *w = gen_words[gen_rng_below(r, gen_nwords)];
        len += (size_t)snprintf(tmp + len, sizeof tmp - len, "%s%s", i ? " " : "", w);
    }
    return lake_arena_strndup(c->arena, tmp, len);
}

static gen_song *song_add(gen_ctx *c) {
    if (c->nsongs == c->capsongs) {
        c->capsongs = c->capsongs ? c->capsongs * 2 : 1024;
        c->songs = lake_xrealloc(c->songs, c->capsongs * sizeof *c->songs);
    }
    gen_song *s = &c->songs[c->nsongs++];
    memset(s, 0, sizeof *s);
    return s;
}

static void song_track(gen_rng *r, gen_song *s) {
    s->track[0] = 'T';
    s->track[1] = 'R';
    for (int i = 2; i < 5; i++)
        s->track[i] = (char)('A' + gen_rng_below(r, 26));
    for (int i = 5; i < 18; i++)
        s->track[i] = alnum[gen_rng_below(r, 36)];
    s->track[18] = 0;
}

void gen_song_from_artist(gen_song *s, const gen_artist *a) {
    s->artist = a;
    s->artist_name = a->name;
    s->location = a->location;
    s->has_latlon = a->has_latlon;
    s->lat5 = a->lat5;
    s->lon5 = a->lon5;
}

void gen_make_artists(gen_ctx *c, gen_rng *r) {
    c->nartists = c->o->songs / 2 + 1;
    c->artists = lake_xcalloc(c->nartists, sizeof *c->artists);
    for (size_t i = 0; i < c->nartists; i++) {
        gen_artist *a = &c->artists[i];
        a->id = rand_id(c, r, "AR", 16);
        if (gen_rng_permille(r, 500)) {
            char tmp[128];
            int n = snprintf(tmp, sizeof tmp, "%s %s",
                             gen_first_names[gen_rng_below(r, gen_nfirst_names)],
                             gen_last_names[gen_rng_below(r, gen_nlast_names)]);
            a->name = lake_arena_strndup(c->arena, tmp, (size_t)n);
        } else {
            a->name = rand_words(c, r, 1, 3);
        }
        uint64_t lk = gen_rng_below(r, 10);
        a->location = lk < 4   ? gen_artist_locations[gen_rng_below(r, gen_nartist_locations)]
                      : lk < 8 ? ""
                               : NULL;
        if (!c->o->edge_cases && !a->location)
            a->location = "";
        a->has_latlon = gen_rng_permille(r, 400) || !c->o->edge_cases;
        a->lat5 = (int64_t)gen_rng_below(r, 18000000) - 9000000;
        a->lon5 = (int64_t)gen_rng_below(r, 36000000) - 18000000;
    }
}

void gen_make_random_songs(gen_ctx *c, gen_rng *r) {
    for (uint64_t i = 0; i < c->o->songs; i++) {
        gen_song *s = song_add(c);
        song_track(r, s);
        s->song_id = rand_id(c, r, "SO", 16);
        s->title = rand_words(c, r, 1, 4);
        gen_song_from_artist(s, &c->artists[gen_rng_below(r, c->nartists)]);
        s->dur5 = 3000000 + (int64_t)gen_rng_below(r, 57000000);
        s->year = gen_rng_permille(r, 500) ? 0 : 1950 + (int)gen_rng_below(r, 61);
        if (!c->o->edge_cases && s->year == 0)
            s->year = 1999;
    }
}

/* The fixed catalogue of awkward songs (edge_cases). Each exists to break a naive reader. */
void gen_make_edge_songs(gen_ctx *c, gen_rng *r) {
    static const gen_artist special[] = {
        {"ARUNICODE000000001", "Bj\xc3\xb6rk Gu\xc3\xb0mundsd\xc3\xb3ttir", "Reykjav\xc3\xadk",
         true, 6413000, -2190000},
        {"ARCJK0000000000002", "\xe5\x9d\x82\xe6\x9c\xac\xe9\xbe\x8d\xe4\xb8\x80",
         "\xe6\x9d\xb1\xe4\xba\xac", false, 0, 0},
        {"AR/ESC:ID=1%2 x", "Escaped Id Band", "Somewhere/Else", true, 100000, -100000},
        {"AR#?*'\"[]{}^\\", "Punctuation Crew", "", false, 0, 0},
        {"AR\x01"
         "CTRL\x7f"
         "DEL\tTAB",
         "Control Freaks", NULL, false, 0, 0},
        {"AR/../../../tmp/x", "Path Climbers", "..", false, 0, 0},
        {"AR%41", "Percent Forty One", "100%", false, 0, 0},
        {"AR\xc3\x9cnicode \xf0\x9f\x8e\xb8", "Umlaut Guitar", NULL, false, 0, 0},
        {"ARMULTINAME0000001", "Multi Name (first)", "First Town, TX", true, 3014968, -9004892},
        {"ARDUPLICATE0000001", "Dup Artist", "Dupville", false, 0, 0},
    };
    enum { N_SPECIAL = NELEM(special) };
    gen_artist *sa = lake_arena_alloc(c->arena, sizeof special);
    memcpy(sa, special, sizeof special);

    struct {
        int artist;
        const char *title;
        const char *dur_text; /* NULL: from dur5 */
        int64_t dur5;
        int year;
        int flags;
        const char *ev_len_text;
    } t[] = {
        {0, "J\xc3\xb3ga", NULL, 30526000, 1997, 0, NULL},
        {0, "Hyperballad \xf0\x9f\x8e\x89 Party", NULL, 32186122, 1995, GEN_ESC_UNICODE, NULL},
        {1, "\xe6\x88\xa6\xe5\xa0\xb4\xe3\x81\xae\xe3\x83\xa1\xe3\x83\xaa\xe3\x83\xbc", NULL,
         27713000, 1983, GEN_ESC_UNICODE | GEN_ESC_UPPER, NULL},
        {2, "He said \"Hi\" \\ back/slash", NULL, 18000001, 2001, GEN_ESC_SLASH, NULL},
        {2, "Tab\there\nand newline", NULL, 19912345, 0, 0, NULL},
        {3, "Integer Duration", "240", 0, 2005, 0, "2.4e2"},
        {3, "Seventeen Digits", "123.45678901234567", 0, 2006, 0, "1.2345678901234567e2"},
        {4, "Null Year", NULL, 21000000, -1, GEN_ESC_UNICODE, NULL},
        {5, "Climb", NULL, 20000000, 1999, 0, NULL},
        {6, "Percent", NULL, 20100000, 1999, 0, NULL},
        {7, "Unicode Id", NULL, 20200000, 2010, 0, NULL},
        {8, "First Name Song", NULL, 20300000, 1990, 0, NULL},
        {8, "Second Name Song", NULL, 20400000, 1991, 0, NULL},
        {8, "Third Name Song", NULL, 20500000, 1992, 0, NULL},
        {9, "Twin Song", NULL, 25000000, 2000, 0, NULL},
        {9, "Twin Song", NULL, 25000000, 2000, 0, NULL},
        {9, NULL, NULL, 25100000, 2000, 0, NULL},
        {9, "Null Duration", "null", 0, 2000, 0, NULL},
        {9, "Tiny Duration", "1e-5", 0, 2000, 0, "0.00001"},
    };
    for (size_t i = 0; i < NELEM(t); i++) {
        gen_song *s = song_add(c);
        song_track(r, s);
        s->song_id = rand_id(c, r, "SOEDGE", 12);
        s->title = t[i].title;
        gen_song_from_artist(s, &sa[t[i].artist]);
        s->dur5 = t[i].dur5;
        s->dur_text = t[i].dur_text;
        s->ev_len_text = t[i].ev_len_text;
        s->year = t[i].year;
        s->str_flags = t[i].flags;
    }
    /* Same artist_id, differing names and locations: the artists table takes the first record. */
    gen_song *multi = &c->songs[c->nsongs - 7];
    multi->artist_name = "Multi Name (second)";
    multi->location = "Second City, IL";
    multi->has_latlon = false;
    multi = &c->songs[c->nsongs - 6];
    multi->artist_name = "Multi \xe2\x80\x94 Third";
    multi->location = NULL;
    /* Unknown fields, nested, with brackets and quotes inside strings. */
    c->songs[c->nsongs - 1].extra =
        "\"extra\": {\"nested\": [1, 2.5e300, {\"a\": \"}{][\\\"\"}], \"t\": true}, \"zz\": null, ";
    c->songs[c->nsongs - 2].extra = "\"genre\": \"rock\", ";
    /* The same song_id twice in one file (written together, last): the first one wins. */
    for (int i = 0; i < 2; i++) {
        gen_song *s = song_add(c);
        song_track(r, s);
        gen_song_from_artist(s, &sa[9]);
        s->song_id = "SOEDGEWITHINFILE01";
        s->title = i ? "Within File Second" : "Within File First";
        s->dur5 = i ? 26000000 : 26100000;
        s->year = i ? 2002 : 2001;
    }
}

/* Duplicate song_ids in other files with other values: the first in key order must win. */
void gen_make_duplicates(gen_ctx *c, gen_rng *r, size_t n) {
    size_t base = c->nsongs;
    for (size_t i = 0; i < n && base; i++) {
        size_t orig = (size_t)gen_rng_below(r, base);
        gen_song *s = song_add(c); /* may move c->songs */
        *s = c->songs[orig];
        song_track(r, s);
        s->title = rand_words(c, r, 2, 3);
        s->dur_text = NULL;
        s->ev_len_text = NULL;
        s->dur5 = 3000000 + (int64_t)gen_rng_below(r, 57000000);
        s->year = s->year == 2011 ? 1980 : 2011;
        s->extra = NULL;
    }
}

static int song_by_track(const void *a, const void *b) {
    const gen_song *x = a, *y = b;
    int r = strcmp(x->track, y->track);
    return r ? r : strcmp(x->song_id, y->song_id);
}

void gen_sort_songs(gen_ctx *c) {
    qsort(c->songs, c->nsongs, sizeof *c->songs, song_by_track);
}
