/* The commit journal of the rename protocol: before the first change to the visible output, the
 * run writes what it will change (moves of staged tables or partitions into place, old tables
 * retired, markers) to _lake/journal; the changes are made; the journal goes. A run that fails in
 * the middle marks the journal "abort" and undoes what it did; a run killed in the middle leaves
 * the journal, and recovery (the next run, or `lake recover`) rolls it forward (state commit) or
 * back (state abort). Every step checks what is already done, so applying a journal twice is
 * harmless. Private to engine/commit/. Uses store. */
#ifndef LAKE_COMMIT_JOURNAL_H
#define LAKE_COMMIT_JOURNAL_H

#include "lake/store.h"

#include <stdbool.h>

#define ENG_JOURNAL_KEY "_lake/journal"
#define ENG_LOCK_KEY "_lake/lock"

typedef enum {
    ENG_MOVE_SWAP,   /* staging + rel goes to rel; the old rel goes to staging + rel */
    ENG_MOVE_RETIRE, /* rel goes to staging + "_old/" + rel (nothing replaces it) */
    ENG_MOVE_MARKER  /* rel + "_SUCCESS" is written (after the partitions of a dynamic table);
                        witness: what it held before ("none", "empty" or a run id) */
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
} eng_journal;

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
/* Applies the moves in order (forward) or undoes them in reverse (back). */
lake_rc eng_journal_forward(lake_store *out, const eng_journal *j, eng_step_fn step, void *ud,
                            lake_error *err);
lake_rc eng_journal_back(lake_store *out, const eng_journal *j, eng_step_fn step, void *ud,
                         lake_error *err);

#endif
