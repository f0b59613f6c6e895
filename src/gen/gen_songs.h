/* The songs catalogue (gen_songs.c) and its files under song_data/ (gen_song_files.c). Songs are
 * made into c->songs in a fixed order of steps, each drawing from the gen_rng stream it is given;
 * their number and order decide every song file and which songs the events play. */
#ifndef LAKE_GEN_SONGS_H
#define LAKE_GEN_SONGS_H

#include "gen/gen_model.h"
#include "gen/gen_rng.h"

/* c->o->songs / 2 + 1 random artists into c->artists. */
void gen_make_artists(gen_ctx *c, gen_rng *r);
/* c->o->songs random songs by those artists, appended to c->songs. */
void gen_make_random_songs(gen_ctx *c, gen_rng *r);
/* n copies of random earlier songs with the same song_id and other values (edge_cases). */
void gen_make_duplicates(gen_ctx *c, gen_rng *r, size_t n);
/* Sorts c->songs by track (the file name), so that files are written in key order. */
void gen_sort_songs(gen_ctx *c);
/* Appends the fixed catalogue of awkward songs (edge_cases): unicode, escapes, integer and null
 * durations, one artist under several names, unknown fields, a song_id twice in one file. */
void gen_make_edge_songs(gen_ctx *c, gen_rng *r);
/* Sets s's artist and the artist fields the song record repeats. */
void gen_song_from_artist(gen_song *s, const gen_artist *a);

/* Appends song s as one JSON object (pretty: over several lines, as the Million Song Dataset
 * writes it). */
void gen_put_song_json(lake_buf *b, const gen_song *s, bool pretty);
/* Writes every song of c->songs into song_data/; songs from first_edge on are the edge-case
 * catalogue, laid out in every style. Returns LAKE_OK or the first write's error. */
lake_rc gen_write_songs(gen_ctx *c, gen_rng *r, size_t first_edge, lake_error *err);

#endif
