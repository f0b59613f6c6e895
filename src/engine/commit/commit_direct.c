/* Direct commit protocol for object stores without rename (S3): new files go straight to their
 * final keys (their names carry this run's id, so they never collide with old ones), each
 * table's _SUCCESS is written after all data files, and only then are the replaced objects
 * deleted. A run that fails before _SUCCESS deletes what it wrote, so the previous tables and
 * their _SUCCESS stay exactly as they were. */
#include "base/map.h"
#include "base/pool.h"
#include "engine/commit/commit_impl.h"

#include <stdlib.h>
#include <string.h>

/* The partition directories this run wrote for table t, as "t/dir" keys of a set. */
static void written_dirs(eng_commit *c, size_t t, const eng_commit_file *files, size_t nfiles,
                         lake_smap *set, lake_arena *a) {
    for (size_t i = 0; i < nfiles; i++) {
        if (files[i].table != t)
            continue;
        char *d = lake_xconcat(c->opts->tables[t].name, "/", files[i].dir);
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

static lake_rc remember_old(eng_commit *c, const char *prefix, const lake_smap *only,
                            bool *had_success, lake_error *err) {
    lake_obj_list l = {0};
    lake_rc rc = lake_store_list(c->out, prefix, &l, err);
    for (size_t i = 0; !rc && i < l.n; i++) {
        if (lake_ends_with(l.items[i].key, "/_SUCCESS")) {
            *had_success |= strchr(l.items[i].key + strlen(prefix), '/') == NULL;
            continue; /* overwritten in place, never deleted */
        }
        if (only && !in_written_dir(only, l.items[i].key))
            continue;
        if (strstr(l.items[i].key, c->opts->run_id))
            continue; /* written by this run (dynamic mode lists after writing) */
        lake_obj_list_take(&c->old, &l.items[i]);
    }
    if (rc)
        lake_error_prefix(err, "listing the previous %s: ", prefix);
    lake_obj_list_free(&l);
    return rc;
}

/* Remembers the objects the run replaces: every object of each table, or in dynamic mode those
 * in the partitions written (files; known only after writing). */
static lake_rc list_old(eng_commit *c, const eng_commit_file *files, size_t nfiles,
                        lake_error *err) {
    lake_rc rc = LAKE_OK;
    lake_arena *a = lake_arena_create(0);
    for (size_t t = 0; t < c->opts->ntables && !rc; t++) {
        char *prefix = lake_xconcat(c->opts->tables[t].name, "/");
        if (c->opts->dynamic && c->opts->tables[t].partitioned) {
            lake_smap dirs;
            lake_smap_init(&dirs);
            written_dirs(c, t, files, nfiles, &dirs, a);
            rc = remember_old(c, prefix, &dirs, &c->had_success[t], err);
            lake_smap_free(&dirs);
        } else {
            rc = remember_old(c, prefix, NULL, &c->had_success[t], err);
        }
        free(prefix);
    }
    lake_arena_free(a);
    return rc;
}

/* The objects a run replaces are listed before writing, except in dynamic mode: which
 * partitions a streamed table writes is known only once it is written. */
static lake_rc direct_prepare(eng_commit *c, lake_error *err) {
    c->staging = lake_xstrdup("");
    c->had_success = lake_xcalloc(c->opts->ntables + 1, sizeof *c->had_success);
    return c->opts->dynamic ? LAKE_OK : list_old(c, NULL, 0, err);
}

typedef struct {
    eng_commit *c;
    lake_first_error first;
} delete_job;

static int delete_old(void *arg, size_t i, unsigned worker) {
    (void)worker;
    delete_job *d = arg;
    lake_error err = {0};
    lake_rc rc = lake_store_delete(d->c->out, d->c->old.items[i].key, &err);
    if (rc) {
        lake_error_prefix(&err,
                          "the new tables are committed, but deleting the previous %s "
                          "failed: ",
                          d->c->old.items[i].key);
        lake_first_error_offer(&d->first, i, &err);
    }
    return (int)rc;
}

static lake_rc delete_all_old(eng_commit *c, lake_error *err) {
    delete_job d = {c, {0}};
    lake_first_error_init(&d.first);
    lake_rc rc = LAKE_OK;
    if (lake_parallel_for(c->opts->threads, c->old.n, delete_old, &d)) {
        *err = d.first.err;
        rc = err->rc;
    }
    lake_first_error_free(&d.first);
    return rc;
}

static lake_rc direct_finish(eng_commit *c, const eng_commit_file *files, size_t nfiles,
                             lake_error *err) {
    lake_rc rc = c->opts->dynamic ? list_old(c, files, nfiles, err) : LAKE_OK;
    for (size_t t = 0; t < c->opts->ntables && !rc; t++) {
        if (!c->opts->tables[t].marker)
            continue;
        /* counted before the put, for the same lost-reply reason as the data files */
        c->success_written = t + 1;
        /* empty, as Spark writes it: a failed run leaves a rewritten marker as it was */
        rc = eng_commit_put_marker(c, "", c->opts->tables[t].name, "", err);
    }
    return rc;
}

/* Deletes every object this run tried to write and each _SUCCESS it put where none was before;
 * a _SUCCESS it rewrote over an earlier one stays (it is the same empty marker). */
static void direct_abort(eng_commit *c, const eng_commit_file *files, size_t nfiles) {
    if (c->finished)
        return; /* past the commit point: every _SUCCESS is in place */
    for (size_t i = 0; i < nfiles; i++)
        if (files[i].key)
            lake_store_delete(c->out, files[i].key, NULL);
    for (size_t t = 0; t < c->success_written && t < c->opts->ntables; t++) {
        if (!c->opts->tables[t].marker || c->had_success[t])
            continue;
        char *key = lake_xconcat(c->opts->tables[t].name, "/_SUCCESS");
        lake_store_delete(c->out, key, NULL);
        free(key);
    }
}

const eng_commit_ops eng_commit_direct_ops = {direct_prepare, direct_finish, direct_abort,
                                              delete_all_old};
