/* The local backend's internals, private to src/store/local/: the pieces local.c builds its
 * lake_store_ops from. Files and directories are named by path; nothing here is shared with
 * other backends. Uses the backend contract (store/store_impl.h) and POSIX file calls only. */
#ifndef LAKE_LOCAL_INTERNAL_H
#define LAKE_LOCAL_INTERNAL_H

#include "store/store_impl.h"

/* ---- local_list.c ---- */

/* Lists every file under prefix of the directory root (no trailing '/'), keys relative to root,
 * sorted by key; a missing root or prefix gives an empty list. Files of at most read_max bytes
 * are read while listed, up to budget bytes in all (see lake_store_list_read); read_max 0 reads
 * none. flags: LAKE_LIST_SKIP_HIDDEN skips (and does not enter) hidden names below prefix. A
 * directory that is its own ancestor through a symbolic link fails with LAKE_ERR_IO. Returns
 * LAKE_OK, or LAKE_ERR_IO naming the directory or file that could not be read (out then holds what
 * was listed so far, for the caller to free). */
lake_rc lake__local_list_read(const char *root, const char *prefix, size_t read_max, size_t budget,
                              unsigned flags, lake_obj_list *out, lake_error *err);

/* One level below prefix ("" or ending in '/') of the directory root, as lake_store_list_delim
 * gives it (unsorted): regular files (symbolic links followed) into objects with their sizes,
 * directories into prefixes with a trailing '/'. A missing directory gives empty lists. Returns
 * LAKE_OK, or LAKE_ERR_IO naming a directory that exists but cannot be read. */
lake_rc lake__local_list_delim(const char *root, const char *prefix, lake_obj_list *objects,
                               lake_obj_list *prefixes, lake_error *err);

/* ---- local_sink.c ---- */

/* Creates the missing parent directories of the file path. Returns LAKE_OK (also when they all
 * exist), or LAKE_ERR_IO naming path. */
lake_rc lake__local_make_parents(const char *path, lake_error *err);

/* Streaming writer into a local store rooted at the directory root, given without a trailing
 * '/' as the local store keeps it, and open as rootfd (-1 while the directory does not exist:
 * names are then full paths): writes in place for LAKE_STORE_WRITE_NEW, else to a temporary
 * name renamed at finish, as lake_store_put_new and lake_store_put do. Always succeeds: files
 * are created at the first flush, so errors come from the writer's later calls. */
lake_rc lake__local_writer_open(const char *root, int rootfd, const char *key, unsigned flags,
                                lake_store_writer **out, lake_error *err);

/* ---- local_map.c ---- */

/* Maps the file at path read-only as a lake_view (an empty file gives a view of padding only).
 * Returns LAKE_OK, LAKE_ERR_NOT_FOUND when path does not exist, else LAKE_ERR_IO naming path. */
/* The lock ops of the local backend (local_lock.c): an flock on the file at root/key. */
lake_rc lake__local_lock(lake_store *s, const char *key, const char *holder, double wait_s,
                         void **out, lake_error *err);
void lake__local_unlock(lake_store *s, void *handle);

lake_rc lake__local_map_file(const char *path, lake_view *out, lake_error *err);

#endif
