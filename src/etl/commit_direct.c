/* Direct commit protocol for object stores without rename (S3): new files go straight to their
 * final keys (their names carry this run's id, so they never collide with old ones), each
 * table's _SUCCESS is written after all data files, and only then are the replaced objects
 * deleted. A run that fails before _SUCCESS deletes what it wrote, so the previous tables and
 * their _SUCCESS stay exactly as they were. */
#include "etl/load.h"
#include "store/store_impl.h"

#include <stdlib.h>
#include <string.h>

/* The partition directories this run writes for table t, as "t/dir" keys of a set. */
static void written_dirs(load_job *j, const etl_table *t, lake_smap *set, lake_arena *a) {
    for (size_t i = 0; i < j->ntasks; i++) {
        if (j->tasks[i].table != t)
            continue;
        char *d = lake_xasprintf("%s/%s", t->name, j->tasks[i].dir);
        uint32_t v = 0;
        lake_smap_upsert(set, lake_arena_strndup(a, d, strlen(d)), (uint32_t)strlen(d), &v);
        free(d);
    }
}

/* Does key lie directly in one of the partition directories of set? */
static bool in_written_dir(const lake_smap *set, const char *key) {
    const char *slash = strrchr(key, '/');
    uint32_t v;
    return slash && lake_smap_get(set, key, (uint32_t)(slash - key + 1), &v);
}

static lake_rc remember_old(load_job *j, const char *prefix, const lake_smap *only,
                            bool *had_success, lake_error *err) {
    lake_obj_list l = {0};
    lake_rc rc = lake_store_list(j->ctx->out, prefix, &l, err);
    for (size_t i = 0; !rc && i < l.n; i++) {
        if (lake_ends_with(l.items[i].key, "/_SUCCESS")) {
            *had_success |= strchr(l.items[i].key + strlen(prefix), '/') == NULL;
            continue; /* overwritten in place, never deleted */
        }
        if (only && !in_written_dir(only, l.items[i].key))
            continue;
        if (strstr(l.items[i].key, j->ctx->run_id))
            continue; /* written by this run (dynamic mode lists after writing) */
        lake_obj_list_take(&j->old, &l.items[i]);
    }
    if (rc)
        lake_error_prefix(err, "listing the previous %s: ", prefix);
    lake_obj_list_free(&l);
    return rc;
}

lake_rc etl_direct_prepare(load_job *j, etl_table *tables, size_t ntables, lake_error *err) {
    lake_rc rc = LAKE_OK;
    bool rejected_success = false;
    lake_arena *a = lake_arena_create(0);
    j->had_success = lake_xcalloc(ntables + 1, sizeof *j->had_success);
    for (size_t t = 0; t < ntables && !rc; t++) {
        char *prefix = lake_xasprintf("%s/", tables[t].name);
        if (j->ctx->opts->mode == LAKE_WRITE_DYNAMIC && tables[t].npart) {
            lake_smap dirs;
            lake_smap_init(&dirs);
            written_dirs(j, &tables[t], &dirs, a);
            rc = remember_old(j, prefix, &dirs, &j->had_success[t], err);
            lake_smap_free(&dirs);
        } else {
            rc = remember_old(j, prefix, NULL, &j->had_success[t], err);
        }
        free(prefix);
    }
    if (!rc)
        rc = remember_old(j, "_rejected/", NULL, &rejected_success, err);
    lake_arena_free(a);
    return rc;
}

static int delete_old(void *arg, size_t i, unsigned worker) {
    (void)worker;
    load_job *j = arg;
    lake_error err = {0};
    lake_rc rc = lake_store_delete(j->ctx->out, j->old.items[i].key, &err);
    if (rc) {
        lake_error_prefix(&err,
                          "the new tables are committed, but deleting the previous %s "
                          "failed: ",
                          j->old.items[i].key);
        lake_first_error_offer(&j->first, i, &err);
    }
    return (int)rc;
}

lake_rc etl_direct_finish(load_job *j, etl_table *tables, size_t ntables, lake_error *err) {
    lake_rc rc = LAKE_OK;
    for (size_t t = 0; t < ntables && !rc; t++) {
        char *key = lake_xasprintf("%s/_SUCCESS", tables[t].name);
        /* counted before the put, for the same lost-reply reason as the data files */
        j->success_written = t + 1;
        rc = etl_put_text(j->ctx->out, key, "", 0, err);
        free(key);
    }
    if (rc)
        return rc;
    j->committed = true;
    if (lake_parallel_for(j->ctx->opts->threads, j->old.n, delete_old, j)) {
        *err = j->first.err;
        return err->rc;
    }
    return LAKE_OK;
}

void etl_direct_abort(load_job *j, etl_table *tables, size_t ntables) {
    for (size_t i = 0; i < j->ntasks; i++)
        if (j->tasks[i].key)
            lake_store_delete(j->ctx->out, j->tasks[i].key, NULL);
    char *key = lake_xasprintf("_rejected/part-00000-%s.json", j->ctx->run_id);
    lake_store_delete(j->ctx->out, key, NULL);
    free(key);
    for (size_t t = 0; t < j->success_written && t < ntables; t++) {
        if (j->had_success && j->had_success[t])
            continue;
        key = lake_xasprintf("%s/_SUCCESS", tables[t].name);
        lake_store_delete(j->ctx->out, key, NULL);
        free(key);
    }
}
