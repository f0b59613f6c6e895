/* Taking an output for a run, and recovering what an earlier run left: a lock for one writer at
 * a time, then the journal of a commit a killed run left is applied (forward, or back if that
 * run was undoing), and the staging or pending objects of runs that are gone are deleted. */
#include "engine/commit/commit_impl.h"
#include "engine/commit/commit_journal.h"
#include "lake/output.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static lake_rc no_step(void *ud, lake_error *err) {
    (void)ud;
    (void)err;
    return LAKE_OK;
}

lake_rc eng_commit_recover(lake_store *out, lake_error *err) {
    eng_journal j;
    bool found = false;
    lake_rc rc = eng_journal_read(out, &j, &found, err);
    if (!rc && found) {
        rc = j.abort ? eng_journal_back(out, &j, no_step, NULL, err)
                     : eng_journal_forward(out, &j, no_step, NULL, err);
        if (!rc && !j.abort)
            rc = eng_journal_clean(out, &j, no_step, NULL, err);
        if (!rc)
            rc = lake_store_delete(out, ENG_JOURNAL_KEY, err);
        if (rc)
            lake_error_prefix(err, "recovering the commit of run %s: ", j.run_id);
    }
    eng_journal_free(&j);
    /* With the lock held, every staging area and pending object is that of a run that is gone
     * (after the journal, which may have needed some of them). */
    if (!rc && lake_store_can_rename(out))
        rc = lake_store_delete_prefix(out, "_temporary/", err);
    if (!rc && (rc = lake_store_discard_all(out, "", NULL, err)) != LAKE_OK)
        lake_error_prefix(err, "discarding the files of runs that did not commit: ");
    return rc;
}

struct eng_output {
    lake_store_lock *lock;
};

/* Who holds the lock, for the next taker's message. */
static char *holder_text(const char *run_id) {
    char host[256] = "?", when[32] = "?";
    gethostname(host, sizeof host - 1);
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return lake_xasprintf("run %s, host %s, pid %ld, since %s", run_id, host, (long)getpid(), when);
}

lake_rc eng_output_open(lake_store *out, const char *run_id, double wait_s, eng_output **o,
                        lake_error *err) {
    char *holder = holder_text(run_id);
    lake_store_lock *lock = NULL;
    lake_rc rc = lake_store_lock_take(out, ENG_LOCK_KEY, holder, wait_s, &lock, err);
    if (rc == LAKE_ERR_UNSUPPORTED)
        rc = LAKE_OK; /* a store with no lock at all runs unguarded */
    if (rc == LAKE_ERR_LOCKED)
        lake_error_prefix(err, "%s: the output is in use: ", lake_store_url(out));
    if (!rc)
        rc = eng_commit_recover(out, err);
    free(holder);
    if (rc) {
        lake_store_unlock(lock);
        *o = NULL;
        return rc;
    }
    *o = lake_xcalloc(1, sizeof **o);
    (*o)->lock = lock;
    return LAKE_OK;
}

lake_rc eng_output_check(const eng_output *o, lake_error *err) {
    return o ? lake_store_lock_check(o->lock, err) : LAKE_OK;
}

void eng_output_close(eng_output *o) {
    if (!o)
        return;
    lake_store_unlock(o->lock);
    free(o);
}

lake_rc lake_output_recover(lake_store *out, double wait_s, lake_error *err) {
    eng_output *o = NULL;
    lake_rc rc = eng_output_open(out, "recover", wait_s, &o, err);
    eng_output_close(o);
    return rc;
}
