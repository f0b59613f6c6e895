/** @file
 * Object store interface: a local directory or an S3 prefix, addressed by keys relative to the
 * store's root with '/' separators. The engine, the jobs and the CLI talk to storage only through
 * this (and src/store/view.h for mapped reads); the backends behind it live in src/store/local/
 * and src/store/s3/. Depends on lake/common.h only. */
#ifndef LAKE_STORE_H
#define LAKE_STORE_H

#include "lake/common.h"

#include <stdbool.h>

/** An object of a listing. */
typedef struct {
    char *key;     /**< relative to the store root, '/'-separated */
    uint64_t size; /**< bytes */
    /** The object's bytes when lake_store_list_read read them while listing, followed by
     * LAKE_BUF_PADDING zero bytes (as a lake_buf keeps them); NULL otherwise. Owned by the list. */
    uint8_t *data;
} lake_obj;

/** A growing list of objects that owns their keys (and bytes); a zeroed one is empty. */
typedef struct {
    lake_obj *items; /**< the objects, n of them */
    size_t n;        /**< objects in the list */
    size_t cap;      /**< objects allocated */
} lake_obj_list;

/** Frees the keys, bytes and array of l and leaves it empty; accepts a zeroed list. */
void lake_obj_list_free(lake_obj_list *l);

/** Appends (key, size) to l, copying key. */
void lake_obj_list_add(lake_obj_list *l, const char *key, uint64_t size);
/** Appends (key, size, data) to l, copying key and taking data (see lake_obj.data). */
void lake_obj_list_add_data(lake_obj_list *l, const char *key, uint64_t size, uint8_t *data);
/** Moves obj (its key and data) into l; obj->key and obj->data become NULL. */
void lake_obj_list_take(lake_obj_list *l, lake_obj *obj);
/** Sorts l by key, byte-wise ascending. */
void lake_obj_list_sort(lake_obj_list *l);

/** An open store (local directory or S3 prefix); lake_store_open_ex makes one. */
typedef struct lake_store lake_store;

/** Per-store settings; zero/NULL fields take the defaults. Only the S3 backend uses them. */
typedef struct {
    int max_concurrency;      /**< requests in flight (default 64) */
    int max_attempts;         /**< tries per request, first included (default 5) */
    int request_timeout;      /**< seconds without a byte moving before a request is retried (30) */
    bool no_sign_request;     /**< anonymous requests, for public buckets */
    bool verbose;             /**< one line per request on stderr (never credentials) */
    const char *endpoint_url; /**< overrides AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL */
    /** Write options: what objects the store creates carry (S3 only; a local store ignores
     * them). The S3 storage class of every object written (x-amz-storage-class on PUT and
     * CreateMultipartUpload), one of the names lake_store_storage_class_known accepts; NULL: the
     * bucket's default (STANDARD). Keys with a path component starting with '_' (lake's lock and
     * journal under _lake/, _SUCCESS markers), which lake reads back, keep the default. */
    const char *storage_class;
    /** Server-side encryption with S3-managed keys on every object written
     * (x-amz-server-side-encryption: AES256 on PUT and CreateMultipartUpload). */
    bool sse_aes256;
    /** Bytes per multipart upload part, LAKE_S3_MIN_PART_SIZE..LAKE_S3_MAX_PART_SIZE (0:
     * LAKE_S3_PART_SIZE). Objects up to the larger of LAKE_S3_MULTIPART_THRESHOLD and this go up
     * in one PUT; a streamed object may have at most LAKE_S3_MAX_PARTS parts of this size. */
    uint64_t part_size;
} lake_store_options;

/** True when name is an S3 storage class PutObject accepts, spelt as S3 spells it (STANDARD,
 * REDUCED_REDUNDANCY, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER, DEEP_ARCHIVE,
 * OUTPOSTS, GLACIER_IR, SNOW, EXPRESS_ONEZONE). */
bool lake_store_storage_class_known(const char *name);

/** The storage class names lake_store_storage_class_known accepts, ", "-separated, for
 * messages. */
const char *lake_store_storage_classes(void);

/** Opens a store rooted at url: a local directory path (need not exist yet for output), or
 * s3://bucket/prefix (also s3a://), whose keys are relative to prefix. opts may be NULL. Fails
 * with LAKE_ERR_AUTH when no credentials can be found for S3. */
lake_rc lake_store_open_ex(const char *url, const lake_store_options *opts, lake_store **out,
                           lake_error *err);
/** lake_store_open_ex with default options. */
lake_rc lake_store_open(const char *url, lake_store **out, lake_error *err);
/** Closes s and frees it; accepts NULL. */
void lake_store_close(lake_store *s);
/** The location s was opened with, as given to lake_store_open_ex. */
const char *lake_store_url(const lake_store *s);

/** Lists every object whose key starts with prefix ("" for all), recursively, sorted by key in
 * byte-wise ascending order. A missing prefix gives an empty list, not an error. */
lake_rc lake_store_list(lake_store *s, const char *prefix, lake_obj_list *out, lake_error *err);

/** Flags of lake_store_list_read. */
enum {
    /** Leave out every key with a path component below prefix that starts with '_' or '.'
     * (Hadoop's hidden-file rule: _SUCCESS, _temporary/, .crc files, editors' dot files). Only
     * components that begin at or after the end of prefix count, so a prefix such as "_in/"
     * still lists what is inside it. A local store does not even enter such directories. */
    LAKE_LIST_SKIP_HIDDEN = 1
};

/** True when key has a path component starting with '_' or '.' that begins at or after byte
 * plen (the rule of LAKE_LIST_SKIP_HIDDEN for a prefix of plen bytes). */
bool lake_key_hidden_below(const char *key, size_t plen);

/** lake_store_list that also reads the objects of at most max_bytes each, up to budget bytes in
 * all, where the backend can do it cheaply while listing (a local store opens the file relative
 * to the directory it is reading, instead of a stat there and a full path walk later): their
 * bytes are in lake_obj.data. Any other object, or one that could not be read while listing
 * (the error is then the later get's), has data NULL. flags: 0 or LAKE_LIST_SKIP_HIDDEN.
 * A local store fails with LAKE_ERR_IO when a directory under prefix is (through a
 * symbolic link) one of its own ancestors, naming both. */
lake_rc lake_store_list_read(lake_store *s, const char *prefix, size_t max_bytes, size_t budget,
                             unsigned flags, lake_obj_list *out, lake_error *err);

/** The names directly under prefix ("" or ending in '/'), sorted: objects by key, "directories"
 * (common prefixes) by key with a trailing '/'; sizes are 0. Reads one level only (one
 * directory, or one delimited S3 listing), so it is cheap on any store; for error messages
 * saying what is there. A missing prefix gives an empty list. */
lake_rc lake_store_list_names(lake_store *s, const char *prefix, lake_obj_list *out,
                              lake_error *err);

/** One level of the store below prefix ("" or ending in '/'), as a delimited listing gives it:
 * the objects right under prefix, with their sizes, appended to objects, and the common
 * prefixes ("directories": keys up to and including the next '/', size 0) appended to prefixes,
 * each list sorted. S3: ListObjectsV2 with delimiter '/' (every page); local: one directory read
 * (regular files are objects, directories are prefixes; symbolic links followed). Pass empty
 * lists. A missing prefix gives two empty lists. Returns LAKE_OK; LAKE_ERR_INVALID_ARG for a
 * prefix not ending in '/'; else the store's error naming the location, with both lists
 * emptied. */
lake_rc lake_store_list_delim(lake_store *s, const char *prefix, lake_obj_list *objects,
                              lake_obj_list *prefixes, lake_error *err);

/** Lists every object under each of prefixes[0..n) (keys relative to the root, "" for all),
 * all at once, into out (which must be empty): sorted by key byte-wise, each key once however
 * many of the prefixes hold it. flags: 0 or LAKE_LIST_SKIP_HIDDEN (judged per prefix, as
 * lake_store_list_read does). S3: one batch of ListObjectsV2 requests, up to max_concurrency in
 * flight, fanned out over common prefixes: each prefix is listed with delimiter '/', a level
 * with fewer than 16 common prefixes is descended the same way while fewer listings than
 * max_concurrency have been started, and the others are listed flat (docs/s3.md, "Listing").
 * Local: up to 8 prefixes walked at a time, each walk itself parallel. n 1 is the fanned-out
 * listing of one prefix. A missing prefix lists nothing. Returns LAKE_OK, or the first failure
 * (the lowest failing prefix's, locally) with out left empty. */
lake_rc lake_store_list_many(lake_store *s, const char *const *prefixes, size_t n, unsigned flags,
                             lake_obj_list *out, lake_error *err);

/** Frees the bytes lake_store_list_read kept for l->items[i]. */
void lake_obj_drop_data(lake_obj_list *l, size_t i);
/** Frees the bytes lake_store_list_read kept for every item of l (keys and sizes stay). */
void lake_obj_list_drop_data(lake_obj_list *l);

/** Reads a whole object, appending it to out (padding kept, see lake_buf). */
lake_rc lake_store_get(lake_store *s, const char *key, lake_buf *out, lake_error *err);

/** Reads n whole objects concurrently (S3: up to max_concurrency requests in flight), appending
 * object i to outs[i] (padding kept). errs[i] is filled for each object that failed; the others
 * are left untouched. Returns LAKE_OK when all succeeded, else the rc of the lowest failing
 * index. Safe to call from several threads at once, like every function here. */
lake_rc lake_store_get_many(lake_store *s, const char *const *keys, size_t n, lake_buf *outs,
                            lake_error *errs);

/** Writes a whole object, creating parent "directories" as needed; replaces an existing one. The
 * object appears complete or not at all. */
lake_rc lake_store_put(lake_store *s, const char *key, const void *data, size_t len,
                       lake_error *err);

/** Like lake_store_put for a key that does not exist yet and that nobody reads before the caller
 * publishes it (a private staging area): the backend may skip what makes a put appear at once
 * (the local backend writes in place instead of writing a temporary file and renaming it).
 * Fails if the key exists. */
lake_rc lake_store_put_new(lake_store *s, const char *key, const void *data, size_t len,
                           lake_error *err);

/** A streaming writer: the object's bytes arrive in pieces, so nobody needs the whole object in
 * memory. Local stores write to the file as the bytes come (through a small buffer); S3 holds
 * up to LAKE_S3_MULTIPART_THRESHOLD, then switches to a multipart upload whose parts are sent in
 * parallel a few at a time. The object appears only at lake_store_writer_finish, complete. */
typedef struct lake_store_writer lake_store_writer;

enum {
    LAKE_STORE_WRITE_NEW = 1, /**< the key is new and private, as for lake_store_put_new */
    /** A hint: the key's parent "directory" does not exist yet (the first file of a new
     * partition), so a local store creates it before opening instead of after a failed open. */
    LAKE_STORE_WRITE_NEW_DIR = 2,
    /** The object stays invisible once written: end the writer with lake_store_writer_pend,
     * then lake_store_publish (or lake_store_discard) it. S3 leaves its multipart upload
     * uncompleted (as Hadoop's S3A committers do); a backend that cannot hold an object back
     * writes it at once (see lake_store_can_pend). */
    LAKE_STORE_WRITE_PENDING = 4
};

/** Starts writing key (flags: 0 as lake_store_put, LAKE_STORE_WRITE_NEW as lake_store_put_new).
 * Opening may defer every request until bytes arrive; errors can come from any later call. */
lake_rc lake_store_writer_open(lake_store *s, const char *key, unsigned flags,
                               lake_store_writer **out, lake_error *err);
/** Appends len bytes. On failure the writer must still be aborted. */
lake_rc lake_store_writer_write(lake_store_writer *w, const void *data, size_t len,
                                lake_error *err);
/** Bytes given to the writer so far. */
uint64_t lake_store_writer_size(const lake_store_writer *w);
/** Completes the object and frees w, also on failure (which leaves no object and no pending
 * upload behind, as far as the store lets us clean up; err says when it did not). */
lake_rc lake_store_writer_finish(lake_store_writer *w, lake_error *err);
/** Drops what was written (an S3 multipart upload is aborted) and frees w. Accepts NULL. */
void lake_store_writer_abort(lake_store_writer *w);

/* Pending objects (LAKE_STORE_WRITE_PENDING). */

/** True when the backend holds pending objects back until they are published (S3). Elsewhere a
 * pending object is visible as soon as it is written, its token is "" and publishing it does
 * nothing. */
bool lake_store_can_pend(const lake_store *s);
/** Ends a writer opened with LAKE_STORE_WRITE_PENDING: every byte is stored, nothing is visible.
 * *token (malloc'ed; a single line without tabs) is what lake_store_publish and
 * lake_store_discard need, also in another process. Frees w, also on failure (which leaves no
 * pending object, as far as the store lets us clean up). */
lake_rc lake_store_writer_pend(lake_store_writer *w, char **token, lake_error *err);
/** Makes the pending objects keys[i] (with tokens[i]) visible, each complete, concurrently.
 * Returns LAKE_OK when all were published, else the first failure (the others may have been). */
lake_rc lake_store_publish(lake_store *s, const char *const *keys, const char *const *tokens,
                           size_t n, lake_error *err);
/** Drops pending objects that were not published (S3: aborts the uploads; one already gone is
 * not an error); on a store that cannot pend, deletes the objects. */
lake_rc lake_store_discard(lake_store *s, const char *const *keys, const char *const *tokens,
                           size_t n, lake_error *err);
/** Drops every pending object under prefix, including those whose tokens were lost with the
 * process that wrote them; *n (may be NULL) says how many. Does nothing where nothing pends. */
lake_rc lake_store_discard_all(lake_store *s, const char *prefix, size_t *n, lake_error *err);

/** Deletes one object; a missing one is not an error. */
lake_rc lake_store_delete(lake_store *s, const char *key, lake_error *err);

/** Deletes n objects (S3: DeleteObjects requests of up to 1,000 keys, in parallel); missing ones
 * are not an error. */
lake_rc lake_store_delete_many(lake_store *s, const char *const *keys, size_t n, lake_error *err);

/** Deletes every object under prefix (which should end in '/'). */
lake_rc lake_store_delete_prefix(lake_store *s, const char *prefix, lake_error *err);

/** Moves every object under prefix `from` to prefix `to` (both ending in '/'); `to` must be empty.
 * Local stores do it with one rename, so a reader sees the old or the new set, never a mix; there
 * `from` and `to` may also be two object keys, and the one object moves (to a key that is free).
 * Returns LAKE_ERR_UNSUPPORTED where the backend cannot (the caller then copies). */
lake_rc lake_store_rename_prefix(lake_store *s, const char *from, const char *to, lake_error *err);

/** True when the backend moves a prefix at once (lake_store_rename_prefix works). */
bool lake_store_can_rename(const lake_store *s);

/** Puts what is under `from` at `to` in one step, and what was at `to` (if anything) at `from`:
 * a reader of `to` sees the old or the new set, and never nothing (local stores exchange the two
 * directories atomically). LAKE_ERR_NOT_FOUND when `from` is empty; LAKE_ERR_UNSUPPORTED where
 * the backend cannot rename. */
lake_rc lake_store_swap_prefix(lake_store *s, const char *from, const char *to, lake_error *err);

/** Sets *yes to whether an object key, or any object under the prefix key ("songs/"), exists. */
lake_rc lake_store_exists(lake_store *s, const char *key, bool *yes, lake_error *err);

/** An exclusive lock on the store for one writer at a time. */
typedef struct lake_store_lock lake_store_lock;

/** Takes the lock named by key (an object under the root, e.g. "_lake/lock"), recording holder (a
 * one-line description of who holds it) where the next taker can read it. When another process
 * holds it, waits up to wait_s seconds (0: fails at once) and then fails with LAKE_ERR_LOCKED and
 * the holder's description in err. LAKE_ERR_UNSUPPORTED where the backend has no lock. The lock
 * is held until lake_store_unlock or the process's exit (a killed holder frees it). */
lake_rc lake_store_lock_take(lake_store *s, const char *key, const char *holder, double wait_s,
                             lake_store_lock **out, lake_error *err);
/** Releases a lock; accepts NULL. */
void lake_store_unlock(lake_store_lock *l);
/** LAKE_OK while l is still held (NULL: no lock, nothing to lose); LAKE_ERR_LOCKED once it was
 * lost (an S3 lease that could not be renewed and was taken over by another run). */
lake_rc lake_store_lock_check(const lake_store_lock *l, lake_error *err);

#endif
