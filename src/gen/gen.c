/* lake gen: deterministic synthetic Sparkify data.
 *
 * Shape: `songs` song records under song_data/<A>/<B>/<C>/TR<ABC><13>.json (mostly one object a
 * file, some files with several concatenated or one per line), `events` log events spread over the
 * 30 days of November 2018 in log_data/2018/11/2018-11-DD-events.json (NDJSON). With edge_cases a
 * fixed catalogue of awkward records is added on top (a few dozen songs and events, in extra
 * files); with bad_records a few records that a reader must reject are added as well.
 *
 * Determinism: every random choice comes from gen_rng streams derived from the seed; nothing
 * depends on time, addresses or thread scheduling. Generation is single-threaded and streams one
 * output object at a time, so memory is bounded by the songs catalogue plus one day's events.
 * This file runs the steps (see gen/gen_model.h) in their fixed order. */
#include "lake/gen.h"

#include "gen/gen_events.h"
#include "gen/gen_songs.h"

#include <stdlib.h>
#include <string.h>

void lake_gen_opts_default(lake_gen_opts *o) {
    o->songs = 1000;
    o->events = 10000;
    o->seed = 42;
    o->edge_cases = true;
    o->bad_records = false;
    o->replace = false;
}

/* The datasets lake_gen writes: what is under them already would mix with the new files. */
static const char *const datasets[] = {"song_data/", "log_data/"};

/* Refuses a store that holds either dataset, or (replace) deletes what they hold. */
static lake_rc clear_datasets(lake_store *out, bool replace, lake_error *err) {
    bool held[2] = {false, false};
    for (int i = 0; i < 2; i++) {
        lake_rc rc = lake_store_exists(out, datasets[i], &held[i], err);
        if (!rc && held[i] && replace)
            rc = lake_store_delete_prefix(out, datasets[i], err);
        if (rc)
            return rc;
    }
    if (replace || (!held[0] && !held[1]))
        return LAKE_OK;
    return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                          "%s already holds %s%s%s: new files would mix with the old ones "
                          "(lake gen --force replaces them)",
                          lake_store_url(out), held[0] ? datasets[0] : "",
                          held[0] && held[1] ? " and " : "", held[1] ? datasets[1] : "");
}

lake_rc lake_gen(lake_store *out, const lake_gen_opts *o, lake_error *err) {
    lake_gen_stats st;
    return lake_gen_ex(out, o, &st, err);
}

lake_rc lake_gen_ex(lake_store *out, const lake_gen_opts *o, lake_gen_stats *stats,
                    lake_error *err) {
    memset(stats, 0, sizeof *stats);
    lake_rc rc = clear_datasets(out, o->replace, err);
    if (rc)
        return rc;
    gen_ctx c;
    memset(&c, 0, sizeof c);
    c.out = out;
    c.o = o;
    c.stats = stats;
    c.arena = lake_arena_create(0);
    lake_buf_init(&c.buf);
    lake_buf_init(&c.zbuf);

    gen_rng r;
    gen_rng_seed(&r, o->seed, 1);
    gen_make_artists(&c, &r);
    gen_rng_seed(&r, o->seed, 2);
    gen_make_random_songs(&c, &r);
    gen_rng_seed(&r, o->seed, 3);
    if (o->edge_cases)
        gen_make_duplicates(&c, &r, 1 + o->songs / 200);
    /* Writing in key order keeps file creation local to one directory at a time, which is
     * several times faster on most file systems than scattering over 17,576 directories. */
    gen_sort_songs(&c);
    size_t first_edge = c.nsongs;
    if (o->edge_cases)
        gen_make_edge_songs(&c, &r);
    gen_rng_seed(&r, o->seed, 4);
    rc = gen_write_songs(&c, &r, first_edge, err);

    gen_rng_seed(&r, o->seed, 5);
    gen_make_users(&c, &r);
    if (!rc)
        rc = gen_write_days(&c, err);
    if (!rc && o->edge_cases)
        rc = gen_write_edge_events(&c, first_edge, err);
    if (!rc && o->bad_records)
        rc = gen_write_bad_records(&c, err);

    lake_buf_free(&c.buf);
    lake_buf_free(&c.zbuf);
    free(c.songs);
    free(c.artists);
    free(c.users);
    lake_arena_free(c.arena);
    return rc;
}
