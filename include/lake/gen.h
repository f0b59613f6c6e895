/** @file
 * Deterministic synthetic Sparkify data (song_data/ and log_data/ layouts) with the awkward cases
 * real data has. */
#ifndef LAKE_GEN_H
#define LAKE_GEN_H

#include "lake/common.h"
#include "lake/store.h"

#include <stdbool.h>

/** What lake_gen writes. */
typedef struct {
    uint64_t songs;   /**< number of song records */
    uint64_t events;  /**< number of log events (all pages, not only NextSong) */
    uint64_t seed;    /**< the PRNG's seed: same seed, same bytes */
    bool edge_cases;  /**< nulls, escapes, unicode, duplicates, missing newline ... (default on) */
    bool bad_records; /**< also write a few records that must be rejected (default off) */
    /** Delete every object under song_data/ and log_data/ first. Without it (the default)
     * lake_gen refuses a store where either exists, as new files would mix with old ones. */
    bool replace;
} lake_gen_opts;

/** Fills o with the defaults: 1,000 songs, 10,000 events, seed 42, edge cases, no bad records,
 * no replacing. */
void lake_gen_opts_default(lake_gen_opts *o);

/** What lake_gen wrote. Records count every kind: the o->songs random songs and o->events
 * events, the duplicates and edge cases (edge_cases), the bad records (bad_records). */
typedef struct {
    uint64_t song_files;   /**< objects under song_data/ */
    uint64_t song_records; /**< song records in them */
    uint64_t log_files;    /**< objects under log_data/ */
    uint64_t events;       /**< log events in them, of every page */
    uint64_t bad_records;  /**< records among them that lake run must reject */
    uint64_t bytes;        /**< bytes of the objects (compressed ones as stored) */
} lake_gen_stats;

/** Writes the dataset into out (a store root). Same options give byte-identical output. Fails
 * with LAKE_ERR_INVALID_ARG, writing nothing, when out already holds song_data/ or log_data/
 * and o->replace is not set. */
lake_rc lake_gen(lake_store *out, const lake_gen_opts *o, lake_error *err);
/** lake_gen that also says what it wrote in *stats (zeroed first; also filled on failure, with
 * what was written until then). */
lake_rc lake_gen_ex(lake_store *out, const lake_gen_opts *o, lake_gen_stats *stats,
                    lake_error *err);

#endif
