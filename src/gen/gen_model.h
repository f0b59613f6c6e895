/* What the generator's steps share: the records it makes (artists, songs, users, events), the
 * context one lake_gen call carries through them, writing one object, and its clock.
 *
 * Steps: gen_songs.c makes the artists and songs catalogue, gen_song_files.c lays it out in
 * song_data/, gen_events.c writes a month of log_data/ from the users, gen_edge_events.c and
 * gen_bad_records.c the fixed catalogues of awkward and of bad records; gen.c runs them in order.
 * Every random choice comes from a gen_rng stream derived from the seed, so each step's output
 * depends only on the options. Uses base, codec (compressed objects), store and json/emit. */
#ifndef LAKE_GEN_MODEL_H
#define LAKE_GEN_MODEL_H

#include "base/civil.h"
#include "lake/common.h"
#include "lake/gen.h"
#include "lake/store.h"

#include <stdbool.h>
#include <stdint.h>

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
    int str_flags;           /* escaping in the song file (GEN_ESC_*) */
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

typedef struct {
    lake_store *out;
    const lake_gen_opts *o;
    lake_arena *arena;
    gen_artist *artists;
    size_t nartists;
    gen_song *songs; /* every song record written, duplicates and specials included */
    size_t nsongs, capsongs;
    gen_user *users; /* nusers of them, and room for the edge-case users after them */
    size_t nusers;
    int64_t next_session;
    lake_buf buf, zbuf;    /* the object being written, and its compressed form */
    lake_gen_stats *stats; /* what was written so far */
} gen_ctx;

/* Writes c->buf, which holds `records` records, as object key, compressed as the key's
 * extension says (.gz gzip, .zst zstd), and counts it in c->stats by its dataset (song_data/ or
 * log_data/). Returns LAKE_OK, or the codec's or the store's error. */
lake_rc gen_put_object(gen_ctx *c, const char *key, uint64_t records, lake_error *err);

/* Milliseconds since the epoch of a UTC date and time. */
static inline int64_t gen_ms_at(int y, unsigned m, unsigned d, unsigned hh, unsigned mm,
                                unsigned ss, unsigned ms) {
    return lake_days_from_civil(y, (int)m, (int)d) * 86400000 + (int64_t)hh * 3600000 +
           (int64_t)mm * 60000 + (int64_t)ss * 1000 + ms;
}

#endif
