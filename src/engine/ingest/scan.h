/* Ingest: list the JSON objects under a prefix, then read them all on a pool of workers, in
 * batches fetched together (so an object store has many requests in flight), decompressing by
 * extension and handing each record to the job's handler. Knows nothing of what the records
 * mean. Uses store, codec, json and the rest of engine/ingest. */
#ifndef LAKE_SCAN_H
#define LAKE_SCAN_H

#include "engine/ingest/worker.h"
#include "lake/progress.h"
#include "lake/store.h"
#include "store/view.h"

/* A local listing reads the input files that would be read (not mapped) anyway, below
 * LAKE_VIEW_MIN_BYTES, while it has their directory open: a song_data tree of 14,303 files in
 * 10,400 directories saves a stat and a path walk per file when each is opened relative to its
 * directory. At most ENG_LIST_READ_BUDGET bytes are held that way; the rest are read later. */
#define ENG_LIST_READ_MAX ((size_t)LAKE_VIEW_MIN_BYTES - 1)
#define ENG_LIST_READ_BUDGET ((size_t)64 << 20)

/* The objects of one input prefix, sorted by key (byte-wise). */
typedef struct {
    lake_obj_list objs;
    const char *prefix; /* as given to eng_list_input, without the trailing '/' */
    /* The objects this process reads, [lo, hi) of objs (a rank's share in a cluster); records
     * keep their position in the whole listing. hi == 0 reads them all. */
    size_t lo, hi;
    /* Counters eng_scan plans and advances per object read (the caller starts the stage), or
     * NULL. Set by the caller after eng_list_input. */
    lake_progress *progress;
} eng_input;

/* Lists the .json/.json.gz/.json.zst objects under prefix/ in byte-wise key order (with
 * read_small, reading small local ones while listing, see ENG_LIST_READ_MAX), leaving out every
 * key with a component below prefix/ that starts with '_' or '.' (hidden, as Spark and Hadoop
 * have it). Errors name the store and the prefix (a local directory loop names the link and its
 * ancestor). */
lake_rc eng_list_input(lake_store *in, const char *prefix, bool read_small, eng_input *out,
                       lake_error *err);

/* Where a record handler is: its worker, its object and the record's index in the object. The
 * handlers of eng_scan receive this as their ctx. */
typedef struct {
    eng_worker *w;
    unsigned worker;
    const char *source; /* object key */
    uint32_t obj;       /* object index in the sorted listing */
    uint32_t rec;       /* index of the current record within the object */
    void *job;          /* the caller's state */
    lj_on_record on_record;
    struct lake_view_s *view; /* the mapped object being parsed in place, or NULL */
    uint64_t line_base;       /* lines of the object before the bytes being parsed */
} eng_scan_file;

/* Reads every object of input on `threads` workers, in batches, decompressing by extension, and
 * calls on_record(eng_scan_file *, ...) for each well-formed record. Malformed records become
 * rejects of the worker. `what` names the input in errors ("song", "log"). Returns the error of
 * the first object (in listing order) that could not be read. */
lake_rc eng_scan(lake_store *in, eng_input *input, unsigned threads, eng_worker *workers,
                 lj_on_record on_record, void *job, const char *what, lake_error *err);

#endif
