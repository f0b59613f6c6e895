/* Rename commit protocol: staged tables (or partitions) are swapped into place one directory
 * exchange each, so a reader sees the old or the new files of a table and never no table; the
 * journal (commit_journal.h) makes the set of swaps all-or-nothing across errors and crashes. */
#include "base/pool.h"
#include "engine/commit/commit_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lake_rc rename_prepare(eng_commit *c, lake_error *err) {
    (void)err;
    c->staging = lake_xconcat("_temporary/", c->opts->run_id, "/");
    c->write_flags = LAKE_STORE_WRITE_NEW;
    return LAKE_OK;
}

static bool by_partition(const eng_commit *c, size_t t) {
    return c->opts->dynamic && c->opts->tables[t].partitioned;
}

/* The key of a file relative to the staged directory rel. */
static const char *under(const eng_commit *c, const char *rel, const char *key) {
    return key + strlen(c->staging) + strlen(rel);
}

/* A merge table's moves: each of its files goes into place on its own. */
static void plan_merge(eng_commit *c, size_t t, const eng_commit_file *files, size_t nfiles,
                       eng_journal *j) {
    for (size_t i = 0; i < nfiles; i++)
        if (files[i].table == t && files[i].key)
            eng_journal_add(j, ENG_MOVE_PLACE, files[i].key + strlen(c->staging), NULL);
}

/* A table's moves: each partition written (dynamic mode) and then its marker, or the whole
 * table, which a marker or its first file tells apart from the previous version; a table this
 * run has nothing for (no rejected records) is retired. */
static lake_rc plan_table(eng_commit *c, size_t t, const eng_commit_file *files, size_t nfiles,
                          eng_journal *j, lake_error *err) {
    const eng_commit_table *tab = &c->opts->tables[t];
    if (tab->merge) {
        plan_merge(c, t, files, nfiles, j);
        return LAKE_OK;
    }
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
    if (by_partition(c, t) && !(rc = eng_marker_witness(c->out, rel, &prev, err)))
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
        if (c->opts->tables[t].marker && !c->opts->tables[t].merge && !by_partition(c, t) &&
            !(rc = eng_commit_step(c, err)))
            rc = eng_commit_put_marker(c, c->staging, c->opts->tables[t].name, text, err);
    free(text);
    return rc;
}

typedef struct {
    lake_store *out;
    const lake_obj_list *files;
} drop_job;

static int drop_file(void *arg, size_t i, unsigned worker) {
    (void)worker;
    drop_job *d = arg;
    lake_store_delete(d->out, d->files->items[i].key, NULL);
    return 0;
}

/* The run holds the output's lock (eng_output_open), so every staging area is this run's or a
 * killed run's: all of _temporary/ goes, its files on the run's threads (the previous songs
 * table alone can be tens of thousands), then the directories left. */
static lake_rc rename_cleanup(eng_commit *c, lake_error *err) {
    (void)err; /* what stays is deleted by the next run's recovery */
    lake_obj_list files = {0};
    if (!lake_store_list(c->out, "_temporary/", &files, NULL)) {
        drop_job d = {c->out, &files};
        lake_parallel_for(c->opts->threads ? c->opts->threads : 1, files.n, drop_file, &d);
    }
    lake_obj_list_free(&files);
    lake_store_delete_prefix(c->out, "_temporary/", NULL);
    return LAKE_OK;
}

static lake_rc rename_finish(eng_commit *c, const eng_commit_file *files, size_t nfiles,
                             lake_error *err) {
    eng_journal j = {.run_id = lake_xstrdup(c->opts->run_id), .staging = lake_xstrdup(c->staging)};
    lake_rc rc = LAKE_OK;
    for (size_t t = 0; t < c->opts->ntables && !rc; t++)
        rc = plan_table(c, t, files, nfiles, &j, err);
    if (!rc)
        rc = put_markers(c, err);
    if (!rc)
        rc = eng_journal_write(c->out, &j, eng_commit_step, c, err);
    if (!rc && (rc = eng_journal_forward(c->out, &j, eng_commit_step, c, err)) != LAKE_OK)
        eng_commit_undo(c, &j, err);
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
