/* The commit journal: before the first change to the visible output, the run writes what it
 * will change to _lake/journal (rename protocol: moves of staged tables or partitions into place,
 * old tables retired, markers; direct protocol: pending objects to publish, markers, tables to
 * clean of older files); the changes are made; the journal goes. A run that fails in the middle
 * marks the journal "abort" and undoes what it did; a run killed in the middle leaves the
 * journal, and recovery (the next run, or `lake recover`) rolls it forward (state commit) or
 * back (state abort). Every step checks what is already done, so applying a journal twice is
 * harmless. Private to engine/commit/. Uses store. */
#ifndef LAKE_COMMIT_JOURNAL_H
#define LAKE_COMMIT_JOURNAL_H

#include "lake/store.h"

#include <stdbool.h>

#define ENG_JOURNAL_KEY "_lake/journal"
#define ENG_LOCK_KEY "_lake/lock"

typedef enum {
    ENG_MOVE_SWAP,    /* staging + rel goes to rel; the old rel goes to staging + rel */
    ENG_MOVE_RETIRE,  /* rel goes to staging + "_old/" + rel (nothing replaces it) */
    ENG_MOVE_MARKER,  /* rel + "_SUCCESS" is written (after the partitions of a dynamic table);
                         witness: what it held before ("none", "empty" or a run id) */
    ENG_MOVE_PUBLISH, /* the pending object rel (a key) is published; witness: its token */
    ENG_MOVE_CLEAN,   /* after the commit, the objects under rel that are not this run's go
                         (rel + "_SUCCESS" stays); witness "all", or "written": only those in a
                         directory this run published into (dynamic mode) */
    ENG_MOVE_PLACE    /* the staged object staging + rel (a key) goes to rel; an object already
                         at rel first goes to staging + "_old/" + rel, from where an undo puts it
                         back (a merge table's file, rename protocol) */
} eng_move_kind;

typedef struct {
    eng_move_kind kind;
    char *rel;     /* "songs/" or "songs/year=1/artist_id=A/" */
    char *witness; /* SWAP: a key under rel that only the new version has ("_SUCCESS": the
                      marker naming this run) */
} eng_move;

typedef struct {
    char *run_id;
    char *staging; /* "_temporary/<run>/" */
    bool abort;    /* roll back instead of forward */
    eng_move *moves;
    size_t n, cap;
    size_t round;   /* not stored: objects published per step (0: ENG_PUBLISH_ROUND) */
    bool read_back; /* not stored: read from the store (a resumed commit: some moves are done) */
} eng_journal;

/* Objects published together, between two steps of the commit. */
#define ENG_PUBLISH_ROUND 256

/* Called before each change to the output (the commit's crash and failure points); a non-zero
 * return stops the apply with that error. */
typedef lake_rc (*eng_step_fn)(void *ud, lake_error *err);

void eng_journal_add(eng_journal *j, eng_move_kind kind, const char *rel, const char *witness);
void eng_journal_free(eng_journal *j); /* accepts a zeroed journal */

/* The _SUCCESS text of a table committed by run_id (freshly allocated). */
char *eng_marker_text(const char *run_id);

/* Writes the journal at ENG_JOURNAL_KEY, replacing any (the put is atomic). */
lake_rc eng_journal_write(lake_store *out, const eng_journal *j, eng_step_fn step, void *ud,
                          lake_error *err);
/* Reads the journal; *found is false (and j zeroed) when there is none. A journal that cannot be
 * parsed is LAKE_ERR_PARSE naming its line. */
lake_rc eng_journal_read(lake_store *out, eng_journal *j, bool *found, lake_error *err);
/* What T/_SUCCESS holds before a run rewrites it, for an undo to put back: "none", the run id
 * it names, or "empty" (any other text: Spark's empty marker). *out is malloc'ed. */
lake_rc eng_marker_witness(lake_store *out, const char *rel, char **witness, lake_error *err);

/* Applies the moves in order (forward; the CLEAN moves are left to eng_journal_clean) or undoes
 * them in reverse (back). */
lake_rc eng_journal_forward(lake_store *out, const eng_journal *j, eng_step_fn step, void *ud,
                            lake_error *err);
lake_rc eng_journal_back(lake_store *out, const eng_journal *j, eng_step_fn step, void *ud,
                         lake_error *err);

/* The PUBLISH moves (commit_publish.c): moves[0..n) of j published in rounds of j->round, one
 * step each, leaving out those already visible when j was read back; or dropped (pending ones
 * discarded, published ones deleted) in one step. */
lake_rc eng_publish_forward(lake_store *out, const eng_journal *j, const eng_move *moves, size_t n,
                            eng_step_fn step, void *ud, lake_error *err);
lake_rc eng_publish_back(lake_store *out, const eng_move *moves, size_t n, eng_step_fn step,
                         void *ud, lake_error *err);

/* Does the CLEAN moves: deletes the objects they name, one step per table. */
lake_rc eng_journal_clean(lake_store *out, const eng_journal *j, eng_step_fn step, void *ud,
                          lake_error *err);

#endif
