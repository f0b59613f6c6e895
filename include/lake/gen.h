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
} lake_gen_opts;

/** Fills o with the defaults: 1,000 songs, 10,000 events, seed 42, edge cases, no bad records. */
void lake_gen_opts_default(lake_gen_opts *o);

/** Writes the dataset into out (a store root). Same options give byte-identical output. */
lake_rc lake_gen(lake_store *out, const lake_gen_opts *o, lake_error *err);

#endif
