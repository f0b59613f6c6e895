/* The job's inputs: song_data/ and log_data/ listed once (on rank 0 in a cluster, which shares
 * the listing out), checked to be there, and this rank's share of each. */
#include "base/pool.h"
#include "cluster/share.h"
#include "codec/inflate.h"
#include "jobs/sparkify/sparkify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    lake_store *in;
    bool read_small;
    eng_input *inputs[2];
    lake_rc rcs[2];
    lake_error errs[2];
} list_job;

static int list_one(void *ctx, size_t i, unsigned worker) {
    (void)worker;
    list_job *j = ctx;
    j->rcs[i] = eng_list_input(j->in, i ? "log_data" : "song_data", j->read_small, j->inputs[i],
                               &j->errs[i]);
    return (int)j->rcs[i];
}

/* Appends what the input root holds, for a missing dataset: " (found: a/, b.json)". */
static void append_found(lake_buf *msg, lake_rc listed, const lake_obj_list *names,
                         const lake_error *e) {
    if (listed) {
        lake_buf_printf(msg, " (its top level could not be listed: %s)", e->msg);
        return;
    }
    if (names->n == 0) {
        lake_buf_printf(msg, " (the input root is empty or does not exist)");
        return;
    }
    lake_buf_printf(msg, " (found: ");
    for (size_t i = 0; i < names->n && i < 12; i++)
        lake_buf_printf(msg, "%s%s", i ? ", " : "", names->items[i].key);
    if (names->n > 12)
        lake_buf_printf(msg, " and %zu more", names->n - 12);
    lake_buf_printf(msg, ")");
}

static bool has_name(const lake_obj_list *names, const char *name) {
    for (size_t i = 0; i < names->n; i++)
        if (!strcmp(names->items[i].key, name))
            return true;
    return false;
}

/* Both datasets are required: a missing or misspelt one (logdata/) would otherwise replace good
 * tables with empty ones and exit 0. A dataset that is there but holds no input object (only
 * other or hidden names) is an error too: it says as little as a missing one. */
static lake_rc check_datasets(lake_store *in, eng_input *const ds[2], lake_error *err) {
    if (ds[0]->objs.n && ds[1]->objs.n)
        return LAKE_OK;
    lake_obj_list names = {0};
    lake_error e = {0};
    lake_rc listed = lake_store_list_names(in, "", &names, &e);
    lake_buf missing, empty;
    lake_buf_init(&missing);
    lake_buf_init(&empty);
    for (int i = 0; i < 2; i++) {
        if (ds[i]->objs.n)
            continue;
        char *dir = lake_xasprintf("%s/", ds[i]->prefix);
        if (!listed && has_name(&names, dir))
            lake_buf_printf(&empty,
                            "%s/%s holds no input objects (.json, .json.gz or .json.zst; "
                            "names starting with _ or . are skipped)",
                            lake_store_url(in), dir);
        else
            lake_buf_printf(&missing, "%s%s", missing.len ? " nor " : "no ", dir);
        free(dir);
    }
    if (missing.len) {
        lake_buf_printf(&missing, " under %s", lake_store_url(in));
        append_found(&missing, listed, &names, &e);
    }
    lake_rc rc = lake_error_set(err, LAKE_ERR_NOT_FOUND, "%.*s%s%.*s", (int)missing.len,
                                (const char *)missing.data, missing.len && empty.len ? "; " : "",
                                (int)empty.len, (const char *)empty.data);
    lake_buf_free(&missing);
    lake_buf_free(&empty);
    lake_obj_list_free(&names);
    return rc;
}

/* Both datasets are listed at once: on S3 each listing is a few round trips, which the second
 * one used to add to the first. */
static lake_rc list_both(lake_store *in, bool read_small, eng_input *ds[2], lake_error *err) {
    list_job j = {in, read_small, {ds[0], ds[1]}, {LAKE_OK, LAKE_OK}, {{0}, {0}}};
    lake_parallel_for(2, 2, list_one, &j);
    for (int i = 0; i < 2; i++) {
        if (j.rcs[i]) {
            *err = j.errs[i];
            return j.rcs[i];
        }
    }
    return check_datasets(in, ds, err);
}

/* A compressed object is parsed at its inflated size: JSON logs inflate about 10 times (14 at
 * the bench's L, whose one .gz day is 3.2 MB stored and 45 MB of JSON). */
#define SPK_INFLATE_GUESS 10

/* What parsing an object costs, for sharing the listing out: its bytes once inflated. */
static uint64_t parse_weight(const lake_obj *o) {
    return lake_inflate_named(o->key) ? o->size * SPK_INFLATE_GUESS : o->size;
}

/* Alone, the listing reads small local objects as it finds them (on every core). In a cluster
 * it does not: rank 0 would read every rank's share while the others wait, then drop all but its
 * own; each rank reads its share in the songs stage instead. */
lake_rc spk_list_inputs(cl_comm *c, lake_store *in, eng_input *songs, eng_input *logs,
                        lake_run_summary *sum, uint64_t *mine, lake_error *err) {
    eng_input *ds[2] = {songs, logs};
    lake_rc rc = c->rank == 0 ? list_both(in, c->size == 1, ds, err) : LAKE_OK;
    rc = cl_agree(c, rc, err);
    if (rc)
        return rc;
    *mine = 0;
    for (int d = 0; d < 2; d++) {
        ds[d]->prefix = d ? "log_data" : "song_data";
        cl_share_listing(c, &ds[d]->objs);
        cl_share_range(c, &ds[d]->objs, parse_weight, &ds[d]->lo, &ds[d]->hi);
        sum->input_objects[d] = ds[d]->objs.n;
        for (size_t i = 0; i < ds[d]->objs.n; i++) {
            sum->input_bytes += ds[d]->objs.items[i].size;
            if (lake_inflate_named(ds[d]->objs.items[i].key)) {
                sum->input_compressed_objects++;
                sum->input_compressed_bytes += ds[d]->objs.items[i].size;
            }
            if (i >= ds[d]->lo && i < ds[d]->hi)
                *mine += ds[d]->objs.items[i].size;
        }
    }
    return LAKE_OK;
}
