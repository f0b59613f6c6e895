/* The generator's vocabulary: the fixed lists names, titles, places and user agents are picked
 * from, each with its length (pick with gen_words[gen_rng_below(r, gen_nwords)]). Changing a list
 * changes every generated dataset. */
#ifndef LAKE_GEN_WORDS_H
#define LAKE_GEN_WORDS_H

#include <stddef.h>

extern const char *const gen_words[]; /* for titles and artist names */
extern const size_t gen_nwords;
extern const char *const gen_first_names[];
extern const size_t gen_nfirst_names;
extern const char *const gen_last_names[];
extern const size_t gen_nlast_names;
extern const char *const gen_user_locations[];
extern const size_t gen_nuser_locations;
extern const char *const gen_user_agents[]; /* some of them quoted, as Sparkify's are */
extern const size_t gen_nuser_agents;
extern const char *const gen_artist_locations[];
extern const size_t gen_nartist_locations;

#endif
