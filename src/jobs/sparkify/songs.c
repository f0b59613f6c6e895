/* song_data: extraction of song records, then the deduplicated catalog (songs, artists and the
 * join index). */
#include "jobs/sparkify/sparkify.h"
#include "engine/load/partition.h"

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

const char *const spk_song_fields[] = {"song_id",          "title",           "artist_id",
                                       "artist_name",      "artist_location", "artist_latitude",
                                       "artist_longitude", "duration",        "year"};
const size_t spk_song_nfields = S_NFIELDS;

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

/* unique: song_id, one per song, is copied without interning (artist_id repeats). */
static bool required_id(eng_worker *w, const lj_value *v, const char *name, bool unique,
                        lake_str *out, char *why) {
    if (!(unique ? eng_get_copy : eng_get_str)(w, v, name, out, why))
        return false;
    if (out->ptr && out->len)
        return true;
    snprintf(why, ENG_WHY, "field '%s': expected a non-empty string, got %s", name,
             out->ptr ? "an empty string" : "nothing");
    return false;
}

/* songs is partitioned by (year, artist_id): a value that cannot be a directory name makes the
 * record bad here, where it is counted and kept in _rejected/, instead of failing the write. */
static bool partition_values_ok(const song_rec *r, char *why) {
    char num[24], *p = num + sizeof num;
    if (r->year.ok) {
        unsigned long long u =
            r->year.v < 0 ? 0ull - (unsigned long long)r->year.v : (unsigned long long)r->year.v;
        do
            *--p = (char)('0' + u % 10);
        while (u /= 10);
        if (r->year.v < 0)
            *--p = '-';
    }
    return lake_partition_value_ok("year", r->year.ok ? p : NULL, (size_t)(num + sizeof num - p),
                                   why, ENG_WHY) &&
           lake_partition_value_ok("artist_id", r->artist_id.ptr, r->artist_id.len, why, ENG_WHY);
}

static bool song_from_values(eng_worker *w, const lj_value *v, song_rec *r, char *why) {
    if (!required_id(w, &v[S_SONG_ID], "song_id", true, &r->song_id, why) ||
        !required_id(w, &v[S_ARTIST_ID], "artist_id", false, &r->artist_id, why) ||
        !eng_get_copy(w, &v[S_TITLE], "title", &r->title, why) ||
        !eng_get_str(w, &v[S_ARTIST_NAME], "artist_name", &r->artist_name, why) ||
        !eng_get_str(w, &v[S_LOCATION], "artist_location", &r->location, why) ||
        !eng_get_f64(&v[S_LAT], "artist_latitude", &r->lat, why) ||
        !eng_get_f64(&v[S_LON], "artist_longitude", &r->lon, why) ||
        !eng_get_f64(&v[S_DURATION], "duration", &r->duration, why) ||
        !eng_get_i64(&v[S_YEAR], "year", &r->year, why))
        return false;
    if (r->year.ok && (r->year.v < INT32_MIN || r->year.v > INT32_MAX)) {
        snprintf(why, ENG_WHY, "field 'year': %lld does not fit a 32-bit integer",
                 (long long)r->year.v);
        return false;
    }
    return partition_values_ok(r, why);
}

/* eng_scan handler: job is the per-worker song_vec array. */
static int on_song(void *ctx, const lj_record *rec, const lj_value *vals) {
    eng_scan_file *f = ctx;
    song_vec *out = &((song_vec *)f->job)[f->worker];
    song_rec r;
    char why[ENG_WHY];
    memset(&r, 0, sizeof r);
    r.ord = ENG_ORD(f->obj, f->rec);
    if (!eng_check_dup_keys(rec, why) || !song_from_values(f->w, vals, &r, why))
        eng_reject_add(f->w, f->source, f->obj, rec->line, why, rec->raw, rec->raw_len);
    else
        song_vec_push(out, &r);
    return 0;
}

lake_rc spk_extract_songs(lake_store *in, eng_input *input, unsigned threads, eng_worker *workers,
                          song_vec *out, lake_error *err) {
    song_vec *vecs = lake_xcalloc(threads, sizeof *vecs);
    lake_rc rc = eng_scan(in, input, threads, workers, on_song, vecs, "song", err);
    /* Concatenate per-worker records into one exact allocation (pushing them one by one doubled
     * the array, touching pages that fresh-page faults make dear); order is restored from ord by
     * the catalog. */
    size_t total = out->n;
    for (unsigned t = 0; t < threads; t++)
        total += vecs[t].n;
    if (total > out->cap) {
        out->items = lake_xrealloc(out->items, total * sizeof *out->items);
        out->cap = total;
    }
    for (unsigned t = 0; t < threads; t++) {
        if (vecs[t].n)
            memcpy(out->items + out->n, vecs[t].items, vecs[t].n * sizeof *out->items);
        out->n += vecs[t].n;
        song_vec_free(&vecs[t]);
    }
    free(vecs);
    return rc;
}
