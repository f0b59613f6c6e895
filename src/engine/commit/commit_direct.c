/* Direct commit protocol for object stores without rename (S3): files are written under their
 * final keys as pending objects (open multipart uploads, invisible to readers; their names carry
 * the run id, so they never collide with older ones). The finish writes a journal naming every
 * pending object, each table's marker and the tables to clean, then publishes the objects and
 * writes the markers; the cleanup deletes the objects the run replaced and then the journal. A
 * run that fails before the journal discards its pending objects, so the previous tables stay
 * exactly as they were; one that fails after it undoes what it published; one killed at any
 * point leaves nothing a reader lists before the journal, and a journal that recovery rolls
 * forward (or back) after it. */
#include "engine/commit/commit_impl.h"

#include <stdlib.h>
#include <string.h>

static lake_rc direct_prepare(eng_commit *c, lake_error *err) {
    (void)err;
    c->staging = lake_xstrdup("");
    c->write_flags = LAKE_STORE_WRITE_PENDING;
    return LAKE_OK;
}

/* The journal's moves: every new file, then each table's marker, then each table to clean (in
 * dynamic mode a partitioned table only in the partitions written; a merge table never). */
static lake_rc plan(eng_commit *c, const eng_commit_file *files, size_t nfiles, eng_journal *j,
                    lake_error *err) {
    for (size_t i = 0; i < nfiles; i++) {
        if (!files[i].key)
            continue;
        if (!files[i].pending)
            return lake_error_set(err, LAKE_ERR_INTERNAL, "%s was written but not kept pending",
                                  files[i].key);
        eng_journal_add(j, ENG_MOVE_PUBLISH, files[i].key, files[i].pending);
    }
    lake_rc rc = LAKE_OK;
    for (size_t t = 0; t < c->opts->ntables && !rc; t++) {
        char *rel = lake_xconcat(c->opts->tables[t].name, "/"), *prev = NULL;
        if (c->opts->tables[t].marker && !(rc = eng_marker_witness(c->out, rel, &prev, err)))
            eng_journal_add(j, ENG_MOVE_MARKER, rel, prev);
        free(prev);
        free(rel);
    }
    for (size_t t = 0; t < c->opts->ntables && !rc; t++) {
        if (c->opts->tables[t].merge)
            continue; /* nothing of the destination goes */
        char *rel = lake_xconcat(c->opts->tables[t].name, "/");
        bool some = c->opts->dynamic && c->opts->tables[t].partitioned;
        eng_journal_add(j, ENG_MOVE_CLEAN, rel, some ? "written" : "all");
        free(rel);
    }
    return rc;
}

static lake_rc direct_finish(eng_commit *c, const eng_commit_file *files, size_t nfiles,
                             lake_error *err) {
    eng_journal *j = &c->journal;
    j->run_id = lake_xstrdup(c->opts->run_id);
    j->staging = lake_xstrdup("");
    j->round = c->round;
    lake_rc rc = plan(c, files, nfiles, j, err);
    if (!rc)
        rc = eng_journal_write(c->out, j, eng_commit_step, c, err);
    if (!rc) {
        c->journaled = true; /* from here on, the journal says what to undo */
        if ((rc = eng_journal_forward(c->out, j, eng_commit_step, c, err)) != LAKE_OK)
            eng_commit_undo(c, j, err);
    }
    return rc;
}

/* Before the journal: the run's pending objects go (and any object a failed write may have
 * left). After it, the finish undid what it did, or recovery will. */
static void direct_abort(eng_commit *c, const eng_commit_file *files, size_t nfiles) {
    if (c->journaled)
        return;
    const char **pend = lake_xcalloc(nfiles + 1, sizeof *pend);
    const char **tokens = lake_xcalloc(nfiles + 1, sizeof *tokens);
    const char **other = lake_xcalloc(nfiles + 1, sizeof *other);
    size_t np = 0, no = 0;
    for (size_t i = 0; i < nfiles; i++) {
        if (files[i].key && files[i].pending) {
            pend[np] = files[i].key;
            tokens[np++] = files[i].pending;
        } else if (files[i].key) {
            other[no++] = files[i].key;
        }
    }
    lake_store_discard(c->out, pend, tokens, np, NULL);
    lake_store_delete_many(c->out, other, no, NULL);
    lake_store_discard_all(c->out, "", NULL, NULL); /* uploads whose start lost its reply */
    free(pend);
    free(tokens);
    free(other);
}

/* After the commit: the objects the run replaced go, then the journal, then any upload still
 * pending under the output (one whose start was retried after a lost reply: with the lock held,
 * nobody else's). What fails stays in the journal for the next command's recovery. */
static lake_rc direct_cleanup(eng_commit *c, lake_error *err) {
    lake_rc rc = eng_journal_clean(c->out, &c->journal, eng_commit_step, c, err);
    if (!rc && !(rc = eng_commit_step(c, err)))
        rc = lake_store_delete(c->out, ENG_JOURNAL_KEY, err);
    if (!rc)
        rc = lake_store_discard_all(c->out, "", NULL, err);
    if (rc)
        lake_error_prefix(err, "the new tables are committed, but `lake recover` must finish: ");
    return rc;
}

const eng_commit_ops eng_commit_direct_ops = {direct_prepare, direct_finish, direct_abort,
                                              direct_cleanup};
