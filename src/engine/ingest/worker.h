/* The scratch state of one ingest worker: an arena for the strings its records keep, an
 * interning map (repeated strings such as levels and user agents are stored once), its JSON
 * extractor, its bad records, and the buffers a batch of fetched objects needs. A worker is used
 * by one thread at a time, so workers share nothing while they parse. Uses base, json and
 * engine/ingest/reject.h. */
#ifndef LAKE_WORKER_H
#define LAKE_WORKER_H

#include "base/map.h"
#include "engine/ingest/reject.h"
#include "json/json.h"

/* Objects fetched in one request batch: at most this many, and at most ENG_BATCH_BYTES unless a
 * single object is larger. Batches let an object store fetch many small objects concurrently. */
#define ENG_BATCH_OBJECTS 64
#define ENG_BATCH_BYTES (32u << 20)

typedef struct {
    lake_arena *arena;
    lake_smap intern;
    eng_reject_list rejects;
    lj_extractor *json;
    lake_buf *raw;     /* fetched bytes, one buffer per object of a batch */
    lake_error *errs;  /* per-object fetch errors of a batch */
    lake_buf inflated; /* decompressed bytes for .gz/.zst */
    lake_buf key;      /* scratch for the job's keys (join keys) */
    uint64_t records;  /* records seen (good and bad) */
} eng_worker;

/* Sets up a worker whose extractor pulls the given top-level fields out of each record. */
void eng_worker_init(eng_worker *w, const char *const *fields, size_t nfields);
void eng_worker_free(eng_worker *w);
/* Frees the fetch and scratch buffers (the arena, with the rows' strings, stays). */
void eng_worker_release_buffers(eng_worker *w);
/* Returns a copy of s in the worker's arena, shared with earlier equal strings. */
lake_str eng_intern(eng_worker *w, const char *s, size_t len);
/* Interns view (ptr NULL = null stays null), returning *hint when it holds the same bytes and
 * updating *hint otherwise. */
lake_str eng_intern_hint(eng_worker *w, lake_str view, lake_str *hint);
/* Records a bad record among the worker's rejects (see eng_reject_list_add). */
void eng_reject_add(eng_worker *w, const char *source, uint32_t obj, uint64_t line,
                    const char *reason, const char *raw, size_t raw_len);

#endif
