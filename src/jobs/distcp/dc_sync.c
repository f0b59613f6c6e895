/* Sync (lake_distcp_options.sync): the destination follows the source as it is now. An output
 * is kept when the previous manifest says it holds exactly the objects the plan puts in it
 * (same names and sizes: a manifest has no checksum, so an object rewritten at its old size is
 * not seen); every other output is copied whole, replacing the old one of its name; outputs no
 * object goes to any more (their objects deleted, or regrouped) are deleted after the commit.
 * Whole outputs, not single objects, are the unit, so an output never gains objects out of
 * order the way S3DistCp's "next free name" would add them (docs/distcp.md, "Sync"). */
#include "base/map.h"
#include "jobs/distcp/dc_job.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    lake_smap by_object; /* base name -> manifest entry */
    lake_smap paths;     /* output URL -> its index in counts */
    uint32_t *counts;    /* per output URL: its objects in the manifest */
} prev_index;

static void index_manifest(const dc_manifest *prev, const char *src, prev_index *ix) {
    lake_smap_init(&ix->by_object);
    lake_smap_init(&ix->paths);
    ix->counts = lake_xcalloc(prev->n + 1, sizeof *ix->counts);
    uint32_t npaths = 0;
    for (size_t i = 0; i < prev->n; i++) {
        const dc_manifest_entry *e = &prev->items[i];
        if (strcmp(e->src_dir, src))
            continue; /* copied from elsewhere: nothing of it is this source's */
        uint32_t v = (uint32_t)i;
        lake_smap_upsert(&ix->by_object, e->base_name, (uint32_t)strlen(e->base_name), &v);
        uint32_t at = npaths;
        if (!lake_smap_upsert(&ix->paths, e->path, (uint32_t)strlen(e->path), &at))
            npaths++;
        ix->counts[at]++;
    }
}

static bool part_unchanged(const prev_index *ix, const dc_manifest *prev, const lake_obj_list *objs,
                           const dc_part *p, const char *url) {
    uint32_t at = 0;
    if (!lake_smap_get(&ix->paths, url, (uint32_t)strlen(url), &at) || ix->counts[at] != p->n)
        return false;
    for (size_t k = 0; k < p->n; k++) {
        const lake_obj *ob = &objs->items[p->order[k]];
        uint32_t i = 0;
        if (!lake_smap_get(&ix->by_object, ob->key, (uint32_t)strlen(ob->key), &i) ||
            prev->items[i].size != ob->size || strcmp(prev->items[i].path, url))
            return false;
    }
    return true;
}

void dc_sync_mark(dc_plan *plan, const lake_obj_list *objs, const dc_manifest *prev,
                  const char *src, const char *dest, lake_distcp_summary *sum) {
    prev_index ix;
    index_manifest(prev, src, &ix);
    for (size_t i = 0; i < plan->n; i++) {
        dc_part *p = &plan->parts[i];
        char *url = lake_xconcat(dest, "/", p->name);
        p->kept = part_unchanged(&ix, prev, objs, p, url);
        if (p->kept) {
            sum->outputs_kept++;
            sum->skipped_manifest += p->n;
        }
        free(url);
    }
    lake_smap_free(&ix.by_object);
    lake_smap_free(&ix.paths);
    free(ix.counts);
}

lake_rc dc_sync_forget(lake_store *dest, const lake_distcp_options *o, lake_error *err) {
    lake_rc rc = lake_store_delete(dest, o->output_manifest, err);
    if (rc == LAKE_ERR_NOT_FOUND)
        return LAKE_OK;
    return rc ? lake_error_prefix(err, "deleting the old manifest %s: ", o->output_manifest) : rc;
}

/* The manifest of the whole plan, in one put (atomic on either store). */
static lake_rc put_manifest(lake_store *dest, const lake_distcp_options *o, const dc_plan *plan,
                            const lake_obj_list *objs, lake_error *err) {
    dc_manifest m = {0};
    char *d = dc_canonical(o->dest), *s = dc_canonical(o->src);
    dc_manifest_add_plan(&m, plan, objs, d, s);
    lake_buf gz;
    lake_buf_init(&gz);
    lake_rc rc = dc_manifest_encode(&m, &gz, err);
    if (!rc)
        rc = lake_store_put(dest, o->output_manifest, gz.data, gz.len, err);
    if (rc)
        lake_error_prefix(err, "writing the manifest %s: ", o->output_manifest);
    lake_buf_free(&gz);
    dc_manifest_free(&m);
    free(d);
    free(s);
    return rc;
}

/* Deletes the objects under dest that no part of plan names. */
static lake_rc remove_stale(lake_store *dest, const lake_distcp_options *o, const dc_plan *plan,
                            uint64_t *removed, lake_error *err) {
    lake_smap names;
    lake_smap_init(&names);
    uint32_t v = 0;
    for (size_t i = 0; i < plan->n; i++)
        lake_smap_upsert(&names, plan->parts[i].name, (uint32_t)strlen(plan->parts[i].name), &v);
    const char *all[] = {""};
    lake_obj_list there = {0};
    lake_rc rc = lake_store_list_many(dest, o->src_prefixes ? o->src_prefixes : all,
                                      o->src_prefixes ? o->nsrc_prefixes : 1, LAKE_LIST_SKIP_HIDDEN,
                                      &there, err);
    const char **stale = lake_xcalloc(there.n + 1, sizeof *stale);
    size_t n = 0;
    for (size_t i = 0; !rc && i < there.n; i++) {
        const char *k = there.items[i].key;
        if (!lake_smap_get(&names, k, (uint32_t)strlen(k), &v) && strcmp(k, o->output_manifest))
            stale[n++] = k;
    }
    if (!rc && n)
        rc = lake_store_delete_many(dest, stale, n, err);
    if (rc)
        lake_error_prefix(err, "the copy is committed, but removing outputs no object goes to "
                               "any more failed: ");
    else
        *removed = n;
    free(stale);
    lake_obj_list_free(&there);
    lake_smap_free(&names);
    return rc;
}

lake_rc dc_sync_finish(lake_store *dest, const lake_distcp_options *o, const dc_plan *plan,
                       const lake_obj_list *objs, uint64_t *removed, lake_error *err) {
    lake_rc rc = remove_stale(dest, o, plan, removed, err);
    if (!rc && (rc = put_manifest(dest, o, plan, objs, err)) != LAKE_OK)
        lake_error_prefix(err, "the copy is committed, but ");
    return rc;
}
