/* lake gen: deterministic synthetic Sparkify data.
 *
 * Shape: `songs` song records under song_data/<A>/<B>/<C>/TR<ABC><13>.json (mostly one object a
 * file, some files with several concatenated or one per line), `events` log events spread over the
 * 30 days of November 2018 in log_data/2018/11/2018-11-DD-events.json (NDJSON). With edge_cases a
 * fixed catalogue of awkward records is added on top (a few dozen songs and events, in extra
 * files); with bad_records a few records that a reader must reject are added as well.
 *
 * Determinism: every random choice comes from gen_rng streams derived from the seed; nothing
 * depends on time, addresses or thread scheduling. Generation is single-threaded and streams one
 * output object at a time, so memory is bounded by the songs catalogue plus one day's events. */
#include "lake/gen.h"

#include "gen/gen_emit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

void lake_gen_opts_default(lake_gen_opts *o) {
    o->songs = 1000;
    o->events = 10000;
    o->seed = 42;
    o->edge_cases = true;
    o->bad_records = false;
}

/* ---- word lists ---------------------------------------------------------------------------- */

static const char *const words[] = {
    "Love",  "Night",  "Heart",   "Fire",     "Rain",   "Dream",   "Blue",  "Gold",       "River",
    "Stone", "Summer", "Winter",  "Road",     "Light",  "Shadow",  "Dance", "Song",       "Moon",
    "Sun",   "City",   "Girl",    "Boy",      "Baby",   "Time",    "World", "Home",       "Ghost",
    "Wild",  "Sweet",  "Broken",  "Electric", "Silver", "Lonely",  "Crazy", "Little",     "Happy",
    "Young", "Old",    "Red",     "Black",    "White",  "Cold",    "Hot",   "Dark",       "Bright",
    "Angel", "Devil",  "Sky",     "Ocean",    "Train",  "Highway", "Mercy", "Laundromat", "Radio",
    "Star",  "Rose",   "Thunder", "Echo",     "Velvet", "Paper",   "Glass", "Iron",       "Honey"};
static const char *const first_names[] = {
    "Sylvie",  "Jacob", "Lily", "Kaylee",   "Ryan", "Chloe",  "Aleena", "Tegan",  "Jayden",
    "Matthew", "Layla", "Kate", "Mohammad", "Ava",  "Cierra", "Rylan",  "Jordan", "Harper",
    "Stefany", "Lucas", "Sara", "Wyatt",    "Noah", "Emma",   "Olivia", "Liam",   "Mia"};
static const char *const last_names[] = {
    "Cruz",    "Klein", "Koch",    "Summers", "Smith",     "Cuevas", "Kirby",  "Levine",
    "Graham",  "Jones", "Griffin", "Harrell", "Rodriguez", "Moore",  "George", "Williams",
    "Johnson", "Brown", "Garcia",  "Miller",  "Davis",     "Lopez",  "Wilson", "Taylor"};
static const char *const user_locations[] = {"Washington-Arlington-Alexandria, DC-VA-MD-WV",
                                             "Tampa-St. Petersburg-Clearwater, FL",
                                             "San Francisco-Oakland-Hayward, CA",
                                             "Portland-South Portland, ME",
                                             "Lansing-East Lansing, MI",
                                             "Chicago-Naperville-Elgin, IL-IN-WI",
                                             "Atlanta-Sandy Springs-Roswell, GA",
                                             "New York-Newark-Jersey City, NY-NJ-PA",
                                             "Birmingham-Hoover, AL",
                                             "Red Bluff, CA"};
static const char *const user_agents[] = {
    "\"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/36.0.1985.143 Safari/537.36\"",
    "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/36.0.1985.125 Safari/537.36\"",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101 Firefox/31.0",
    "\"Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like "
    "Gecko) Version/7.0 Mobile/11D257 Safari/9537.53\"",
    "Mozilla/5.0 (X11; Linux x86_64; rv:31.0) Gecko/20100101 Firefox/31.0"};
static const char *const artist_locations[] = {
    "Memphis, TN",  "Hamtramck, MI", "California - LA", "London, England",   "Fort Worth, TX",
    "New York, NY", "Chicago, IL",   "Detroit, MI",     "Kingston, Jamaica", "Paris, France"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/* ---- model --------------------------------------------------------------------------------- */

typedef struct {
    const char *id;
    const char *name;
    const char *location; /* NULL is null */
    bool has_latlon;
    int64_t lat5, lon5; /* degrees * 1e5 */
} gen_artist;

typedef struct {
    char track[19]; /* TR + 16, names the file */
    const char *song_id;
    const char *title; /* NULL is null */
    const gen_artist *artist;
    const char *artist_name; /* may differ from artist->name (same id, varying names) */
    const char *location;    /* NULL is null */
    bool has_latlon;
    int64_t lat5, lon5;
    int64_t dur5;            /* duration * 1e5, used when dur_text is NULL */
    const char *dur_text;    /* exact JSON text of the duration ("null", "240", ...) */
    const char *ev_len_text; /* how matching events write the length; NULL: same as song */
    int year;                /* -1 is null */
    int str_flags;           /* escaping in the song file */
    const char *extra;       /* raw `"k":v,` text of unknown fields, or NULL */
    const char *omit;        /* bad records: a field left out */
} gen_song;

typedef struct {
    char id[16];
    const char *first, *last, *gender, *location, *agent;
    int64_t registration;
    int64_t upgrade_ts; /* level is "paid" from this ts on; INT64_MAX never */
    int name_flags;
} gen_user;

typedef struct {
    lake_store *out;
    const lake_gen_opts *o;
    lake_arena *arena;
    gen_artist *artists;
    size_t nartists;
    gen_song *songs; /* every song record written, duplicates and specials included */
    size_t nsongs, capsongs;
    gen_user *users;
    size_t nusers;
    int64_t next_session;
    lake_buf buf, zbuf;
} gen_ctx;

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
        const char *w = words[gen_rng_below(r, NELEM(words))];
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

static void song_from_artist(gen_song *s, const gen_artist *a) {
    s->artist = a;
    s->artist_name = a->name;
    s->location = a->location;
    s->has_latlon = a->has_latlon;
    s->lat5 = a->lat5;
    s->lon5 = a->lon5;
}

static void make_artists(gen_ctx *c, gen_rng *r) {
    c->nartists = c->o->songs / 2 + 1;
    c->artists = lake_xcalloc(c->nartists, sizeof *c->artists);
    for (size_t i = 0; i < c->nartists; i++) {
        gen_artist *a = &c->artists[i];
        a->id = rand_id(c, r, "AR", 16);
        if (gen_rng_permille(r, 500)) {
            char tmp[128];
            int n = snprintf(tmp, sizeof tmp, "%s %s",
                             first_names[gen_rng_below(r, NELEM(first_names))],
                             last_names[gen_rng_below(r, NELEM(last_names))]);
            a->name = lake_arena_strndup(c->arena, tmp, (size_t)n);
        } else {
            a->name = rand_words(c, r, 1, 3);
        }
        uint64_t lk = gen_rng_below(r, 10);
        a->location = lk < 4   ? artist_locations[gen_rng_below(r, NELEM(artist_locations))]
                      : lk < 8 ? ""
                               : NULL;
        if (!c->o->edge_cases && !a->location)
            a->location = "";
        a->has_latlon = gen_rng_permille(r, 400) || !c->o->edge_cases;
        a->lat5 = (int64_t)gen_rng_below(r, 18000000) - 9000000;
        a->lon5 = (int64_t)gen_rng_below(r, 36000000) - 18000000;
    }
}

static void make_random_songs(gen_ctx *c, gen_rng *r) {
    for (uint64_t i = 0; i < c->o->songs; i++) {
        gen_song *s = song_add(c);
        song_track(r, s);
        s->song_id = rand_id(c, r, "SO", 16);
        s->title = rand_words(c, r, 1, 4);
        song_from_artist(s, &c->artists[gen_rng_below(r, c->nartists)]);
        s->dur5 = 3000000 + (int64_t)gen_rng_below(r, 57000000);
        s->year = gen_rng_permille(r, 500) ? 0 : 1950 + (int)gen_rng_below(r, 61);
        if (!c->o->edge_cases && s->year == 0)
            s->year = 1999;
    }
}

/* The fixed catalogue of awkward songs (edge_cases). Each exists to break a naive reader. */
static void make_edge_songs(gen_ctx *c, gen_rng *r) {
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
        song_from_artist(s, &sa[t[i].artist]);
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
        song_from_artist(s, &sa[9]);
        s->song_id = "SOEDGEWITHINFILE01";
        s->title = i ? "Within File Second" : "Within File First";
        s->dur5 = i ? 26000000 : 26100000;
        s->year = i ? 2002 : 2001;
    }
}

/* Duplicate song_ids in other files with other values: the first in key order must win. */
static void make_duplicates(gen_ctx *c, gen_rng *r, size_t n) {
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

/* ---- output -------------------------------------------------------------------------------- */

static void put_song_json(lake_buf *b, const gen_song *s, bool pretty) {
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
        gen_put_i64(b, s->year);
    gen_put(b, pretty ? "\n}" : "}");
}

static lake_rc compress_gz(lake_buf *in, lake_buf *out, lake_error *err) {
    z_stream z;
    memset(&z, 0, sizeof z);
    /* windowBits 31: gzip wrapper; zlib writes mtime 0, so the bytes are reproducible. */
    if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return lake_error_set(err, LAKE_ERR_CODEC, "gen: deflateInit2 failed");
    uLong bound = deflateBound(&z, (uLong)in->len);
    lake_buf_resize(out, 0);
    lake_buf_reserve(out, bound);
    z.next_in = in->data;
    z.avail_in = (uInt)in->len;
    z.next_out = out->data;
    z.avail_out = (uInt)bound;
    int zr = deflate(&z, Z_FINISH);
    out->len = bound - z.avail_out;
    deflateEnd(&z);
    if (zr != Z_STREAM_END)
        return lake_error_set(err, LAKE_ERR_CODEC, "gen: deflate failed (%d)", zr);
    return LAKE_OK;
}

static lake_rc compress_zst(lake_buf *in, lake_buf *out, lake_error *err) {
    size_t bound = ZSTD_compressBound(in->len);
    lake_buf_resize(out, 0);
    lake_buf_reserve(out, bound);
    size_t n = ZSTD_compress(out->data, bound, in->data, in->len, 3);
    if (ZSTD_isError(n))
        return lake_error_set(err, LAKE_ERR_CODEC, "gen: zstd: %s", ZSTD_getErrorName(n));
    out->len = n;
    return LAKE_OK;
}

/* Writes c->buf as key, compressed by the key's extension (.gz / .zst). */
static lake_rc put_object(gen_ctx *c, const char *key, lake_error *err) {
    size_t kl = strlen(key);
    lake_buf *src = &c->buf;
    lake_rc rc = LAKE_OK;
    if (kl > 3 && strcmp(key + kl - 3, ".gz") == 0) {
        rc = compress_gz(&c->buf, &c->zbuf, err);
        src = &c->zbuf;
    } else if (kl > 4 && strcmp(key + kl - 4, ".zst") == 0) {
        rc = compress_zst(&c->buf, &c->zbuf, err);
        src = &c->zbuf;
    }
    if (!rc)
        rc = lake_store_put(c->out, key, src->data, src->len, err);
    return rc;
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
        put_song_json(&c->buf, &c->songs[idx[i]], style == SF_PRETTY);
        if (style != SF_CONCAT && (i + 1 < n || final_newline))
            lake_buf_putc(&c->buf, '\n');
    }
    if (style == SF_CONCAT && final_newline)
        lake_buf_putc(&c->buf, '\n');
    return put_object(c, key, err);
}

static lake_rc write_songs(gen_ctx *c, gen_rng *r, size_t first_edge, lake_error *err) {
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

/* ---- events -------------------------------------------------------------------------------- */

typedef struct {
    const gen_user *u; /* NULL: logged out */
    const char *artist, *song;
    int str_flags;
    int64_t length5;
    const char *length_text; /* overrides length5; NULL with has_length false gives null */
    bool has_length;
    const char *level;
    const char *page;
    int64_t item, session, ts;
    bool has_ts;
    int status;
    const char *user_id; /* overrides u->id (bad records) */
    const char *extra;   /* unknown fields, raw `"k":v,` */
} gen_event;

static void put_event_json(lake_buf *b, const gen_event *e) {
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
    gen_put_i64(b, e->item);
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
        gen_put_i64(b, u->registration);
        gen_put(b, ".0");
    } else {
        gen_put(b, "null");
    }
    gen_put(b, ",\"sessionId\":");
    gen_put_i64(b, e->session);
    gen_put(b, ",\"song\":");
    gen_put_str(b, e->song, f);
    gen_put(b, ",\"status\":");
    gen_put_i64(b, e->status);
    if (e->has_ts) {
        gen_put(b, ",\"ts\":");
        gen_put_i64(b, e->ts);
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

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int64_t ms_at(int y, unsigned m, unsigned d, unsigned hh, unsigned mm, unsigned ss,
                     unsigned ms) {
    return days_from_civil(y, m, d) * 86400000 + (int64_t)hh * 3600000 + (int64_t)mm * 60000 +
           (int64_t)ss * 1000 + ms;
}

static void make_users(gen_ctx *c, gen_rng *r) {
    uint64_t n = 20 + c->o->events / 1000;
    if (n > 10000)
        n = 10000;
    c->nusers = (size_t)n;
    c->users = lake_xcalloc(c->nusers + 4, sizeof *c->users);
    int64_t nov1 = ms_at(2018, 11, 1, 0, 0, 0, 0);
    for (size_t i = 0; i < c->nusers; i++) {
        gen_user *u = &c->users[i];
        snprintf(u->id, sizeof u->id, "%zu", i + 2); /* like Sparkify: small integers */
        u->first = first_names[gen_rng_below(r, NELEM(first_names))];
        u->last = last_names[gen_rng_below(r, NELEM(last_names))];
        u->gender = gen_rng_permille(r, 500) ? "F" : "M";
        u->location = user_locations[gen_rng_below(r, NELEM(user_locations))];
        u->agent = user_agents[gen_rng_below(r, NELEM(user_agents))];
        u->registration = nov1 - 1000 - (int64_t)gen_rng_below(r, 90ull * 86400000);
        uint64_t k = gen_rng_below(r, 10);
        u->upgrade_ts = k < 3   ? INT64_MIN                                           /* paid */
                        : k < 6 ? INT64_MAX                                           /* free */
                                : nov1 + (int64_t)gen_rng_below(r, 30ull * 86400000); /* upgrade */
    }
}

static const char *level_at(const gen_user *u, int64_t ts) {
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
        e->artist = words[gen_rng_below(r, NELEM(words))];
        e->song = words[gen_rng_below(r, NELEM(words))];
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
        e.level = level_at(u, ts);
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
        put_event_json(&c->buf, &e);
        lake_buf_putc(&c->buf, '\n');
        ts += e.has_length ? e.length5 / 100 : 1000 + (int64_t)gen_rng_below(r, 60000);
    }
    return n;
}

static lake_rc write_days(gen_ctx *c, lake_error *err) {
    lake_rc rc = LAKE_OK;
    const unsigned ndays = 30;
    c->next_session = 1;
    for (unsigned d = 1; d <= ndays && !rc; d++) {
        gen_rng r;
        gen_rng_seed(&r, c->o->seed, 1000 + d);
        uint64_t quota = c->o->events / ndays + (d <= c->o->events % ndays ? 1 : 0);
        int64_t day0 = ms_at(2018, 11, d, 0, 0, 0, 0);
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
        rc = put_object(c, key, err);
    }
    return rc;
}

/* The fixed catalogue of awkward events (edge_cases): year boundaries for ISO weeks, matches of
 * each special song under other escapings, unusual users. */
static lake_rc write_edge_events(gen_ctx *c, size_t first_edge, lake_error *err) {
    gen_user *big = &c->users[c->nusers];
    memset(big, 0, sizeof *big);
    snprintf(big->id, sizeof big->id, "2147483647");
    big->first = "Zo\xc3\xab";
    big->last = "O'Brien-\xc3\x85str\xc3\xb6m";
    big->gender = "F";
    big->location = "M\xc3\xbcnchen, BY";
    big->agent = "\"Mozilla/5.0 (compatible; \\\"quoted\\\")\"";
    big->registration = ms_at(2018, 1, 1, 0, 0, 0, 1);
    big->upgrade_ts = ms_at(2020, 12, 31, 12, 0, 0, 0);
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
        int64_t ts = ms_at(files[f].y, files[f].m, files[f].d, files[f].hh, files[f].mm,
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
            e.level = level_at(e.u, ts);
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
            put_event_json(&c->buf, &e);
            gen_put(&c->buf, crlf ? "\r\n" : "\n");
            if (i == 2 && f == 1)
                gen_put(&c->buf, "\r\n"); /* a blank line */
            /* Crosses the boundary after a few events; two users share each instant. */
            if (i % 2 == 1)
                ts += 1;
            if (i == 3)
                ts = ms_at(files[f].y, files[f].m, files[f].d, 0, 0, 0, 0) + 86400000;
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
            e.level = e.u ? level_at(e.u, e.ts) : "free";
            e.page = k == 2 ? "Home" : "NextSong";
            e.status = 200;
            if (k < 2) {
                e.artist = "Pavement";
                e.song = "Mercy:The Laundromat";
                e.has_length = true;
                e.length5 = 9916036;
            }
            put_event_json(&c->buf, &e);
            if (k < 2 || f != 1)
                gen_put(&c->buf, crlf ? "\r\n" : "\n");
        }
        rc = put_object(c, files[f].key, err);
    }
    return rc;
}

/* ---- bad records --------------------------------------------------------------------------- */

static lake_rc write_bad_records(gen_ctx *c, lake_error *err) {
    gen_user *u = &c->users[0];
    int64_t ts = ms_at(2018, 11, 15, 12, 0, 0, 0);
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
        e.level = level_at(u, ts);
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
        put_event_json(&c->buf, &e);
        lake_buf_putc(&c->buf, '\n');
    }
    lake_rc rc = put_object(c, "log_data/2018/11/2018-11-15-zz-bad-events.json", err);
    if (rc)
        return rc;

    /* Songs: one without song_id (line 2 of a one-per-line file), one without artist_id. */
    gen_song s[3];
    memset(s, 0, sizeof s);
    static const gen_artist a = {"ARBADRECORD0000001", "Bad Artist", "", false, 0, 0};
    for (int i = 0; i < 3; i++) {
        snprintf(s[i].track, sizeof s[i].track, "TRZZZBADRECORD000%c", (char)('0' + i));
        s[i].song_id = i == 0 ? "SOBADRECORDGOOD001" : "SOBADRECORD0000002";
        s[i].title = "Bad Song";
        song_from_artist(&s[i], &a);
        s[i].dur5 = 10000000;
        s[i].year = 2000;
    }
    s[1].omit = "song_id";
    s[2].omit = "artist_id";
    s[2].song_id = "SOBADRECORD0000003";
    lake_buf_resize(&c->buf, 0);
    for (int i = 0; i < 3; i++) {
        put_song_json(&c->buf, &s[i], false);
        lake_buf_putc(&c->buf, '\n');
    }
    return put_object(c, "song_data/Z/Z/Z/TRZZZBADRECORD0000.json", err);
}

/* ---- entry --------------------------------------------------------------------------------- */

lake_rc lake_gen(lake_store *out, const lake_gen_opts *o, lake_error *err) {
    gen_ctx c;
    memset(&c, 0, sizeof c);
    c.out = out;
    c.o = o;
    c.arena = lake_arena_create(0);
    lake_buf_init(&c.buf);
    lake_buf_init(&c.zbuf);

    gen_rng r;
    gen_rng_seed(&r, o->seed, 1);
    make_artists(&c, &r);
    gen_rng_seed(&r, o->seed, 2);
    make_random_songs(&c, &r);
    gen_rng_seed(&r, o->seed, 3);
    if (o->edge_cases)
        make_duplicates(&c, &r, 1 + o->songs / 200);
    /* Writing in key order keeps file creation local to one directory at a time, which is
     * several times faster on most file systems than scattering over 17,576 directories. */
    qsort(c.songs, c.nsongs, sizeof *c.songs, song_by_track);
    size_t first_edge = c.nsongs;
    if (o->edge_cases)
        make_edge_songs(&c, &r);
    gen_rng_seed(&r, o->seed, 4);
    lake_rc rc = write_songs(&c, &r, first_edge, err);

    gen_rng_seed(&r, o->seed, 5);
    make_users(&c, &r);
    if (!rc)
        rc = write_days(&c, err);
    if (!rc && o->edge_cases)
        rc = write_edge_events(&c, first_edge, err);
    if (!rc && o->bad_records)
        rc = write_bad_records(&c, err);

    lake_buf_free(&c.buf);
    lake_buf_free(&c.zbuf);
    free(c.songs);
    free(c.artists);
    free(c.users);
    lake_arena_free(c.arena);
    return rc;
}
