/* Rename commit protocol: staged tables (or partitions) are swapped into place one rename each,
 * so a reader sees the old or the new files of a table, never a mix. */
#include "engine/commit/commit_impl.h"

#include <stdlib.h>

static lake_rc rename_prepare(eng_commit *c, lake_error *err) {
    (void)err;
    c->staging = lake_xconcat("_temporary/", c->opts->run_id, "/");
    return LAKE_OK;
}

/* Moves staged `rel` (a table "songs/" or a partition "songs/year=1/artist_id=A/") into place.
 * The previous version goes to the run's trash first and comes back if the move fails. */
static lake_rc swap_in(eng_commit *c, const char *rel, lake_error *err) {
    char *from = lake_xconcat(c->staging, rel);
    char *trash = lake_xconcat(c->staging, "_old/", rel);
    lake_rc rc = lake_store_rename_prefix(c->out, rel, trash, err);
    bool had_old = rc == LAKE_OK;
    if (rc == LAKE_ERR_NOT_FOUND)
        rc = LAKE_OK;
    if (!rc) {
        rc = lake_store_rename_prefix(c->out, from, rel, err);
        if (rc == LAKE_ERR_NOT_FOUND)
            rc = LAKE_OK; /* nothing new (no rejected records): the old one is just retired */
        else if (rc && had_old)
            lake_store_rename_prefix(c->out, trash, rel, NULL);
    }
    if (rc)
        lake_error_prefix(err, "committing %s: ", rel);
    free(from);
    free(trash);
    return rc;
}

/* Dynamic mode: only the partitions this run wrote are replaced. */
static lake_rc commit_partitions(eng_commit *c, size_t t, const eng_commit_file *files,
                                 size_t nfiles, lake_error *err) {
    const char *name = c->opts->tables[t].name;
    lake_rc rc = LAKE_OK;
    for (size_t i = 0; i < nfiles && !rc; i++) {
        if (files[i].table != t || files[i].file_no != 0)
            continue; /* one swap per partition directory, not per file */
        char *rel = lake_xconcat(name, "/", files[i].dir);
        rc = swap_in(c, rel, err);
        free(rel);
    }
    return rc ? rc : eng_commit_put_marker(c, "", name, err);
}

static lake_rc commit_table(eng_commit *c, size_t t, const eng_commit_file *files, size_t nfiles,
                            lake_error *err) {
    const eng_commit_table *tab = &c->opts->tables[t];
    if (c->opts->dynamic && tab->partitioned)
        return commit_partitions(c, t, files, nfiles, err);
    char *rel = lake_xconcat(tab->name, "/");
    lake_rc rc = swap_in(c, rel, err);
    free(rel);
    return rc;
}

/* _SUCCESS goes into each staged table after all of its data files, then the tables are swapped
 * in one after another; staging and the retired old versions are deleted after. */
static lake_rc rename_finish(eng_commit *c, const eng_commit_file *files, size_t nfiles,
                             lake_error *err) {
    lake_rc rc = LAKE_OK;
    for (size_t t = 0; t < c->opts->ntables && !rc; t++)
        if (c->opts->tables[t].marker)
            rc = eng_commit_put_marker(c, c->staging, c->opts->tables[t].name, err);
    for (size_t t = 0; t < c->opts->ntables && !rc; t++)
        rc = commit_table(c, t, files, nfiles, err);
    if (!rc)
        lake_store_delete_prefix(c->out, "_temporary/", NULL);
    return rc;
}

/* Staging goes in every case; a failure here loses nothing. */
static void rename_abort(eng_commit *c, const eng_commit_file *files, size_t nfiles) {
    (void)files;
    (void)nfiles;
    lake_store_delete_prefix(c->out, "_temporary/", NULL);
}

const eng_commit_ops eng_commit_rename_ops = {rename_prepare, rename_finish, rename_abort};
