/* The journal moves of the direct protocol (commit_journal.h): pending objects published in
 * rounds, dropped on an undo, and the older objects of the tables cleaned away after the commit. */
#include "base/map.h"
#include "engine/commit/commit_journal.h"

#include <stdlib.h>
#include <string.h>

/* The length of key's first path component with its '/' (the table directory), or 0. */
static uint32_t table_len(const char *key) {
    const char *slash = strchr(key, '/');
    return slash ? (uint32_t)(slash - key + 1) : 0;
}

/* Lists each table the moves publish into once; the keys found go into set (their storage stays
 * in lists, which the caller frees). */
static lake_rc visible(lake_store *out, const eng_move *moves, size_t n, lake_smap *set,
                       lake_obj_list *lists, lake_error *err) {
    lake_smap tables;
    lake_smap_init(&tables);
    lake_rc rc = LAKE_OK;
    size_t nl = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t v = 0, len = table_len(moves[i].rel);
        if (lake_smap_upsert(&tables, moves[i].rel, len, &v))
            continue;
        char *prefix = lake_xstrndup(moves[i].rel, len);
        rc = lake_store_list(out, prefix, &lists[nl], err);
        free(prefix);
        for (size_t k = 0; !rc && k < lists[nl].n; k++) {
            const char *key = lists[nl].items[k].key;
            lake_smap_upsert(set, key, (uint32_t)strlen(key), &v);
        }
        nl++;
    }
    lake_smap_free(&tables);
    return rc;
}

/* Publishes keys[0..n) in rounds, a step before each. */
static lake_rc publish_rounds(lake_store *out, const char **keys, const char **tokens, size_t n,
                              size_t round, eng_step_fn step, void *ud, lake_error *err) {
    lake_rc rc = LAKE_OK;
    for (size_t i = 0; i < n && !rc; i += round) {
        size_t m = n - i < round ? n - i : round;
        if (!(rc = step(ud, err)))
            rc = lake_store_publish(out, keys + i, tokens + i, m, err);
    }
    return rc;
}

lake_rc eng_publish_forward(lake_store *out, const eng_journal *j, const eng_move *moves, size_t n,
                            eng_step_fn step, void *ud, lake_error *err) {
    lake_smap set;
    lake_smap_init(&set);
    lake_obj_list *lists = lake_xcalloc(n, sizeof *lists);
    const char **keys = lake_xcalloc(n, sizeof *keys), **tokens = lake_xcalloc(n, sizeof *tokens);
    size_t m = 0;
    /* Only a resumed commit can have published some already: a fresh one skips the listing. */
    lake_rc rc = j->read_back ? visible(out, moves, n, &set, lists, err) : LAKE_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t v;
        if (lake_smap_get(&set, moves[i].rel, (uint32_t)strlen(moves[i].rel), &v))
            continue; /* published before a crash */
        keys[m] = moves[i].rel;
        tokens[m++] = moves[i].witness;
    }
    if (!rc)
        rc = publish_rounds(out, keys, tokens, m, j->round ? j->round : ENG_PUBLISH_ROUND, step, ud,
                            err);
    if (rc)
        lake_error_prefix(err, "publishing the new files: ");
    for (size_t i = 0; i < n; i++)
        lake_obj_list_free(&lists[i]);
    free(lists);
    free(keys);
    free(tokens);
    lake_smap_free(&set);
    return rc;
}

lake_rc eng_publish_back(lake_store *out, const eng_move *moves, size_t n, eng_step_fn step,
                         void *ud, lake_error *err) {
    const char **keys = lake_xcalloc(n, sizeof *keys), **tokens = lake_xcalloc(n, sizeof *tokens);
    for (size_t i = 0; i < n; i++) {
        keys[i] = moves[i].rel;
        tokens[i] = moves[i].witness;
    }
    lake_rc rc = step(ud, err);
    if (!rc)
        rc = lake_store_discard(out, keys, tokens, n, err);
    if (!rc)
        rc = lake_store_delete_many(out, keys, n, err);
    if (rc)
        lake_error_prefix(err, "removing the new files: ");
    free(keys);
    free(tokens);
    return rc;
}

/* The directories (with their '/') that the PUBLISH moves of j write into under rel. */
static void written_dirs(const eng_journal *j, const char *rel, lake_smap *dirs) {
    size_t rl = strlen(rel);
    for (size_t i = 0; i < j->n; i++) {
        const eng_move *m = &j->moves[i];
        const char *slash = strrchr(m->rel, '/');
        uint32_t v = 0;
        if (m->kind == ENG_MOVE_PUBLISH && !strncmp(m->rel, rel, rl) && slash)
            lake_smap_upsert(dirs, m->rel, (uint32_t)(slash - m->rel + 1), &v);
    }
}

/* Is key one of the older objects that move m deletes? */
static bool is_old(const eng_journal *j, const eng_move *m, const lake_smap *dirs,
                   const char *key) {
    const char *slash = strrchr(key, '/');
    uint32_t v;
    if (strstr(key, j->run_id) || !slash || !strcmp(slash, "/_SUCCESS"))
        return false; /* this run's files, and the markers (written in place) */
    return !strcmp(m->witness, "all") || lake_smap_get(dirs, key, (uint32_t)(slash - key + 1), &v);
}

static lake_rc clean_one(lake_store *out, const eng_journal *j, const eng_move *m, eng_step_fn step,
                         void *ud, lake_error *err) {
    lake_smap dirs;
    lake_smap_init(&dirs);
    written_dirs(j, m->rel, &dirs);
    lake_obj_list l = {0};
    lake_rc rc = lake_store_list(out, m->rel, &l, err);
    const char **old = lake_xcalloc(l.n + 1, sizeof *old);
    size_t n = 0;
    for (size_t i = 0; !rc && i < l.n; i++)
        if (is_old(j, m, &dirs, l.items[i].key))
            old[n++] = l.items[i].key;
    if (!rc && n && !(rc = step(ud, err)))
        rc = lake_store_delete_many(out, old, n, err);
    if (rc)
        lake_error_prefix(err, "deleting the previous %s: ", m->rel);
    free(old);
    lake_obj_list_free(&l);
    lake_smap_free(&dirs);
    return rc;
}

lake_rc eng_journal_clean(lake_store *out, const eng_journal *j, eng_step_fn step, void *ud,
                          lake_error *err) {
    lake_rc rc = LAKE_OK;
    for (size_t i = 0; i < j->n && !rc; i++)
        if (j->moves[i].kind == ENG_MOVE_CLEAN)
            rc = clean_one(out, j, &j->moves[i], step, ud, err);
    return rc;
}
