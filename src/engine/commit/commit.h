/* The commit protocol: how a run's files become the visible output, all at once or not at all
 * as far as the store allows. One interface, two implementations chosen by the store:
 *   rename (stores that move a prefix at once, local): files are staged under
 *     _temporary/<run>/, each table gets its _SUCCESS there, then a journal records the swaps
 *     and each table (in dynamic mode each written partition) is exchanged with the live one
 *     (commit_journal.h);
 *   direct (object stores without rename, S3): files are written under their final keys (their
 *     names carry the run id, so they never collide with older ones) as pending objects that no
 *     reader sees; a journal names them all, then they are published, each table's _SUCCESS is
 *     put, and only then (the cleanup) are the replaced objects deleted (commit_direct.c).
 * Use: with the output held (eng_output_open), eng_commit_prepare before writing, write every
 * file under eng_commit_staging with eng_commit_write_flags, then either eng_commit_finish (and
 * eng_commit_abort if it fails) or eng_commit_abort, and eng_commit_cleanup after a finish;
 * eng_commit_end composes finish and abort for a single process. In a cluster every rank prepares
 * and writes, and one rank runs the finish once all have succeeded. Owns the protocol's state. Uses
 * store and base. */
#ifndef LAKE_COMMIT_H
#define LAKE_COMMIT_H

#include "lake/store.h"

#include <stdbool.h>

/* An output held by one run: its lock (on stores that have one) for the run's whole life. */
typedef struct eng_output eng_output;

/* An output directory under the store root. */
typedef struct {
    const char *name; /* a table directory ("_rejected" for the bad records) */
    bool partitioned; /* has partition directories: dynamic mode replaces only those written */
    bool marker;      /* gets a _SUCCESS once committed */
    /* The run's files join what the directory holds: each replaces only an object of its own
     * name and nothing else there is deleted (a copy into a destination, not a table). The rename
     * protocol then moves the staged files into place one at a time (the object a file replaces
     * waits in staging until the commit is over); the direct one publishes them and cleans
     * nothing. */
    bool merge;
} eng_commit_table;

typedef struct {
    const char *run_id;
    bool dynamic;     /* replace only the partitions written (else each table whole) */
    unsigned threads; /* for deleting the replaced objects in parallel */
    const eng_commit_table *tables;
    size_t ntables;
    const eng_output *owner; /* the run's hold on the output (checked before the finish), or
                                NULL */
} eng_commit_opts;

/* A file the run wrote (or tried to: key is set before the first byte is sent, since a write
 * can fail after the store kept the object). */
typedef struct {
    size_t table;     /* index into eng_commit_opts.tables */
    const char *dir;  /* partition directory ("year=2018/month=11/") or "" */
    const char *key;  /* the full key, under the staging prefix; NULL if never opened */
    unsigned file_no; /* 0, 1, ... within its partition */
    /* Written with LAKE_STORE_WRITE_PENDING: the token of lake_store_writer_pend, else NULL. */
    const char *pending;
} eng_commit_file;

typedef struct eng_commit eng_commit;

/* Picks the protocol for out and does what must come before writing (the direct protocol lists
 * the objects the run will replace, unless dynamic). opts and its tables must outlive *c.
 * Returns LAKE_OK, or the listing's error (nothing was changed). */
lake_rc eng_commit_prepare(lake_store *out, const eng_commit_opts *opts, eng_commit **c,
                           lake_error *err);
/* The prefix every file of the run is written under: "_temporary/<run>/" or "". */
const char *eng_commit_staging(const eng_commit *c);
/* The flags every file of the run is opened with (lake_store_writer_open):
 * LAKE_STORE_WRITE_NEW (staged) or LAKE_STORE_WRITE_PENDING (ended by lake_store_writer_pend,
 * its token in eng_commit_file.pending). */
unsigned eng_commit_write_flags(const eng_commit *c);
/* Ends a writer opened with write_flags (eng_commit_write_flags): a pending one is pended, its
 * token in *pending, any other finished (*pending untouched). Frees w, also on failure. */
lake_rc eng_commit_writer_end(unsigned write_flags, lake_store_writer *w, char **pending,
                              lake_error *err);
/* Makes the run's files the output. On failure, call eng_commit_abort: it undoes what can be
 * undone (a failure after the commit point, such as deleting replaced objects, is reported but
 * the new tables stay). files must list every file the run wrote, on every rank. */
lake_rc eng_commit_finish(eng_commit *c, const eng_commit_file *files, size_t nfiles,
                          lake_error *err);
/* Removes what the run wrote unless the commit point was passed, so the previous output stays
 * as it was. Best effort: failures are not reported. */
void eng_commit_abort(eng_commit *c, const eng_commit_file *files, size_t nfiles);
/* After a successful finish: deletes what the committed run replaced (the previous versions),
 * outside the commit window. Does nothing where this process did not finish. A failure leaves
 * the new tables committed and says what could not be deleted. */
lake_rc eng_commit_cleanup(eng_commit *c, lake_error *err);
/* One process's commit: finish when written is LAKE_OK, abort when written or the finish
 * failed. Returns written, else the finish's outcome. */
lake_rc eng_commit_end(eng_commit *c, lake_rc written, const eng_commit_file *files, size_t nfiles,
                       lake_error *err);
void eng_commit_free(eng_commit *c); /* accepts NULL */

/* Applies the journal of a commit a killed run left (forward, or back when that run was undoing
 * an error) and deletes the staging areas and pending objects killed runs left. Only with the
 * output's lock held.
 * Returns LAKE_OK when the output is whole, else the store's error (the journal stays). */
lake_rc eng_commit_recover(lake_store *out, lake_error *err);

/* Takes out's lock for run_id (waiting up to wait_s seconds for a holder), then recovers it
 * (eng_commit_recover). LAKE_ERR_LOCKED names the holder when another run keeps it. */
lake_rc eng_output_open(lake_store *out, const char *run_id, double wait_s, eng_output **o,
                        lake_error *err);
void eng_output_close(eng_output *o); /* releases the lock; accepts NULL */
/* LAKE_OK while o (or NULL) still holds its output; LAKE_ERR_LOCKED once its lock was lost. */
lake_rc eng_output_check(const eng_output *o, lake_error *err);

#endif
