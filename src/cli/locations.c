/* Checks of the locations a command was given, made before it reads anything, so that a typo or
 * an output nobody can write fails at once with the flag and the reason, not after the pipeline.
 *
 * Only local paths are checked here: an S3 location's first request says as much (lake run's
 * first request is the output's lock, before any input is listed).
 *
 * Whether a directory is writable is asked of the file system itself, by creating and removing a
 * hidden directory in it: access(2) answers for the permission bits only, and for root (who runs
 * lake in containers) it says yes to /proc, /sys and any directory whatever the bits, although
 * mkdir there fails. The probe's name starts with '.', which readers skip, and it exists for the
 * microseconds between mkdtemp and rmdir. */
#include "cli/cli.h"
#include "lake/common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "FLAG LOC" in messages, or "LOC" for a positional argument (flag ""). */
#define WHAT(flag, loc) flag, *(flag) ? " " : "", loc

bool cli_is_local(const char *location) {
    return strstr(location, "://") == NULL;
}

/* The parent of path (a new string): "a/b/" -> "a", "a" -> ".", "/a" -> "/". */
static char *parent_of(const char *path) {
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    while (n > 0 && path[n - 1] != '/')
        n--;
    if (n == 0)
        return lake_xstrdup(".");
    while (n > 1 && path[n - 1] == '/')
        n--;
    return lake_xstrndup(path, n);
}

/* LAKE_OK when a directory can be created (and so files written) in dir. */
static lake_rc probe_dir(const char *flag, const char *loc, const char *dir, lake_error *err) {
    size_t n = strlen(dir) + sizeof "/.lake-probe-XXXXXX";
    char *tmpl = lake_xmalloc(n);
    snprintf(tmpl, n, "%s/.lake-probe-XXXXXX", dir);
    lake_rc rc = LAKE_OK;
    if (!mkdtemp(tmpl))
        rc = lake_error_set(err, LAKE_ERR_IO, "%s%s%s: cannot create anything in %s (mkdir: %s)",
                            WHAT(flag, loc), dir, strerror(errno));
    else
        rmdir(tmpl);
    free(tmpl);
    return rc;
}

lake_rc cli_check_input_dir(const char *flag, const char *loc, lake_error *err) {
    struct stat st;
    if (!cli_is_local(loc))
        return LAKE_OK;
    if (stat(loc, &st) != 0) {
        int e = errno;
        return lake_error_set(err, e == ENOENT ? LAKE_ERR_NOT_FOUND : LAKE_ERR_IO, "%s%s%s: %s",
                              WHAT(flag, loc),
                              e == ENOENT || e == ENOTDIR ? "no such directory" : strerror(e));
    }
    if (!S_ISDIR(st.st_mode))
        return lake_error_set(err, LAKE_ERR_IO, "%s%s%s is not a directory", WHAT(flag, loc));
    return LAKE_OK;
}

/* The nearest ancestor of path that exists (path itself included), or NULL with err set. */
static char *existing_ancestor(const char *flag, const char *path, lake_error *err) {
    char *p = lake_xstrdup(path);
    for (;;) {
        struct stat st;
        if (stat(p, &st) == 0)
            return p;
        /* "." (a deleted working directory) and "/" end the walk */
        if ((errno != ENOENT && errno != ENOTDIR) || !strcmp(p, ".") || !strcmp(p, "/")) {
            lake_error_set(err, LAKE_ERR_IO, "%s%s%s: cannot reach %s: %s", WHAT(flag, path), p,
                           strerror(errno));
            free(p);
            return NULL;
        }
        char *up = parent_of(p);
        free(p);
        p = up;
    }
}

lake_rc cli_check_output_dir(const char *flag, const char *loc, lake_error *err) {
    if (!cli_is_local(loc))
        return LAKE_OK;
    char *dir = existing_ancestor(flag, loc, err);
    if (!dir)
        return LAKE_ERR_IO;
    struct stat st;
    lake_rc rc;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        rc = probe_dir(flag, loc, dir, err);
    else if (!strcmp(dir, loc))
        rc = lake_error_set(err, LAKE_ERR_IO, "%s%s%s exists and is not a directory",
                            WHAT(flag, loc));
    else
        rc =
            lake_error_set(err, LAKE_ERR_IO, "%s%s%s: %s is not a directory", WHAT(flag, loc), dir);
    free(dir);
    return rc;
}

lake_rc cli_check_output_file(const char *flag, const char *path, lake_error *err) {
    char *dir = parent_of(path);
    struct stat st;
    lake_rc rc;
    if (stat(dir, &st) != 0)
        rc = lake_error_set(err, LAKE_ERR_IO, "%s%s%s: %s: %s", WHAT(flag, path), dir,
                            errno == ENOENT ? "no such directory" : strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        rc = lake_error_set(err, LAKE_ERR_IO, "%s%s%s: %s is not a directory", WHAT(flag, path),
                            dir);
    else
        rc = probe_dir(flag, path, dir, err);
    free(dir);
    return rc;
}
