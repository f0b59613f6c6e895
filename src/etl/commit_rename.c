/* Rename commit protocol: staged tables (or partitions) are swapped into place one rename each,
 * so a reader sees the old or the new files of a table, never a mix. */
#include "etl/load.h"

#include <stdlib.h>

/* Moves staged `rel` (a table "songs/" or a partition "songs/year=1/artist_id=A/") into place.
 * The previous version goes to the run's trash first and comes back if the move fails. */
static lake_rc swap_in(load_job *j, const char *rel, lake_error *err) {
    lake_store *out = j->ctx->out;
    char *from = lake_xasprintf("%s%s", j->staging, rel);
    char *trash = lake_xasprintf("%s_old/%s", j->staging, rel);
    lake_rc rc = lake_store_rename_prefix(out, rel, trash, err);
    bool had_old = rc == LAKE_OK;
    if (rc == LAKE_ERR_NOT_FOUND)
        rc = LAKE_OK;
    if (!rc) {
        rc = lake_store_rename_prefix(out, from, rel, err);
        if (rc == LAKE_ERR_NOT_FOUND)
            rc = LAKE_OK; /* nothing new (no rejected records): the old one is just retired */
        else if (rc && had_old)
            lake_store_rename_prefix(out, trash, rel, NULL);
    }
    if (rc)
        lake_error_prefix(err, "committing %s: ", rel);
    free(from);
    free(trash);
    return rc;
}

/* dynamic mode: only the partitions written by this run are replaced. */
static lake_rc commit_partitions(load_job *j, etl_table *t, lake_error *err) {
    lake_rc rc = LAKE_OK;
    for (size_t i = 0; i < j->ntasks && !rc; i++) {
        if (j->tasks[i].table != t || j->tasks[i].file_no != 0)
            continue; /* one swap per partition directory, not per file */
        char *rel = lake_xasprintf("%s/%s", t->name, j->tasks[i].dir);
        rc = swap_in(j, rel, err);
        free(rel);
    }
    if (rc)
        return rc;
    char *key = lake_xasprintf("%s/_SUCCESS", t->name);
    rc = etl_put_text(j->ctx->out, key, "", 0, err);
    free(key);
    return rc;
}

lake_rc etl_commit_rename(load_job *j, etl_table *tables, size_t ntables, lake_error *err) {
    lake_rc rc = LAKE_OK;
    /* _SUCCESS goes into each staged table after all of its data files. */
    for (size_t t = 0; t < ntables && !rc; t++) {
        char *key = lake_xasprintf("%s%s/_SUCCESS", j->staging, tables[t].name);
        rc = etl_put_text(j->ctx->out, key, "", 0, err);
        free(key);
    }
    for (size_t t = 0; t < ntables && !rc; t++) {
        if (j->ctx->opts->mode == LAKE_WRITE_DYNAMIC && tables[t].npart) {
            rc = commit_partitions(j, &tables[t], err);
        } else {
            char *rel = lake_xasprintf("%s/", tables[t].name);
            rc = swap_in(j, rel, err);
            free(rel);
        }
    }
    if (!rc)
        rc = swap_in(j, "_rejected/", err);
    return rc;
}
