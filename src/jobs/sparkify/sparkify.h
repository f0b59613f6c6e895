/* The Sparkify job (SPEC.md): song_data and log_data JSON into the songs, artists, users, time
 * and songplays tables. This header holds the job's internal types, shared by its extract
 * (songs.c, events.c), catalog, transform (tables.c, facts.c, plays.c) and run (run.c) files. The
 * job describes its inputs and tables to the engine (ingest, load) and commits through the
 * cluster layer; nothing below it knows these names. Uses engine, cluster, table and base.
 *
 * Every record carries its input position `ord` = (object index << 32) | record index, so each
 * reduction (first song wins, latest user state, songplay order) is a pure function of the
 * records and not of which thread saw them first: any thread or rank count gives the same rows. */
#ifndef LAKE_SPARKIFY_INTERNAL_H
#define LAKE_SPARKIFY_INTERNAL_H

#include "base/map.h"
#include "cluster/comm.h"
#include "engine/ingest/fields.h"
#include "engine/ingest/scan.h"
#include "engine/load/load.h"
#include "lake/sparkify.h"

#include <stdbool.h>

/* A song record after validation. */
typedef struct {
    lake_str song_id, title, artist_id, artist_name, location;
    lake_opt_f64 duration, lat, lon;
    lake_opt_i64 year;
    uint64_t ord;
} song_rec;

typedef struct {
    song_rec *items;
    size_t n, cap;
} song_vec;

/* The NextSong facts kept per user: the latest event by (ts, session, item, ord). */
typedef struct {
    int32_t user_id;
    int64_t ts;
    lake_opt_i64 session, item;
    lake_str first, last, gender, level;
    uint64_t ord;
} user_rec;

/* Interned strings last seen for one user: a user's next event almost always repeats them, so
 * one memcmp replaces a hash lookup (see eng_intern_hint). */
typedef struct {
    lake_str first, last, gender, level, location, agent;
} user_hints;

/* A NextSong event joined with one song of the catalog. */
typedef struct {
    int64_t ts; /* milliseconds */
    int32_t user_id;
    lake_opt_i64 session, item;
    uint32_t song; /* index into the deduplicated songs */
    lake_str level, location, user_agent;
    uint64_t ord;
} play_rec;

/* The deduplicated songs and the join index (title, artist_name, duration) -> songs. */
typedef struct {
    song_rec *songs; /* winners, sorted by song_id */
    size_t nsongs;
    song_rec *artists; /* first record per artist_id, sorted by artist_id */
    size_t nartists;
    lake_smap by_key; /* join key -> first index into `chain` */
    uint32_t *chain;  /* chain[2k] = song index, chain[2k+1] = next link or UINT32_MAX */
    size_t nchain;
    lake_arena *arena; /* join keys */
} song_catalog;

/* A sorted run of plays spilled to an unnamed temporary file (plays.c). */
typedef struct {
    int fd;
    size_t n; /* play_rec records in the file */
} play_run;

/* Per-worker event state. */
typedef struct {
    lake_imap user_index; /* user_id -> index in users and hints */
    user_rec *users;
    user_hints *hints;
    size_t nusers, capusers;
    int64_t *ts; /* ts (ms) of valid NextSong events, consecutive repeats dropped */
    size_t nts, capts;
    play_rec *plays;
    size_t nplays, capplays;
    size_t spill_at; /* plays held before they are spilled as a sorted run; 0 = never */
    play_run *runs;
    size_t nruns;
    bool spill_failed; /* a spill failed (spill_err says why); the run fails after extraction */
    lake_error spill_err;
    uint64_t nextsong;
} event_state;

/* Lists song_data/ and log_data/ (rank 0 of a cluster lists, then shares the listing), fails
 * naming what the input root holds when either is missing or empty, and sets each input's share
 * for this rank. sum gets the objects and bytes of the whole input (and of its compressed
 * objects), *mine the bytes of this rank's share. Every rank calls it; the outcome is agreed. */
lake_rc spk_list_inputs(cl_comm *c, lake_store *in, eng_input *songs, eng_input *logs,
                        lake_run_summary *sum, uint64_t *mine, lake_error *err);

/* Song extraction: fields requested from the JSON layer and the per-record handler. */
extern const char *const spk_song_fields[];
extern const size_t spk_song_nfields;
lake_rc spk_extract_songs(lake_store *in, eng_input *input, unsigned threads, eng_worker *workers,
                          song_vec *out, lake_error *err);
/* Builds the deduplicated catalog from all song records (sorts them into input order and copies
 * the winners, so all can be freed after), the songs and artists sides on two threads when
 * threads > 1. */
void spk_catalog_build(song_catalog *c, song_vec *all, unsigned threads);
void spk_catalog_free(song_catalog *c);
void song_vec_free(song_vec *v);

extern const char *const spk_event_fields[];
extern const size_t spk_event_nfields;
lake_rc spk_extract_events(lake_store *in, eng_input *input, unsigned threads, eng_worker *workers,
                           const song_catalog *cat, event_state *states, lake_error *err);
void spk_event_state_free(event_state *s);

/* Makes out the empty table t (LAKE_TABLE_*) of schema.c: its name, columns and partition
 * columns. */
void spk_table_shell(int t, eng_table *out);
/* The column of t called name; a name t does not have is a bug (abort). */
lake_col *spk_col(eng_table *t, const char *name);

void spk_build_songs(const song_catalog *c, eng_table *t);
void spk_build_artists(const song_catalog *c, eng_table *t);
void spk_build_users(event_state *states, unsigned n, eng_table *t);

/* time and songplays as row sources. t receives the table's shell: its name, partition columns
 * and empty columns, which the loader fills a row group at a time. They take what they need of
 * the states (ts; plays and runs stay owned by the states, which must outlive src); they may run
 * at the same time as each other and as spk_build_users, which reads only the users. The first
 * songplay gets id id_base + 1 (a cluster rank's base is the count of the ranks before it). */
void spk_time_source(event_state *states, unsigned n, eng_table *t, eng_rowsrc *src);
void spk_songplays_source(event_state *states, unsigned n, const song_catalog *c, uint64_t id_base,
                          eng_table *t, eng_rowsrc *src);

/* Builds the catalog's join key for (title, artist name, duration) into key. */
void spk_join_key(lake_buf *key, lake_str title, lake_str artist, double duration);

/* The run summary's rejects per reason, from the sorted list of every reject (summary.c). */
void sp_summary_reasons(const eng_reject_list *l, lake_run_summary *sum);
/* The run summary's per-table figures, from the load's (tables[LAKE_TABLE_COUNT]). */
void sp_summary_tables(const eng_table_stats *tables, lake_run_summary *sum);

#endif
