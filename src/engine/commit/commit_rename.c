/* Rename commit protocol: staged tables (or partitions) are swapped into place one directory
 * exchange each, so a reader sees the old or the new files of a table and never no table; the
 * journal (commit_journal.h) makes the set of swaps all-or-nothing across errors and crashes. */
#include "engine/commit/commit_impl.h"
#include "engine/commit/commit_journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lake_rc rename_prepare(eng_commit *c, lake_error *err) {
    (void)err;
    c->staging = lake_xconcat("_temporary/", c->opts->run_id, "/");
    return LAKE_OK;
}

static bool by_partition(const eng_commit *c, size_t t) {
    return c->opts->dynamic && c->opts->tables[t].partitioned;
}

/* The key of a file relative to the staged directory rel. */
static const char *under(const eng_commit *c, const char *rel, const char *key) {
    return key + strlen(c->staging) + strlen(rel);
}

/* What T/_SUCCESS holds before a dynamic-mode run rewrites it, for an undo to put back: "none",
 * the run id it names, or "empty" (any other text: Spark's empty marker). */
static lake_rc previous_marker(eng_commit *c, const char *rel, char **out, lake_error *err) {
    char *key = lake_xconcat(rel, "_SUCCESS");
    lake_buf b;
    lake_buf_init(&b);
    lake_rc rc = lake_store_get(c->out, key, &b, err);
    *out = NULL;
    if (rc == LAKE_ERR_NOT_FOUND) {
        *out = lake_xstrdup("none");
        rc = LAKE_OK;
    } else if (!rc) {
        lake_buf_putc(&b, '\0');
        const char *t = (const char *)b.data;
        size_t n = strlen("lake run ");
        bool named = !strncmp(t, "lake run ", n) && strlen(t) == n + 37 && t[n + 36] == '\n';
        *out = named ? lake_xstrndup(t + n, 36) : lake_xstrdup("empty");
    }
    lake_buf_free(&b);
    free(key);
    return rc;
}

/* A table's moves: each partition written (dynamic mode) and then its marker, or the whole
 * table, which a marker or its first file tells apart from the previous version; a table this
 * run has nothing for (no rejected records) is retired. */
static lake_rc plan_table(eng_commit *c, size_t t, const eng_commit_file *files, size_t nfiles,
                          eng_journal *j, lake_error *err) {
    const eng_commit_table *tab = &c->opts->tables[t];
    char *rel = lake_xconcat(tab->name, "/");
    const char *first = NULL;
    for (size_t i = 0; i < nfiles; i++) {
        if (files[i].table != t || !files[i].key)
            continue;
        first = first ? first : files[i].key;
        if (by_partition(c, t) && files[i].file_no == 0) {
            char *prel = lake_xconcat(rel, files[i].dir);
            eng_journal_add(j, ENG_MOVE_SWAP, prel, under(c, prel, files[i].key));
            free(prel);
        }
    }
    lake_rc rc = LAKE_OK;
    char *prev = NULL;
    if (by_partition(c, t) && !(rc = previous_marker(c, rel, &prev, err)))
        eng_journal_add(j, ENG_MOVE_MARKER, rel, prev);
    else if (by_partition(c, t))
        ; /* the error is the caller's */
    else if (tab->marker)
        eng_journal_add(j, ENG_MOVE_SWAP, rel, "_SUCCESS");
    else if (first)
        eng_journal_add(j, ENG_MOVE_SWAP, rel, under(c, rel, first));
    else
        eng_journal_add(j, ENG_MOVE_RETIRE, rel, NULL);
    free(prev);
    free(rel);
    return rc;
}

/* Each staged table gets its _SUCCESS (naming this run) after all of its data files. */
static lake_rc put_markers(eng_commit *c, lake_error *err) {
    char *text = eng_marker_text(c->opts->run_id);
    lake_rc rc = LAKE_OK;
    for (size_t t = 0; t < c->opts->ntables && !rc; t++)
        if (c->opts->tables[t].marker && !by_partition(c, t) && !(rc = eng_commit_step(c, err)))
            rc = eng_commit_put_marker(c, c->staging, c->opts->tables[t].name, text, err);
    free(text);
    return rc;
}

/* The run holds the output's lock (eng_output_open), so every staging area is this run's or a
 * killed run's: all of _temporary/ goes. */
static lake_rc rename_cleanup(eng_commit *c, lake_error *err) {
    (void)err; /* what stays is deleted by the next run's recovery */
    lake_store_delete_prefix(c->out, "_temporary/", NULL);
    return LAKE_OK;
}

/* An error in the middle: the journal turns to "abort" first, so a crash while undoing is
 * undone by recovery too; the undo is tried even when that write fails. The error reported is
 * the one that stopped the commit, with what the undo could not do appended. */
static void undo(eng_commit *c, eng_journal *j, lake_error *err) {
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

static lake_rc rename_finish(eng_commit *c, const eng_commit_file *files, size_t nfiles,
                             lake_error *err) {
    eng_journal j = {lake_xstrdup(c->opts->run_id), lake_xstrdup(c->staging), false, NULL, 0, 0};
    lake_rc rc = LAKE_OK;
    for (size_t t = 0; t < c->opts->ntables && !rc; t++)
        rc = plan_table(c, t, files, nfiles, &j, err);
    if (!rc)
        rc = put_markers(c, err);
    if (!rc)
        rc = eng_journal_write(c->out, &j, eng_commit_step, c, err);
    if (!rc && (rc = eng_journal_forward(c->out, &j, eng_commit_step, c, err)) != LAKE_OK)
        undo(c, &j, err);
    if (!rc) {
        c->keep_staging = true; /* until the journal is gone */
        if (!(rc = eng_commit_step(c, err)) &&
            !(rc = lake_store_delete(c->out, ENG_JOURNAL_KEY, err)))
            c->keep_staging = false;
        if (rc) /* past the commit point: the next command's recovery only tidies up */
            lake_error_prefix(
                err, "the new tables are committed, but removing %s failed: ", ENG_JOURNAL_KEY);
    }
    eng_journal_free(&j);
    return rc;
}

static void rename_abort(eng_commit *c, const eng_commit_file *files, size_t nfiles) {
    (void)files;
    (void)nfiles;
    if (!c->keep_staging)
        rename_cleanup(c, NULL);
}

const eng_commit_ops eng_commit_rename_ops = {rename_prepare, rename_finish, rename_abort,
                                              rename_cleanup};
