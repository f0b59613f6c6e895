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

/* The rank the users go to (spk_dist_shuffle), which writes the users table: the last. */
int spk_users_rank(int size);

/* Says which rank writes each partition of the tables held in memory (songs and artists, whole on
 * every rank; users, on spk_users_rank): users on its rank, the others dealt one partition at a
 * time to the rank with the least work so far, counting each file as SPK_FILE_COST rows and
 * starting from the rows each rank streams (stream_rows: this rank's time and songplays rows).
 * writers[t] gets table t's array (freed by the caller), which tables[t] points to. Every rank
 * must call it; all compute the same deal. */
void spk_dist_deal(cl_comm *c, eng_table *tables, uint64_t stream_rows,
                   uint32_t *writers[LAKE_TABLE_COUNT]);

/* What writing one more file costs, in rows. At L on 2 cores (-np 2 --threads 1, output on the
 * bench's ext4), fitting the two ranks' write stages (one streaming 3.5 million time and
 * songplays rows and 24,000 songs files, the other 57,000 songs files) over two runs gave 81-97
 * us a file and 0.38-0.49 us a row: 165 to 257 rows a file. On tmpfs a file costs less and the
 * streaming rank ends last. */
#define SPK_FILE_COST 200

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
