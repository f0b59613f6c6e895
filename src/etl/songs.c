/* song_data: extraction of song records, then the deduplicated catalog (songs, artists and the
 * join index). */
#include "etl/etl_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    S_SONG_ID,
    S_TITLE,
    S_ARTIST_ID,
    S_ARTIST_NAME,
    S_LOCATION,
    S_LAT,
    S_LON,
    S_DURATION,
    S_YEAR,
    S_NFIELDS
};

const char *const etl_song_fields[] = {"song_id",          "title",           "artist_id",
                                       "artist_name",      "artist_location", "artist_latitude",
                                       "artist_longitude", "duration",        "year"};
const size_t etl_song_nfields = S_NFIELDS;

typedef struct {
    lake_store *in;
    const etl_input *input;
    etl_worker *workers;
    song_vec *vecs; /* one per worker */
    uint64_t *records;
    etl_first_error first;
} songs_job;

typedef struct {
    etl_worker *w;
    song_vec *out;
    const char *source;
    uint32_t obj;
    uint32_t rec;
    uint64_t *records;
} songs_file;

static void song_vec_push(song_vec *v, const song_rec *r) {
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 256;
        v->items = lake_xrealloc(v->items, v->cap * sizeof *v->items);
    }
    v->items[v->n++] = *r;
}

void song_vec_free(song_vec *v) {
    free(v->items);
    memset(v, 0, sizeof *v);
}

static bool required_id(etl_worker *w, const lj_value *v, const char *name, lake_str *out,
                        char *why) {
    if (!etl_get_str(w, v, name, out, why))
        return false;
    if (out->ptr && out->len)
        return true;
    snprintf(why, ETL_WHY, "field '%s': expected a non-empty string, got %s", name,
             out->ptr ? "an empty string" : "nothing");
    return false;
}

static bool song_from_values(etl_worker *w, const lj_value *v, song_rec *r, char *why) {
    if (!required_id(w, &v[S_SONG_ID], "song_id", &r->song_id, why) ||
        !required_id(w, &v[S_ARTIST_ID], "artist_id", &r->artist_id, why) ||
        !etl_get_str(w, &v[S_TITLE], "title", &r->title, why) ||
        !etl_get_str(w, &v[S_ARTIST_NAME], "artist_name", &r->artist_name, why) ||
        !etl_get_str(w, &v[S_LOCATION], "artist_location", &r->location, why) ||
        !etl_get_f64(&v[S_LAT], "artist_latitude", &r->lat, why) ||
        !etl_get_f64(&v[S_LON], "artist_longitude", &r->lon, why) ||
        !etl_get_f64(&v[S_DURATION], "duration", &r->duration, why) ||
        !etl_get_i64(&v[S_YEAR], "year", &r->year, why))
        return false;
    if (r->year.ok && (r->year.v < INT32_MIN || r->year.v > INT32_MAX)) {
        snprintf(why, ETL_WHY, "field 'year': %lld does not fit a 32-bit integer",
                 (long long)r->year.v);
        return false;
    }
    return true;
}

static int on_song(void *ctx, const lj_record *rec, const lj_value *vals) {
    songs_file *f = ctx;
    song_rec r;
    char why[ETL_WHY];
    memset(&r, 0, sizeof r);
    r.ord = ETL_ORD(f->obj, f->rec++);
    __atomic_fetch_add(f->records, 1, __ATOMIC_RELAXED);
    if (!song_from_values(f->w, vals, &r, why))
        etl_reject_add(f->w, f->source, f->obj, rec->line, why, rec->raw, rec->raw_len);
    else
        song_vec_push(f->out, &r);
    return 0;
}

static int on_bad_json(void *ctx, const lj_record *rec, const char *reason) {
    songs_file *f = ctx;
    f->rec++;
    __atomic_fetch_add(f->records, 1, __ATOMIC_RELAXED);
    etl_reject_add(f->w, f->source, f->obj, rec->line, reason, rec->raw, rec->raw_len);
    return 0;
}

static int songs_task(void *ctx, size_t i, unsigned worker) {
    songs_job *j = ctx;
    etl_worker *w = &j->workers[worker];
    const lake_obj *obj = &j->input->objs.items[i];
    songs_file f = {w, &j->vecs[worker], obj->key, (uint32_t)i, 0, j->records};
    lake_error err = {0};
    const char *data;
    size_t len;
    lake_rc rc = etl_fetch(j->in, obj, w, &data, &len, &err);
    if (!rc)
        rc = lj_extract(w->json, data, len, on_song, on_bad_json, &f, &err);
    if (rc) {
        lake_error_prefix(&err, "reading song object %s: ", obj->key);
        etl_first_error_offer(&j->first, i, &err);
    }
    return (int)rc;
}

lake_rc etl_extract_songs(lake_store *in, const etl_input *input, unsigned threads,
                          etl_worker *workers, song_vec *out, uint64_t *records, lake_error *err) {
    songs_job j = {.in = in, .input = input, .workers = workers, .records = records};
    j.vecs = lake_xcalloc(threads, sizeof *j.vecs);
    etl_first_error_init(&j.first);
    int rc = lake_parallel_for(threads, input->objs.n, songs_task, &j);
    if (rc)
        *err = j.first.err;
    /* Concatenate per-worker records; order is restored from ord by the catalog. */
    for (unsigned t = 0; t < threads; t++) {
        for (size_t k = 0; k < j.vecs[t].n; k++)
            song_vec_push(out, &j.vecs[t].items[k]);
        song_vec_free(&j.vecs[t]);
    }
    free(j.vecs);
    etl_first_error_free(&j.first);
    return (lake_rc)rc;
}
