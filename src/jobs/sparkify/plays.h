/* Songplays sorted without holding them all: spilled runs and their merge (plays.c). */
#ifndef LAKE_ETL_PLAYS_H
#define LAKE_ETL_PLAYS_H

#include "jobs/sparkify/sparkify.h"

#include <sys/types.h>

/* The SPEC order of songplay ids, as a qsort comparator of play_rec. */
int spk_play_order(const void *a, const void *b);

/* Called after each play a worker adds: once it holds st->spill_at plays (0 = never), they are
 * sorted and written to a temporary file as one run. A failure to spill keeps the plays in
 * memory and sets st->spill_failed and st->spill_err for the run to report. */
void spk_plays_maybe_spill(event_state *st);
/* Appends run to st's runs; st owns its file from then on. */
void spk_plays_add_run(event_state *st, play_run run);
/* The ts of a run's first and last play (its least and greatest: runs are sorted). False when
 * the run is empty or cannot be read back (the merge that reads it reports the error). */
bool spk_plays_run_bounds(const play_run *run, int64_t *first, int64_t *last);
/* Closes (and so deletes) the worker's run files. */
void spk_plays_free_runs(event_state *st);

/* One sorted input of the merge: plays in memory, or a run read back a block at a time. */
typedef struct {
    const play_rec *recs; /* current block (or the in-memory plays) */
    size_t n, pos;        /* records in recs, next one */
    int fd;               /* run file, -1 for plays in memory */
    off_t off;            /* next byte to read from fd */
    size_t left;          /* records of the run not read yet */
    play_rec *block;      /* owned block buffer of a file run */
} play_cursor;

typedef struct {
    play_cursor *cur;
    size_t ncur;
    size_t *heap; /* cursor indices, smallest head first */
    size_t nheap;
    uint64_t total; /* plays over all inputs */
    bool failed;    /* a run could not be read back: the merge stopped early */
    lake_error err;
} play_merge;

/* Sorts the plays each state still holds and sets up the merge of them with every run. The
 * states keep ownership of the plays and the run files until the merge is freed. */
void spk_play_merge_init(play_merge *m, event_state *states, unsigned n);
/* The next play in songplay_id order, or NULL at the end (or after a read failure: m->failed). */
const play_rec *spk_play_merge_peek(const play_merge *m);
void spk_play_merge_next(play_merge *m);
void spk_play_merge_free(play_merge *m);

#endif
