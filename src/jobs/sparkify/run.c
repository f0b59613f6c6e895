/* lake_run: list -> songs -> catalog -> events -> tables -> load. Nothing is written before every
 * input object has been read and the bad-record limit checked. Under mpirun the same steps run
 * on every rank, each reading its share, with the exchanges of dist.h between them: every step
 * ends with the ranks agreeing on its outcome, so all go on or all stop with the same error. */
#include "base/clock.h"
#include "base/pool.h"
#include "base/uuid.h"
#include "cluster/cluster_commit.h"
#include "jobs/sparkify/dist.h"
#include "jobs/sparkify/sparkify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
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
    cl_comm *comm;
    unsigned threads;
    eng_input songs_in, logs_in;
    eng_worker *song_workers, *event_workers;
    song_vec song_recs;
    song_catalog catalog;
    event_state *states;
    unsigned nstates;     /* one per worker, or the one a cluster's shuffle filled */
    eng_worker *received; /* cluster: interns the rows other ranks sent */
    lake_buf kept[2];     /* cluster: the gathered song records and rejects, which rows view */
    uint64_t id_base;     /* cluster: songplays of the ranks before this one */
    uint32_t *writers[LAKE_TABLE_COUNT]; /* cluster: the rank writing each partition (dist.h) */
    eng_reject_list rejects;
    eng_table tables[LAKE_TABLE_COUNT];
    eng_rowsrc srcs[LAKE_TABLE_COUNT]; /* time and songplays come as row sources */
    eng_rowsrc *src_of[LAKE_TABLE_COUNT];
} run_state;

static void run_state_free(run_state *r) {
    for (int t = 0; t < LAKE_TABLE_COUNT; t++) {
        eng_table_free(&r->tables[t]);
        free(r->writers[t]);
        if (r->src_of[t])
            r->srcs[t].free(r->srcs[t].ud);
    }
    for (unsigned w = 0; r->states && w < r->nstates; w++)
        spk_event_state_free(&r->states[w]);
    free(r->states);
    if (r->received)
        eng_worker_free(r->received);
    free(r->received);
    lake_buf_free(&r->kept[0]);
    lake_buf_free(&r->kept[1]);
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

/* All ranks' song records, so each builds the whole catalog. */
static void gather_songs(run_state *r) {
    if (r->comm->size > 1)
        spk_dist_songs(r->comm, &r->song_recs, &r->kept[0]);
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

static lake_rc extract(lake_store *in, run_state *r, const lake_run_opts *o, lake_run_summary *sum,
                       lake_error *err) {
    size_t spill_at = o->spill_rows;
    double t0 = lake_now(), c0 = lake_cpu_now();
    r->songs_in.progress = r->logs_in.progress = o->progress;
    lake_progress_stage(o->progress, "songs");
    r->song_workers = make_workers(r->threads, spk_song_fields, spk_song_nfields);
    lake_rc rc =
        spk_extract_songs(in, &r->songs_in, r->threads, r->song_workers, &r->song_recs, err);
    release_buffers(r->song_workers, r->threads);
    for (unsigned w = 0; w < r->threads; w++)
        sum->song_records += r->song_workers[w].records;
    if ((rc = cl_agree(r->comm, rc, err)) != LAKE_OK)
        return rc;
    gather_songs(r);
    spk_catalog_build(&r->catalog, &r->song_recs, r->threads);
    song_vec_free(&r->song_recs); /* the catalog holds copies; later stages reuse the pages */
    double t1 = lake_now(), c1 = lake_cpu_now();
    sum->t_songs = t1 - t0;
    sum->c_songs = c1 - c0;
    lake_progress_stage(o->progress, "events");
    r->event_workers = make_workers(r->threads, spk_event_fields, spk_event_nfields);
    r->states = lake_xcalloc(r->threads, sizeof *r->states);
    r->nstates = r->threads;
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
    return cl_agree(r->comm, rc, err);
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

/* The limits on bad records, with every bad record of the job in r->rejects: n[0], n[1] the
 * bad song and event records, n[2], n[3] all song and event records. */
static lake_rc check_limits(run_state *r, const lake_run_opts *o, const uint64_t n[4],
                            lake_run_summary *sum, lake_error *err) {
    eng_reject_sort(&r->rejects);
    sum->bad_records = r->rejects.n;
    sp_summary_reasons(&r->rejects, sum);
    if (o->max_bad_records < 0)
        return check_fraction(r, o, n, n + 2, err);
    if (r->rejects.n <= (uint64_t)o->max_bad_records)
        return LAKE_OK;
    const eng_reject *first = first_reject(&r->rejects, "");
    return lake_error_set(err, LAKE_ERR_BAD_RECORDS,
                          "%zu of %llu records are bad, more than --max-bad-records %lld; first: "
                          "%s line %llu: %s",
                          r->rejects.n, (unsigned long long)(n[2] + n[3]),
                          (long long)o->max_bad_records, first->source,
                          (unsigned long long)first->line, first->reason);
}

/* A cluster's bad records and counts go to rank 0, which checks the limits for the job. */
static lake_rc check_rejects(run_state *r, const lake_run_opts *o, lake_run_summary *sum,
                             lake_error *err) {
    uint64_t n[4] = {0, 0, sum->song_records, sum->event_records};
    for (unsigned w = 0; w < r->threads; w++) {
        n[0] += r->song_workers[w].rejects.n;
        n[1] += r->event_workers[w].rejects.n;
        eng_reject_merge(&r->rejects, &r->song_workers[w].rejects);
        eng_reject_merge(&r->rejects, &r->event_workers[w].rejects);
    }
    if (r->comm->size > 1) {
        cl_allreduce(r->comm, n, 4, CL_SUM);
        spk_dist_rejects(r->comm, &r->rejects, &r->kept[1]);
    }
    lake_rc rc = r->comm->rank == 0 ? check_limits(r, o, n, sum, err) : LAKE_OK;
    return cl_agree(r->comm, rc, err);
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
        spk_build_users(r->states, r->nstates, &r->tables[i]);
        break;
    case LAKE_TABLE_TIME:
        spk_time_source(r->states, r->nstates, &r->tables[i], &r->srcs[i]);
        r->src_of[i] = &r->srcs[i];
        break;
    default:
        spk_songplays_source(r->states, r->nstates, &r->catalog, r->id_base, &r->tables[i],
                             &r->srcs[i]);
        r->src_of[i] = &r->srcs[i];
        break;
    }
    return 0;
}

/* A cluster's users, timestamps and songplays go where they are reduced and written (dist.h);
 * this rank's songplay ids start after those of the ranks before it. */
static lake_rc shuffle(run_state *r, size_t spill_at, lake_error *err) {
    event_state *into = lake_xcalloc(1, sizeof *into);
    into->spill_at = spill_at;
    r->received = lake_xcalloc(1, sizeof *r->received);
    eng_worker_init(r->received, NULL, 0);
    lake_rc rc = spk_dist_shuffle(r->comm, r->states, r->nstates, into, r->received, err);
    free(r->states);
    r->states = into;
    r->nstates = 1;
    uint64_t plays = into->nplays;
    for (size_t k = 0; k < into->nruns; k++)
        plays += into->runs[k].n;
    r->id_base = cl_exscan(r->comm, plays);
    return cl_agree(r->comm, rc, err);
}

/* In a cluster every rank holds songs and artists whole (from the catalog) and the users rank
 * holds users: who writes which of their partitions is dealt by the work each rank has. */
static void share_tables(run_state *r) {
    uint64_t streamed = r->srcs[LAKE_TABLE_TIME].rows + r->srcs[LAKE_TABLE_SONGPLAYS].rows;
    spk_dist_deal(r->comm, r->tables, streamed, r->writers);
}

static lake_rc transform(run_state *r, const lake_run_opts *o, lake_run_summary *sum,
                         lake_error *err) {
    size_t spill_at = o->spill_rows;
    double t0 = lake_now(), c0 = lake_cpu_now();
    lake_progress_stage(o->progress, "transform");
    lake_rc rc = r->comm->size > 1 ? shuffle(r, spill_at, err) : LAKE_OK;
    if (!rc) {
        /* songplays first: it is the largest, so the others fill in beside it */
        static const size_t order[LAKE_TABLE_COUNT] = {LAKE_TABLE_SONGPLAYS, LAKE_TABLE_TIME,
                                                       LAKE_TABLE_SONGS, LAKE_TABLE_USERS,
                                                       LAKE_TABLE_ARTISTS};
        transform_job j = {r, order};
        lake_parallel_for(r->threads, LAKE_TABLE_COUNT, build_in_order, &j);
        for (int t = 0; t < LAKE_TABLE_COUNT; t++)
            sum->rows[t] = r->src_of[t] ? r->srcs[t].rows : r->tables[t].cols[0].len;
        if (r->comm->size > 1)
            share_tables(r);
    }
    sum->t_transform = lake_now() - t0;
    sum->c_transform = lake_cpu_now() - c0;
    return rc;
}

/* The tables and the rejects go to the engine's loader; the cluster decides the commit. */
static lake_rc load(lake_store *out, const eng_output *held, run_state *r, const lake_run_opts *o,
                    lake_run_summary *sum, lake_error *err) {
    eng_load_opts lo = {out,
                        sum->run_id,
                        o->threads,
                        o->parquet,
                        o->max_rows_per_file,
                        o->mode == LAKE_WRITE_DYNAMIC,
                        cl_commit,
                        r->comm,
                        held,
                        o->progress};
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
    if (r->comm->size > 1) /* this rank's rows are those it wrote (spk_dist_summary adds them) */
        for (int t = 0; t < LAKE_TABLE_COUNT; t++)
            sum->rows[t] = tables[t].rows;
    return rc;
}

static unsigned pick_threads(unsigned asked) {
    if (asked)
        return asked;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* Rank 0 holds the output and names the run; the other ranks learn its outcome and run id. */
static lake_rc open_output(run_state *r, lake_store *out, double wait_s, lake_run_summary *sum,
                           eng_output **held, lake_error *err) {
    lake_rc rc = LAKE_OK;
    if (r->comm->rank == 0) {
        lake_uuid_v4(sum->run_id);
        rc = eng_output_open(out, sum->run_id, wait_s, held, err);
    }
    if (r->comm->size > 1) {
        lake_buf id;
        lake_buf_init(&id);
        lake_buf_append(&id, sum->run_id, sizeof sum->run_id);
        cl_bcast(r->comm, 0, &id);
        memcpy(sum->run_id, id.data, sizeof sum->run_id);
        lake_buf_free(&id);
    }
    return cl_agree(r->comm, rc, err);
}

/* Seconds since 1970-01-01 UTC, for the summary's start time. */
static double wall_clock(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A cluster's ranks make the job's summary out of theirs. */
static void job_summary(cl_comm *c, lake_run_summary *sum, uint64_t bytes_read) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    lake_rank_summary mine = {
        sum->song_records + sum->event_records, bytes_read,   0,           c->sent,
        (uint64_t)ru.ru_maxrss * 1024,          sum->t_total, sum->c_total};
    for (int t = 0; t < LAKE_TABLE_COUNT; t++)
        mine.rows += sum->rows[t];
    spk_dist_summary(c, sum, &mine);
}

lake_rc lake_run(lake_store *in, lake_store *out, const lake_run_opts *o, lake_run_summary *sum,
                 lake_error *err) {
    run_state r;
    memset(&r, 0, sizeof r);
    memset(sum, 0, sizeof *sum);
    lake_rc rc = cl_comm_world(&r.comm, err);
    if (rc)
        return rc;
    sum->rank = (unsigned)r.comm->rank;
    sum->ranks = (unsigned)r.comm->size;
    sum->started_at = wall_clock();
    lake_progress_where(o->progress, sum->rank, sum->ranks);
    lake_progress_stage(o->progress, "list");
    r.threads = pick_threads(o->threads);
    sum->threads = r.threads;
    lake_run_opts opts = *o;
    opts.threads = r.threads;
    double t0 = lake_now(), c0 = lake_cpu_now();
    /* The output is this run's from here to the end: no other run writes or cleans it. */
    eng_output *held = NULL;
    uint64_t bytes_read = 0;
    rc = open_output(&r, out, o->wait_lock_s, sum, &held, err);
    if (!rc)
        rc = spk_list_inputs(r.comm, in, &r.songs_in, &r.logs_in, sum, &bytes_read, err);
    sum->t_list = lake_now() - t0;
    sum->c_list = lake_cpu_now() - c0;
    if (!rc)
        rc = extract(in, &r, o, sum, err);
    if (!rc)
        rc = check_rejects(&r, o, sum, err);
    if (!rc)
        rc = transform(&r, o, sum, err);
    if (!rc)
        rc = load(out, held, &r, &opts, sum, err);
    run_state_free(&r);
    eng_output_close(held);
    sum->t_total = lake_now() - t0;
    sum->c_total = lake_cpu_now() - c0;
    if (r.comm->size > 1)
        job_summary(r.comm, sum, bytes_read);
    return rc;
}
