/* Internal structures of the Sparkify pipeline, shared by extract, transform and load.
 *
 * Every record carries its input position `ord` = (object index << 32) | record index, so each
 * reduction (first song wins, latest user state, songplay order) is a pure function of the
 * records and not of which thread saw them first: any thread or rank count gives the same rows. */
#ifndef LAKE_ETL_INTERNAL_H
#define LAKE_ETL_INTERNAL_H

#include "lake/etl.h"
#include "json/json.h"
#include "base/clock.h"
#include "base/hash.h"
#include "base/map.h"
#include "base/pool.h"
#include "base/sort.h"
#include "base/tempfile.h"
#include "lake/table.h"
#include "store/view.h"

#include <stdbool.h>

#define ETL_ORD(obj, rec) (((uint64_t)(obj) << 32) | (uint32_t)(rec))

/* Optional scalar values as they come out of a record. */
typedef struct {
    double v;
    bool ok;
} opt_f64;
typedef struct {
    int64_t v;
    bool ok;
} opt_i64;

/* One bad record, kept until the run decides to write them. */
typedef struct {
    uint64_t ord; /* object index and line, for deterministic order */
    const char *source;
    uint64_t line;
    const char *reason;
    lake_str raw;
} etl_reject;

typedef struct {
    etl_reject *items;
    size_t n, cap;
} etl_reject_list;

/* Per-worker scratch: an arena for strings, an interning map so repeated strings (levels,
 * user agents, locations) are stored once, and the worker's rejects. */
typedef struct {
    lake_arena *arena;
    lake_smap intern;
    etl_reject_list rejects;
    lj_extractor *json;
    lake_buf *raw;     /* fetched bytes, one buffer per object of a batch */
    lake_error *errs;  /* per-object fetch errors of a batch */
    lake_buf inflated; /* decompressed bytes for .gz/.zst */
    lake_buf key;      /* scratch for join keys */
    uint64_t records;  /* records seen (good and bad) */
} etl_worker;

/* Objects fetched in one request batch: at most this many, and at most ETL_BATCH_BYTES unless a
 * single object is larger. Batches let an object store fetch many small objects concurrently. */
#define ETL_BATCH_OBJECTS 64
#define ETL_BATCH_BYTES (32u << 20)
/* A local listing reads the input files that would be read (not mapped) anyway, below
 * LAKE_VIEW_MIN_BYTES, while it has their directory open: song_data at M is 14,303 files in
 * 10,400 directories, and opening each relative to its directory saves a stat and a path walk
 * per file. At most this many bytes are held that way (L's 100,000 song files are 27 MB); the
 * rest are read as before. */
#define ETL_LIST_READ_MAX ((size_t)LAKE_VIEW_MIN_BYTES - 1)
#define ETL_LIST_READ_BUDGET ((size_t)64 << 20)

void etl_worker_init(etl_worker *w, const char *const *fields, size_t nfields);
void etl_worker_free(etl_worker *w);
/* Frees the fetch and scratch buffers (the arena, with the rows' strings, stays). */
void etl_worker_release_buffers(etl_worker *w);
/* Returns a copy of s in the worker's arena, shared with earlier equal strings. */
lake_str etl_intern(etl_worker *w, const char *s, size_t len);
/* Interns view (ptr NULL = null stays null), returning *hint when it holds the same bytes and
 * updating *hint otherwise. */
lake_str etl_intern_hint(etl_worker *w, lake_str view, lake_str *hint);
/* Records a bad record (copies reason and raw text). */
void etl_reject_add(etl_worker *w, const char *source, uint32_t obj, uint64_t line,
                    const char *reason, const char *raw, size_t raw_len);
void etl_reject_merge(etl_reject_list *dst, etl_reject_list *src);
void etl_reject_sort(etl_reject_list *l);
void etl_reject_list_free(etl_reject_list *l);
/* Writes the rejects as NDJSON {source,line,reason,raw} into out. */
void etl_reject_write(const etl_reject_list *l, lake_buf *out);

/* A song record after validation. */
typedef struct {
    lake_str song_id, title, artist_id, artist_name, location;
    opt_f64 duration, lat, lon;
    opt_i64 year;
    uint64_t ord;
} song_rec;

typedef struct {
    song_rec *items;
    size_t n, cap;
} song_vec;

/* The NextSong facts kept per user: the latest event by (ts, session, item, ord). */
typedef struct {
    int32_t user_id;
    int64_t ts;
    opt_i64 session, item;
    lake_str first, last, gender, level;
    uint64_t ord;
} user_rec;

/* Interned strings last seen for one user: a user's next event almost always repeats them, so
 * one memcmp replaces a hash lookup (see etl_intern_hint). */
typedef struct {
    lake_str first, last, gender, level, location, agent;
} user_hints;

/* A NextSong event joined with one song of the catalog. */
typedef struct {
    int64_t ts; /* milliseconds */
    int32_t user_id;
    opt_i64 session, item;
    uint32_t song; /* index into the deduplicated songs */
    lake_str level, location, user_agent;
    uint64_t ord;
} play_rec;

/* The deduplicated songs and the join index (title, artist_name, duration) -> songs. */
typedef struct {
    song_rec *songs; /* winners, sorted by song_id */
    size_t nsongs;
    song_rec *artists; /* first record per artist_id, sorted by artist_id */
    size_t nartists;
    lake_smap by_key; /* join key -> first index into `chain` */
    uint32_t *chain;  /* chain[2k] = song index, chain[2k+1] = next link or UINT32_MAX */
    size_t nchain;
    lake_arena *arena; /* join keys */
} song_catalog;

/* A sorted run of plays spilled to an unnamed temporary file (plays.c). */
typedef struct {
    int fd;
    size_t n; /* play_rec records in the file */
} play_run;

/* Per-worker event state. */
typedef struct {
    lake_imap user_index; /* user_id -> index in users and hints */
    user_rec *users;
    user_hints *hints;
    size_t nusers, capusers;
    int64_t *ts; /* ts (ms) of valid NextSong events, consecutive repeats dropped */
    size_t nts, capts;
    play_rec *plays;
    size_t nplays, capplays;
    size_t spill_at; /* plays held before they are spilled as a sorted run; 0 = never */
    play_run *runs;
    size_t nruns;
    bool spill_failed; /* a spill failed (spill_err says why); the run fails after extraction */
    lake_error spill_err;
    uint64_t nextsong;
} event_state;

/* Input listing: objects of one dataset with their keys. */
typedef struct {
    lake_obj_list objs;
    const char *dataset; /* "song_data" or "log_data" */
} etl_input;

/* Lists the dataset's .json/.json.gz/.json.zst objects in byte-wise key order. */
lake_rc etl_list_input(lake_store *in, const char *dataset, etl_input *out, lake_error *err);

/* Where a record handler is: its worker, its object and the record's index in the object. The
 * handlers of etl_scan receive this as their ctx. */
typedef struct {
    etl_worker *w;
    unsigned worker;
    const char *source; /* object key */
    uint32_t obj;       /* object index in the sorted listing */
    uint32_t rec;       /* index of the current record within the object */
    void *job;          /* the caller's state */
    lj_on_record on_record;
    struct lake_view_s *view; /* the mapped object being parsed in place, or NULL */
    uint64_t line_base;       /* lines of the object before the bytes being parsed */
} etl_scan_file;

/* Reads every object of input on `threads` workers, in batches, decompressing by extension, and
 * calls on_record(etl_scan_file *, ...) for each well-formed record. Malformed records become
 * rejects of the worker. `what` names the dataset in errors ("song", "log"). Returns the error of
 * the first object (in listing order) that could not be read. */
lake_rc etl_scan(lake_store *in, etl_input *input, unsigned threads, etl_worker *workers,
                 lj_on_record on_record, void *job, const char *what, lake_error *err);

/* Song extraction: fields requested from the JSON layer and the per-record handler. */
extern const char *const etl_song_fields[];
extern const size_t etl_song_nfields;
lake_rc etl_extract_songs(lake_store *in, etl_input *input, unsigned threads, etl_worker *workers,
                          song_vec *out, lake_error *err);
/* Builds the deduplicated catalog from all song records (sorts them into input order and copies
 * the winners, so all can be freed after), the songs and artists sides on two threads when
 * threads > 1. */
void etl_catalog_build(song_catalog *c, song_vec *all, unsigned threads);
void etl_catalog_free(song_catalog *c);
void song_vec_free(song_vec *v);

extern const char *const etl_event_fields[];
extern const size_t etl_event_nfields;
lake_rc etl_extract_events(lake_store *in, etl_input *input, unsigned threads, etl_worker *workers,
                           const song_catalog *cat, event_state *states, lake_error *err);
void etl_event_state_free(event_state *s);

/* An output table: columns in final row order (sorted by partition values, then key). The first
 * npart columns listed in part_cols are directory partitions, not written into the files. */
typedef struct {
    const char *name;
    lake_col cols[12];
    size_t ncols;
    int part_cols[2];
    size_t npart;
    lake_arena *arena; /* strings made for this table (none usually) */
} etl_table;

void etl_table_free(etl_table *t);
void etl_build_songs(const song_catalog *c, etl_table *t);
void etl_build_artists(const song_catalog *c, etl_table *t);
void etl_build_users(event_state *states, unsigned n, etl_table *t);

/* A table given a row at a time in its final order (partitions one after another, rows sorted
 * within each), for the tables that grow with the number of events: the loader writes it a row
 * group at a time, so it is never whole in memory. */
typedef struct {
    void *ud;
    /* The partition of the next row as a number equal for rows of the same partition; false
     * when no row is left. */
    bool (*peek)(void *ud, int64_t *part);
    /* Appends the next row to the columns of t (the table's shell, see below). */
    void (*take)(void *ud, etl_table *t);
    /* After the last row: LAKE_OK, or why the rows stopped early. */
    lake_rc (*status)(void *ud, lake_error *err);
    void (*free)(void *ud);
    uint64_t rows; /* rows it gives in all */
} etl_rowsrc;

/* time and songplays as row sources. t receives the table's shell: its name, partition columns
 * and empty columns, which the loader fills a row group at a time. They take what they need of
 * the states (ts; plays and runs stay owned by the states, which must outlive src); they may run
 * at the same time as each other and as etl_build_users, which reads only the users. */
void etl_time_source(event_state *states, unsigned n, etl_table *t, etl_rowsrc *src);
void etl_songplays_source(event_state *states, unsigned n, const song_catalog *c, etl_table *t,
                          etl_rowsrc *src);

/* Writes every table (and the rejects) under a staging prefix, then makes them visible. */
typedef struct {
    lake_store *out;
    const lake_run_opts *opts;
    const char *run_id;
    lake_run_summary *sum;
} etl_load_ctx;

/* srcs[t] (NULL, or NULL entries) gives the rows of tables[t] when its columns are a shell. */
lake_rc etl_load(etl_load_ctx *ctx, etl_table *tables, etl_rowsrc *const *srcs, size_t ntables,
                 const etl_reject_list *rejects, lake_error *err);

/* Field conversion with type checks (fields.c). Each returns true on success; on a type error it
 * writes a one-line reason into why (size ETL_WHY) and returns false. A JSON null or a missing
 * field gives a null (ptr == NULL / ok == false). */
#define ETL_WHY 256
bool etl_get_str(etl_worker *w, const lj_value *v, const char *name, lake_str *out, char *why);
/* Like etl_get_str, copying the string into the worker's arena without interning it: for values
 * that are rarely repeated (song_id, title), whose intern map entries would only cost a hash and
 * an insert each. */
bool etl_get_copy(etl_worker *w, const lj_value *v, const char *name, lake_str *out, char *why);
/* Like etl_get_str without the copy: out points into the JSON layer's scratch, valid only during
 * the record callback. */
bool etl_get_view(const lj_value *v, const char *name, lake_str *out, char *why);
bool etl_get_f64(const lj_value *v, const char *name, opt_f64 *out, char *why);
bool etl_get_i64(const lj_value *v, const char *name, opt_i64 *out, char *why);

/* Builds the catalog's join key for (title, artist name, duration) into key. */
void etl_join_key(lake_buf *key, lake_str title, lake_str artist, double duration);

/* Column building helpers (tables.c). */
lake_col *etl_add_col(etl_table *t, const char *name, lake_type type);
void etl_push_str(lake_col *c, lake_str s);
void etl_push_f64(lake_col *c, opt_f64 x);
void etl_push_i64(lake_col *c, opt_i64 x);
int etl_str_cmp(lake_str a, lake_str b); /* nulls first, then unsigned bytes */
int etl_opt_cmp(opt_i64 a, opt_i64 b);   /* nulls first */

#endif
