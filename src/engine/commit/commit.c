/* The commit interface (commit.h): picks the protocol by what the store can do. */
#include "engine/commit/commit_impl.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

lake_rc eng_commit_prepare(lake_store *out, const eng_commit_opts *opts, eng_commit **c,
                           lake_error *err) {
    eng_commit *k = lake_xcalloc(1, sizeof *k);
    k->out = out;
    k->opts = opts;
    k->ops = lake_store_can_rename(out) ? &eng_commit_rename_ops : &eng_commit_direct_ops;
    const char *crash = getenv("LAKE_TEST_COMMIT_CRASH"), *fail = getenv("LAKE_TEST_COMMIT_FAIL");
    k->crash_at = crash ? atol(crash) : 0;
    k->fail_at = fail ? atol(fail) : 0;
    k->round = crash || fail ? 4 : ENG_PUBLISH_ROUND;
    lake_rc rc = k->ops->prepare(k, err);
    if (rc) {
        eng_commit_free(k);
        k = NULL;
    }
    *c = k;
    return rc;
}

const char *eng_commit_staging(const eng_commit *c) {
    return c->staging;
}

unsigned eng_commit_write_flags(const eng_commit *c) {
    return c->write_flags;
}

lake_rc eng_commit_writer_end(unsigned write_flags, lake_store_writer *w, char **pending,
                              lake_error *err) {
    if (write_flags & LAKE_STORE_WRITE_PENDING)
        return lake_store_writer_pend(w, pending, err);
    return lake_store_writer_finish(w, err);
}

lake_rc eng_commit_finish(eng_commit *c, const eng_commit_file *files, size_t nfiles,
                          lake_error *err) {
    lake_rc rc = eng_output_check(c->opts->owner, err);
    if (!rc)
        rc = c->ops->finish(c, files, nfiles, err);
    c->finished = rc == LAKE_OK;
    return rc;
}

lake_rc eng_commit_cleanup(eng_commit *c, lake_error *err) {
    return c->finished ? c->ops->cleanup(c, err) : LAKE_OK;
}

void eng_commit_abort(eng_commit *c, const eng_commit_file *files, size_t nfiles) {
    c->ops->abort(c, files, nfiles);
}

lake_rc eng_commit_end(eng_commit *c, lake_rc written, const eng_commit_file *files, size_t nfiles,
                       lake_error *err) {
    lake_rc rc = written ? written : eng_commit_finish(c, files, nfiles, err);
    if (rc)
        eng_commit_abort(c, files, nfiles);
    return rc;
}

void eng_commit_free(eng_commit *c) {
    if (!c)
        return;
    eng_journal_free(&c->journal);
    free(c->staging);
    free(c);
}

void eng_commit_undo(eng_commit *c, eng_journal *j, lake_error *err) {
    lake_error e = {0};
    const char *left = NULL;
    j->abort = true;
    c->keep_staging = true; /* it holds the previous versions until the undo is done */
    lake_rc marked = eng_journal_write(c->out, j, eng_commit_step, c, &e);
    if (eng_journal_back(c->out, j, eng_commit_step, c, &e))
        left = "the output is mixed until `lake recover`";
    else if (eng_commit_step(c, &e) || lake_store_delete(c->out, ENG_JOURNAL_KEY, &e))
        left = marked ? "`lake recover` will complete this run's commit"
                      : "`lake recover` will tidy up";
    else
        c->keep_staging = false;
    if (left && err) {
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof err->msg - n, "; undoing it failed too (%s): %s", left,
                 e.msg);
    }
}

lake_rc eng_commit_put_marker(eng_commit *c, const char *prefix, const char *table,
                              const char *text, lake_error *err) {
    char *key = lake_xconcat(prefix, table, "/_SUCCESS");
    lake_rc rc = lake_store_put(c->out, key, text, strlen(text), err);
    if (rc)
        lake_error_prefix(err, "writing %s: ", key);
    free(key);
    return rc;
}

lake_rc eng_commit_step(void *ud, lake_error *err) {
    eng_commit *c = ud;
    c->step++;
    if (c->step == c->crash_at)
        kill(getpid(), SIGKILL);
    if (c->step == c->fail_at)
        return lake_error_set(err, LAKE_ERR_IO, "commit step %ld failed (LAKE_TEST_COMMIT_FAIL)",
                              c->step);
    return LAKE_OK;
}
