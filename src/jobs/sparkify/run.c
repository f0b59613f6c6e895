/* lake_run: list -> songs -> catalog -> events -> tables -> load. Nothing is written before every
 * input object has been read and the bad-record limit checked. */
#include "base/clock.h"
#include "base/pool.h"
#include "base/uuid.h"
#include "cluster/cluster_commit.h"
#include "jobs/sparkify/sparkify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void lake_run_opts_default(lake_run_opts *o) {
    memset(o, 0, sizeof *o);
    pq_options_default(&o->parquet);
    o->max_bad_records = -1;
    o->max_bad_fraction = LAKE_DEFAULT_MAX_BAD_FRACTION;
    o->spill_rows = LAKE_DEFAULT_SPILL_ROWS;
    o->mode = LAKE_WRITE_OVERWRITE;
}

typedef struct {
    unsigned threads;
    eng_input songs_in, logs_in;
    eng_worker *song_workers, *event_workers;
    song_vec song_recs;
    song_catalog catalog;
    event_state *states;
    eng_reject_list rejects;
    eng_table tables[LAKE_TABLE_COUNT];
    eng_rowsrc srcs[LAKE_TABLE_COUNT]; /* time and songplays come as row sources */
    eng_rowsrc *src_of[LAKE_TABLE_COUNT];
} run_state;

static void run_state_free(run_state *r) {
    for (int t = 0; t < LAKE_TABLE_COUNT; t++) {
        eng_table_free(&r->tables[t]);
        if (r->src_of[t])
            r->srcs[t].free(r->srcs[t].ud);
    }
    for (unsigned w = 0; r->states && w < r->threads; w++)
        spk_event_state_free(&r->states[w]);
    free(r->states);
    spk_catalog_free(&r->catalog);
    song_vec_free(&r->song_recs);
    for (unsigned w = 0; w < r->threads; w++) {
        if (r->song_workers)
            eng_worker_free(&r->song_workers[w]);
        if (r->event_workers)
            eng_worker_free(&r->event_workers[w]);
    }
    free(r->song_workers);
    free(r->event_workers);
    eng_reject_list_free(&r->rejects);
    lake_obj_list_free(&r->songs_in.objs);
    lake_obj_list_free(&r->logs_in.objs);
}

typedef struct {
    lake_store *in;
    eng_input *inputs[2];
    lake_rc rcs[2];
    lake_error errs[2];
} list_job;

static int list_one(void *ctx, size_t i, unsigned worker) {
    (void)worker;
    list_job *j = ctx;
    j->rcs[i] = eng_list_input(j->in, i ? "log_data" : "song_data", j->inputs[i], &j->errs[i]);
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
static lake_rc check_datasets(lake_store *in, run_state *r, lake_error *err) {
    const eng_input *ds[2] = {&r->songs_in, &r->logs_in};
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
static lake_rc list_inputs(lake_store *in, run_state *r, lake_run_summary *sum, lake_error *err) {
    list_job j = {in, {&r->songs_in, &r->logs_in}, {LAKE_OK, LAKE_OK}, {{0}, {0}}};
    lake_parallel_for(2, 2, list_one, &j);
    for (int i = 0; i < 2; i++) {
        if (j.rcs[i]) {
            *err = j.errs[i];
            return j.rcs[i];
        }
    }
    lake_rc rc = check_datasets(in, r, err);
    if (rc)
        return rc;
    sum->input_objects[0] = r->songs_in.objs.n;
    sum->input_objects[1] = r->logs_in.objs.n;
    for (size_t i = 0; i < r->songs_in.objs.n; i++)
        sum->input_bytes += r->songs_in.objs.items[i].size;
    for (size_t i = 0; i < r->logs_in.objs.n; i++)
        sum->input_bytes += r->logs_in.objs.items[i].size;
    return LAKE_OK;
}

static eng_worker *make_workers(unsigned n, const char *const *fields, size_t nfields) {
    eng_worker *w = lake_xcalloc(n, sizeof *w);
    for (unsigned i = 0; i < n; i++)
        eng_worker_init(&w[i], fields, nfields);
    return w;
}

/* Fetch buffers are only needed while reading; the arenas live on (rows point into them). */
static void release_buffers(eng_worker *w, unsigned n) {
    for (unsigned i = 0; i < n; i++)
        eng_worker_release_buffers(&w[i]);
}

static lake_rc extract(lake_store *in, run_state *r, size_t spill_at, lake_run_summary *sum,
                       lake_error *err) {
    double t0 = lake_now(), c0 = lake_cpu_now();
    r->song_workers = make_workers(r->threads, spk_song_fields, spk_song_nfields);
    lake_rc rc =
        spk_extract_songs(in, &r->songs_in, r->threads, r->song_workers, &r->song_recs, err);
    release_buffers(r->song_workers, r->threads);
    for (unsigned w = 0; w < r->threads; w++)
        sum->song_records += r->song_workers[w].records;
    if (rc)
        return rc;
    spk_catalog_build(&r->catalog, &r->song_recs, r->threads);
    song_vec_free(&r->song_recs); /* the catalog holds copies; later stages reuse the pages */
    double t1 = lake_now(), c1 = lake_cpu_now();
    sum->t_songs = t1 - t0;
    sum->c_songs = c1 - c0;
    r->event_workers = make_workers(r->threads, spk_event_fields, spk_event_nfields);
    r->states = lake_xcalloc(r->threads, sizeof *r->states);
    for (unsigned w = 0; w < r->threads; w++)
        r->states[w].spill_at = spill_at;
    rc = spk_extract_events(in, &r->logs_in, r->threads, r->event_workers, &r->catalog, r->states,
                            err);
    for (unsigned w = 0; w < r->threads && !rc; w++)
        if (r->states[w].spill_failed) {
            *err = r->states[w].spill_err;
            rc = lake_error_prefix(err, "spilling songplays: ");
        }
    release_buffers(r->event_workers, r->threads);
    for (unsigned w = 0; w < r->threads; w++) {
        sum->event_records += r->event_workers[w].records;
        sum->nextsong_events += r->states[w].nextsong;
        sum->spilled_runs += r->states[w].nruns;
        for (size_t k = 0; k < r->states[w].nruns; k++)
            sum->spilled_bytes += r->states[w].runs[k].n * sizeof(play_rec);
    }
    sum->t_events = lake_now() - t1;
    sum->c_events = lake_cpu_now() - c1;
    return rc;
}

/* The first bad record (in input order) whose object is under prefix/ ("" for any). */
static const eng_reject *first_reject(const eng_reject_list *l, const char *prefix) {
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < l->n; i++)
        if (!plen ||
            (!strncmp(l->items[i].source, prefix, plen) && l->items[i].source[plen] == '/'))
            return &l->items[i];
    return l->n ? &l->items[0] : NULL;
}

/* With no --max-bad-records, each dataset may have at most max_bad_fraction of its records bad:
 * a dataset that is mostly bad is the wrong input (another format, a schema change), and its
 * empty tables must not replace good ones. */
static lake_rc check_fraction(run_state *r, const lake_run_opts *o, const uint64_t bad[2],
                              const uint64_t records[2], lake_error *err) {
    const eng_input *ds[2] = {&r->songs_in, &r->logs_in};
    for (int i = 0; i < 2; i++) {
        if (!bad[i] || (double)bad[i] <= o->max_bad_fraction * (double)records[i])
            continue;
        const eng_reject *first = first_reject(&r->rejects, ds[i]->prefix);
        return lake_error_set(err, LAKE_ERR_BAD_RECORDS,
                              "%llu of %llu %s/ records are bad, more than the default limit of "
                              "%g%% (--max-bad-records N sets a count instead); first: %s line "
                              "%llu: %s",
                              (unsigned long long)bad[i], (unsigned long long)records[i],
                              ds[i]->prefix, 100 * o->max_bad_fraction, first->source,
                              (unsigned long long)first->line, first->reason);
    }
    return LAKE_OK;
}

static lake_rc check_rejects(run_state *r, const lake_run_opts *o, lake_run_summary *sum,
                             lake_error *err) {
    uint64_t bad[2] = {0, 0}, records[2] = {sum->song_records, sum->event_records};
    for (unsigned w = 0; w < r->threads; w++) {
        bad[0] += r->song_workers[w].rejects.n;
        bad[1] += r->event_workers[w].rejects.n;
        eng_reject_merge(&r->rejects, &r->song_workers[w].rejects);
        eng_reject_merge(&r->rejects, &r->event_workers[w].rejects);
    }
    eng_reject_sort(&r->rejects);
    sum->bad_records = r->rejects.n;
    sp_summary_reasons(&r->rejects, sum);
    if (o->max_bad_records < 0)
        return check_fraction(r, o, bad, records, err);
    if (r->rejects.n <= (uint64_t)o->max_bad_records)
        return LAKE_OK;
    const eng_reject *first = first_reject(&r->rejects, "");
    return lake_error_set(err, LAKE_ERR_BAD_RECORDS,
                          "%zu of %llu records are bad, more than --max-bad-records %lld; first: "
                          "%s line %llu: %s",
                          r->rejects.n, (unsigned long long)(records[0] + records[1]),
                          (long long)o->max_bad_records, first->source,
                          (unsigned long long)first->line, first->reason);
}

typedef struct {
    void *r;
    const size_t *order;
} transform_job;

static int build_table(void *ctx, size_t i, unsigned worker);

static int build_in_order(void *ctx, size_t i, unsigned worker) {
    transform_job *j = ctx;
    return build_table(j->r, j->order[i], worker);
}

/* The five tables are independent given the catalog and the event states: build them on the
 * worker pool. */
static int build_table(void *ctx, size_t i, unsigned worker) {
    (void)worker;
    run_state *r = ctx;
    switch (i) {
    case LAKE_TABLE_SONGS:
        spk_build_songs(&r->catalog, &r->tables[i]);
        break;
    case LAKE_TABLE_ARTISTS:
        spk_build_artists(&r->catalog, &r->tables[i]);
        break;
    case LAKE_TABLE_USERS:
        spk_build_users(r->states, r->threads, &r->tables[i]);
        break;
    case LAKE_TABLE_TIME:
        spk_time_source(r->states, r->threads, &r->tables[i], &r->srcs[i]);
        r->src_of[i] = &r->srcs[i];
        break;
    default:
        spk_songplays_source(r->states, r->threads, &r->catalog, &r->tables[i], &r->srcs[i]);
        r->src_of[i] = &r->srcs[i];
        break;
    }
    return 0;
}

static void transform(run_state *r, lake_run_summary *sum) {
    double t0 = lake_now(), c0 = lake_cpu_now();
    /* songplays first: it is the largest, so the others fill in beside it */
    static const size_t order[LAKE_TABLE_COUNT] = {LAKE_TABLE_SONGPLAYS, LAKE_TABLE_TIME,
                                                   LAKE_TABLE_SONGS, LAKE_TABLE_USERS,
                                                   LAKE_TABLE_ARTISTS};
    transform_job j = {r, order};
    lake_parallel_for(r->threads, LAKE_TABLE_COUNT, build_in_order, &j);
    for (int t = 0; t < LAKE_TABLE_COUNT; t++)
        sum->rows[t] = r->src_of[t] ? r->srcs[t].rows : r->tables[t].cols[0].len;
    sum->t_transform = lake_now() - t0;
    sum->c_transform = lake_cpu_now() - c0;
}

/* The tables and the rejects go to the engine's loader; the cluster decides the commit. */
static lake_rc load(lake_store *out, const eng_output *held, run_state *r, const lake_run_opts *o,
                    lake_run_summary *sum, lake_error *err) {
    eng_load_opts lo = {out,        sum->run_id,          o->threads,
                        o->parquet, o->max_rows_per_file, o->mode == LAKE_WRITE_DYNAMIC,
                        cl_commit,  cl_comm_single(),     held};
    eng_table_stats tables[LAKE_TABLE_COUNT];
    eng_load_stats st = {.files = sum->files, .tables = tables};
    memset(tables, 0, sizeof tables);
    lake_buf rejects;
    lake_buf_init(&rejects);
    eng_reject_write(&r->rejects, &rejects);
    lake_rc rc = eng_load(&lo, r->tables, r->src_of, LAKE_TABLE_COUNT, &rejects, &st, err);
    lake_buf_free(&rejects);
    sum->bytes_written = st.bytes_written;
    sum->t_write = st.t_write;
    sum->c_write = st.c_write;
    sum->t_commit = st.t_commit;
    sum->c_commit = st.c_commit;
    sum->t_cleanup = st.t_cleanup;
    sum->c_cleanup = st.c_cleanup;
    sp_summary_tables(tables, sum);
    return rc;
}

static unsigned pick_threads(unsigned asked) {
    if (asked)
        return asked;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

lake_rc lake_run(lake_store *in, lake_store *out, const lake_run_opts *o, lake_run_summary *sum,
                 lake_error *err) {
    run_state r;
    memset(&r, 0, sizeof r);
    memset(sum, 0, sizeof *sum);
    lake_uuid_v4(sum->run_id);
    r.threads = pick_threads(o->threads);
    sum->threads = r.threads;
    lake_run_opts opts = *o;
    opts.threads = r.threads;
    double t0 = lake_now(), c0 = lake_cpu_now();
    /* The output is this run's from here to the end: no other run writes or cleans it. */
    eng_output *held = NULL;
    lake_rc rc = eng_output_open(out, sum->run_id, o->wait_lock_s, &held, err);
    if (!rc)
        rc = list_inputs(in, &r, sum, err);
    sum->t_list = lake_now() - t0;
    sum->c_list = lake_cpu_now() - c0;
    if (!rc)
        rc = extract(in, &r, o->spill_rows, sum, err);
    if (!rc)
        rc = check_rejects(&r, o, sum, err);
    if (!rc) {
        transform(&r, sum);
        rc = load(out, held, &r, &opts, sum, err);
    }
    run_state_free(&r);
    eng_output_close(held);
    sum->t_total = lake_now() - t0;
    sum->c_total = lake_cpu_now() - c0;
    return rc;
}
