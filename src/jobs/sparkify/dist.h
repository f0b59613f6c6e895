/* The Sparkify job on several ranks (docs/design.md, "Scale-out"): each rank reads its share of
 * the listing, then these steps move rows to where SPEC.md's reductions need them. The song
 * records are all-gathered, so every rank builds the same catalog (and joins its own events with
 * it); the bad records go to rank 0, which checks the limits and writes _rejected/; the users go
 * to the rank that writes the users table; timestamps and songplays go to the rank that owns
 * their (year, month), months being dealt out in time order so the songplay order is rank order
 * and ids follow from an exclusive scan of the counts. Uses cluster and the job's types. */
#ifndef LAKE_SPARKIFY_DIST_H
#define LAKE_SPARKIFY_DIST_H

#include "cluster/comm.h"
#include "jobs/sparkify/sparkify.h"

/* Replaces v with every rank's song records (views into keep, which must outlive them). */
void spk_dist_songs(cl_comm *c, song_vec *v, lake_buf *keep);

/* Moves every rank's rejects to rank 0's l (views into keep); l is left empty elsewhere. */
void spk_dist_rejects(cl_comm *c, eng_reject_list *l, lake_buf *keep);

/* The rank that writes table t's partition k: (k + first) % size, first being the table's first
 * rank (songs from rank 0; artists, users from the last ranks, away from rank 0's rejects and
 * commit). */
int spk_table_first_rank(int t, int size);

/* Sends each user, timestamp and songplay of states[0..n) to the rank that needs it, into
 * *into (a fresh state, its strings interned by w), and frees states' contents. Memory stays
 * bounded: rows go in cl_exchange rounds and received songplays spill at into->spill_at. Every
 * rank must call it; returns a local failure (a spill or a read-back), which the caller agrees
 * on. */
lake_rc spk_dist_shuffle(cl_comm *c, event_state *states, unsigned n, event_state *into,
                         eng_worker *w, lake_error *err);

/* Turns every rank's summary into the job's (see lake_run_summary), with mine as this rank's
 * entry of per_rank. Every rank must call it. */
void spk_dist_summary(cl_comm *c, lake_run_summary *sum, const lake_rank_summary *mine);

#endif
