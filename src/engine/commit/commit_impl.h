/* Private to engine/commit/: the state of a commit and the protocols' operations. */
#ifndef LAKE_COMMIT_IMPL_H
#define LAKE_COMMIT_IMPL_H

#include "engine/commit/commit.h"
#include "engine/commit/commit_journal.h"

typedef struct {
    lake_rc (*prepare)(eng_commit *c, lake_error *err);
    lake_rc (*finish)(eng_commit *c, const eng_commit_file *files, size_t nfiles, lake_error *err);
    void (*abort)(eng_commit *c, const eng_commit_file *files, size_t nfiles);
    lake_rc (*cleanup)(eng_commit *c, lake_error *err);
} eng_commit_ops;

struct eng_commit {
    const eng_commit_ops *ops;
    lake_store *out;
    const eng_commit_opts *opts;
    char *staging;
    unsigned write_flags;         /* for the run's store writers (eng_commit_write_flags) */
    bool keep_staging;            /* a journal still needs what staging holds (rename protocol) */
    long step, crash_at, fail_at; /* changes made so far; the test switches (commit.c) */
    size_t round;                 /* objects published per step */
    eng_journal journal;          /* direct protocol: from the finish to the cleanup */
    bool journaled;               /* direct protocol: the finish wrote the journal */
    bool finished;                /* finish succeeded: cleanup has work */
};

extern const eng_commit_ops eng_commit_rename_ops, eng_commit_direct_ops;

/* Called before each change the commit makes to the visible output (an eng_step_fn with ud = the
 * commit). Counts the changes, and serves the test switches LAKE_TEST_COMMIT_CRASH=k (the process
 * is killed with SIGKILL before change k) and LAKE_TEST_COMMIT_FAIL=k (change k fails with an I/O
 * error); under either, objects are published 4 per step instead of ENG_PUBLISH_ROUND, so the
 * crash points fall between publications of a small output too. Returns LAKE_OK otherwise. */
lake_rc eng_commit_step(void *c, lake_error *err);

/* An error in the middle of applying journal j: the journal turns to "abort" first, so a crash
 * while undoing is undone by recovery too; the undo is tried even when that write fails. err
 * keeps the error that stopped the commit, with what the undo could not do appended. */
void eng_commit_undo(eng_commit *c, eng_journal *j, lake_error *err);

/* Puts a _SUCCESS marker holding text at prefix + table + "/_SUCCESS", prefixing an error with
 * its key. */
lake_rc eng_commit_put_marker(eng_commit *c, const char *prefix, const char *table,
                              const char *text, lake_error *err);

#endif
