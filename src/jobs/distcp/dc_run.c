/* lake_distcp_run: list, filter, plan, write every output invisibly, commit them and the manifest
 * at once with the engine's commit protocol, then delete the sources when asked. The destination
 * is a merge table of the commit: what is there stays, except objects of the same names. */
#include "base/clock.h"
#include "base/pool.h"
#include "base/uuid.h"
#include "engine/commit/commit.h"
#include "jobs/distcp/dc_job.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const lake_distcp_options *o;
    lake_distcp_summary *sum;
    lake_store *src, *dest;
    char *src_url, *dest_url;
    eng_output *held;
    lake_obj_list objs; /* the objects to copy, sorted by key */
    dc_manifest prev;   /* --previousManifest */
    dc_plan plan;
    dc_written *written; /* per part, and one more for the manifest */
    size_t nwritten;
} dc_run;

/* Outputs written at once. A part's worker mostly waits on its fetches and uploads, so twice
 * the CPUs; and when the outputs are small (an ungrouped copy: a request or three each), 32, as
 * each holds little memory. */
static unsigned pick_threads(const dc_run *r) {
    if (r->o->threads)
        return r->o->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned t = n > 1 ? (unsigned)(2 * n) : 4;
    bool small = r->plan.n && r->sum->bytes_in / r->plan.n < ((uint64_t)1 << 20);
    return small && t < 32 ? 32 : t;
}

/* The destination is taken (locked, and what a killed run left there recovered) only once the
 * sources are listed and the plan holds, so bad input leaves it untouched. */
static lake_rc open_dest(dc_run *r, lake_error *err) {
    lake_rc rc = lake_store_open_ex(r->o->dest, r->o->store, &r->dest, err);
    if (rc)
        return lake_error_prefix(err, "--dest: ");
    lake_uuid_v4(r->sum->run_id);
    return eng_output_open(r->dest, r->sum->run_id, r->o->wait_lock_s, &r->held, err);
}

static lake_rc read_previous(dc_run *r, lake_error *err) {
    if (!r->o->previous_manifest)
        return LAKE_OK;
    bool found = false;
    lake_rc rc = dc_manifest_read(r->o->previous_manifest, r->o->store, &r->prev, &found, err);
    if (!rc && !found && (r->o->require_previous_manifest || r->o->copy_from_manifest))
        rc = lake_error_set(err, LAKE_ERR_NOT_FOUND, "--previousManifest %s does not exist",
                            r->o->previous_manifest);
    return rc;
}

/* The objects to consider: the listing, or (--copyFromManifest) the manifest's. */
static lake_rc sources(dc_run *r, lake_error *err) {
    if (!r->o->copy_from_manifest)
        return dc_list_sources(r->src, r->o, &r->objs, err);
    for (size_t i = 0; i < r->prev.n; i++)
        lake_obj_list_add(&r->objs, r->prev.items[i].base_name, r->prev.items[i].size);
    lake_obj_list_sort(&r->objs);
    return LAKE_OK;
}

/* Keeps the objects --srcPattern matches and the previous manifest does not list. */
static lake_rc filter(dc_run *r, lake_error *err) {
    dc_regex *re = NULL;
    lake_rc rc =
        r->o->src_pattern ? dc_regex_compile("--srcPattern", r->o->src_pattern, &re, err) : LAKE_OK;
    lake_smap seen;
    lake_smap_init(&seen);
    uint32_t v = 0;
    for (size_t i = 0; !r->o->copy_from_manifest && !r->o->sync && i < r->prev.n; i++)
        lake_smap_upsert(&seen, r->prev.items[i].base_name,
                         (uint32_t)strlen(r->prev.items[i].base_name), &v);
    lake_obj_list keep = {0};
    lake_buf path;
    lake_buf_init(&path);
    for (size_t i = 0; !rc && i < r->objs.n; i++) {
        lake_obj *ob = &r->objs.items[i];
        path.len = 0;
        lake_buf_printf(&path, "%s/%s", r->src_url, ob->key);
        if (strpbrk(ob->key, "\t\n\r"))
            rc = lake_error_set(err, LAKE_ERR_INVALID_ARG,
                                "%s: a tab or line break in an object's name cannot be copied",
                                (const char *)path.data);
        else if (re && !dc_regex_match(re, (const char *)path.data, path.len, NULL))
            r->sum->skipped_pattern++;
        else if (lake_smap_get(&seen, ob->key, (uint32_t)strlen(ob->key), &v))
            r->sum->skipped_manifest++;
        else
            lake_obj_list_take(&keep, ob);
    }
    lake_buf_free(&path);
    lake_smap_free(&seen);
    dc_regex_free(re);
    lake_obj_list_free(&r->objs);
    r->objs = keep;
    return rc;
}

/* The plan; with the destination held (dest_held), grouped outputs never take a name that is
 * there already. Without, it only checks that a plan can be made. */
static lake_rc make_plan(dc_run *r, bool dest_held, lake_error *err) {
    dc_regex *group = NULL;
    lake_obj_list there = {0};
    lake_smap taken;
    lake_smap_init(&taken);
    lake_rc rc = LAKE_OK;
    if (r->o->group_by && !(rc = dc_regex_compile("--groupBy", r->o->group_by, &group, err)) &&
        dest_held && !r->o->sync && (rc = lake_store_list(r->dest, "", &there, err)) != LAKE_OK)
        lake_error_prefix(err, "listing --dest %s: ", r->o->dest);
    uint32_t v = 0;
    for (size_t i = 0; i < there.n; i++)
        lake_smap_upsert(&taken, there.items[i].key, (uint32_t)strlen(there.items[i].key), &v);
    dc_plan_opts po = {group,       r->src_url,         r->o->target_size,
                       r->o->codec, r->o->number_files, r->o->starting_index,
                       &taken,      r->o->keep_order};
    if (!rc)
        rc = dc_plan_make(&r->objs, &po, &r->plan, err);
    if (dest_held) {
        r->sum->skipped_pattern += r->plan.unmatched;
        r->sum->groups = r->plan.groups;
    } else {
        dc_plan_free(&r->plan);
    }
    lake_smap_free(&taken);
    lake_obj_list_free(&there);
    dc_regex_free(group);
    return rc;
}

typedef struct {
    dc_run *r;
    dc_copy_ctx ctx;
    lake_first_error first;
} copy_job;

static int copy_task(void *arg, size_t i, unsigned worker) {
    (void)worker;
    copy_job *j = arg;
    if (j->r->plan.parts[i].kept || lake_first_error_before(&j->first, i))
        return 0;
    lake_error e = {0};
    if (dc_copy_part(&j->ctx, &j->r->plan.parts[i], &j->r->written[i], &e))
        lake_first_error_offer(&j->first, i, &e);
    return 0;
}

/* The manifest: every object copied (its output's URL), and those of the previous manifest.
 * Local locations are written absolute, as S3DistCp writes full URIs. */
static lake_rc write_manifest(dc_run *r, const dc_copy_ctx *ctx, lake_error *err) {
    dc_manifest m = {0};
    char *dest = dc_canonical(r->o->dest), *src = dc_canonical(r->o->src);
    for (size_t i = 0; !r->o->copy_from_manifest && !r->o->sync && i < r->prev.n; i++)
        dc_manifest_add(&m, r->prev.items[i].path, r->prev.items[i].base_name,
                        r->prev.items[i].src_dir, r->prev.items[i].size);
    dc_manifest_add_plan(&m, &r->plan, &r->objs, dest, src);
    lake_buf gz;
    lake_buf_init(&gz);
    dc_written *w = &r->written[r->plan.n];
    lake_store_writer *sw = NULL;
    w->key = lake_xconcat(ctx->staging, r->o->output_manifest);
    lake_rc rc = dc_manifest_encode(&m, &gz, err);
    if (!rc && !(rc = lake_store_writer_open(r->dest, w->key, ctx->write_flags, &sw, err)) &&
        (rc = lake_store_writer_write(sw, gz.data, gz.len, err)) != LAKE_OK)
        lake_store_writer_abort(sw);
    else if (!rc)
        rc = eng_commit_writer_end(ctx->write_flags, sw, &w->pending, err);
    if (rc)
        lake_error_prefix(err, "writing the manifest %s: ", r->o->output_manifest);
    lake_buf_free(&gz);
    dc_manifest_free(&m);
    free(dest);
    free(src);
    return rc;
}

static lake_rc write_all(dc_run *r, eng_commit *c, lake_error *err) {
    copy_job j = {r,
                  {r->src, r->dest, &r->objs, eng_commit_write_flags(c), eng_commit_staging(c),
                   r->o->raw_concat, r->o->progress},
                  {0}};
    lake_first_error_init(&j.first);
    lake_progress_stage(r->o->progress, "copy");
    lake_progress_plan(r->o->progress, r->sum->objects_in, r->sum->bytes_in, 0);
    lake_parallel_for(pick_threads(r), r->plan.n, copy_task, &j);
    lake_rc rc = LAKE_OK;
    if (j.first.set) {
        *err = j.first.err;
        rc = err->rc ? err->rc : LAKE_ERR_IO;
    }
    lake_first_error_free(&j.first);
    if (!rc && r->o->output_manifest && !r->o->sync)
        rc = write_manifest(r, &j.ctx, err);
    for (size_t i = 0; !rc && i < r->plan.n; i++)
        r->sum->bytes_out += r->written[i].bytes;
    return rc;
}

/* Writes every output and commits them together (or undoes them all). */
static lake_rc copy_and_commit(dc_run *r, lake_error *err) {
    bool manifest = r->o->output_manifest && !r->o->sync; /* sync writes its own after */
    if (!r->sum->objects_out && !manifest)
        return LAKE_OK; /* nothing to commit */
    const eng_commit_table dest = {"", false, false, true};
    eng_commit_opts co = {r->sum->run_id, false, pick_threads(r), &dest, 1, r->held};
    eng_commit *c = NULL;
    lake_rc rc = eng_commit_prepare(r->dest, &co, &c, err);
    if (rc)
        return rc;
    r->nwritten = r->plan.n + (manifest ? 1 : 0);
    r->written = lake_xcalloc(r->nwritten + 1, sizeof *r->written);
    rc = write_all(r, c, err);
    /* Sync: once every output is staged, and before the first is published. */
    if (!rc && r->o->sync)
        rc = dc_sync_forget(r->dest, r->o, err);
    eng_commit_file *files = lake_xcalloc(r->nwritten + 1, sizeof *files);
    size_t nfiles = 0;
    for (size_t i = 0; i < r->nwritten; i++)
        if (i == r->plan.n || !r->plan.parts[i].kept)
            files[nfiles++] = (eng_commit_file){0, "", r->written[i].key, 0, r->written[i].pending};
    lake_progress_stage(r->o->progress, "commit");
    rc = eng_commit_end(c, rc, files, nfiles, err);
    if (!rc)
        rc = eng_commit_cleanup(c, err);
    free(files);
    eng_commit_free(c);
    return rc;
}

/* --deleteOnSuccess: only after the commit, only what was copied. */
static lake_rc delete_sources(dc_run *r, lake_error *err) {
    if (!r->o->delete_on_success || !r->plan.norder)
        return LAKE_OK;
    lake_progress_stage(r->o->progress, "delete");
    const char **keys = lake_xcalloc(r->plan.norder, sizeof *keys);
    for (size_t i = 0; i < r->plan.norder; i++)
        keys[i] = r->objs.items[r->plan.order[i]].key;
    lake_rc rc = lake_store_delete_many(r->src, keys, r->plan.norder, err);
    if (rc)
        lake_error_prefix(err, "the copy is committed, but deleting its sources failed: ");
    else
        r->sum->deleted = r->plan.norder;
    free(keys);
    return rc;
}

/* What the copy reads and writes: the parts not kept (sync). */
static void count_inputs(dc_run *r) {
    for (size_t i = 0; i < r->plan.n; i++) {
        const dc_part *p = &r->plan.parts[i];
        if (p->kept)
            continue;
        r->sum->objects_in += p->n;
        r->sum->objects_out++;
        r->sum->bytes_in += p->bytes;
    }
}

/* Sync: which outputs the previous manifest shows unchanged. */
static void mark_kept(dc_run *r) {
    if (!r->o->sync)
        return;
    char *dest = dc_canonical(r->o->dest), *src = dc_canonical(r->o->src);
    dc_sync_mark(&r->plan, &r->objs, &r->prev, src, dest, r->sum);
    free(dest);
    free(src);
}

static void dc_run_free(dc_run *r) {
    for (size_t i = 0; i < r->nwritten; i++) {
        free(r->written[i].key);
        free(r->written[i].pending);
    }
    free(r->written);
    dc_plan_free(&r->plan);
    dc_manifest_free(&r->prev);
    lake_obj_list_free(&r->objs);
    eng_output_close(r->held);
    lake_store_close(r->src);
    lake_store_close(r->dest);
    free(r->src_url);
    free(r->dest_url);
}

lake_rc lake_distcp_run(const lake_distcp_options *o, lake_distcp_summary *sum, lake_error *err) {
    lake_distcp_summary local;
    sum = sum ? sum : &local;
    memset(sum, 0, sizeof *sum);
    double t0 = lake_now();
    dc_run r = {.o = o, .sum = sum};
    lake_rc rc = lake_distcp_check(o, err);
    if (rc)
        return rc;
    r.src_url = dc_url_trim(o->src);
    r.dest_url = dc_url_trim(o->dest);
    lake_progress_where(o->progress, 0, 1);
    lake_progress_stage(o->progress, "list");
    if ((rc = lake_store_open_ex(o->src, o->store, &r.src, err)) != LAKE_OK)
        lake_error_prefix(err, "--src: ");
    if (!rc)
        rc = read_previous(&r, err);
    if (!rc)
        rc = sources(&r, err);
    sum->listed = r.objs.n;
    if (!rc && !r.objs.n)
        rc = lake_error_set(err, LAKE_ERR_NOT_FOUND, "--src %s: no objects to copy there%s", o->src,
                            o->src_prefixes_file ? " under the prefixes of --srcPrefixesFile" : "");
    if (!rc)
        rc = filter(&r, err);
    if (!rc)
        rc = make_plan(&r, false, err);
    if (!rc)
        rc = open_dest(&r, err);
    if (!rc)
        rc = make_plan(&r, true, err);
    if (!rc) {
        mark_kept(&r);
        count_inputs(&r);
    }
    if (!rc)
        rc = copy_and_commit(&r, err);
    if (!rc)
        rc = delete_sources(&r, err);
    if (!rc && o->sync)
        rc = dc_sync_finish(r.dest, o, &r.plan, &r.objs, &sum->removed, err);
    dc_run_free(&r);
    sum->seconds = lake_now() - t0;
    return rc;
}
