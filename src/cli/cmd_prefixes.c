/* lake prefixes: the unique directory prefixes of every object under a location, one URL a line,
 * sorted, for `lake distcp --srcPrefixesFile`. It replaces the bootstrap pipeline
 * `aws s3 ls --recursive | sed | awk` of the original system; docs/prefixes.md says what it
 * writes and why. The listing is lake_store_list_many's, fanned out over common prefixes. */
#include "cli/cli.h"
#include "lake/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char prefixes_usage[] =
    "usage: lake prefixes SRC [-o FILE] [--depth N] [store options]\n"
    "\n"
    "Lists every object under SRC (a local directory or s3://bucket/prefix) and writes the\n"
    "directory part of each object's path, once each, one per line, sorted byte-wise: full\n"
    "URLs ending in '/' (s3://bucket/prefix/dir/), or for a local SRC the path SRC/dir/ as\n"
    "SRC was given. Objects right under SRC give SRC/ itself. The lines are ready for\n"
    "lake distcp --srcPrefixesFile (docs/prefixes.md).\n"
    "\n"
    "  -o, --output FILE          write the lines to FILE (local, or s3://bucket/key) instead\n"
    "                             of stdout; FILE is replaced whole or not at all\n"
    "      --depth N              cut each prefix to at most N directory levels below SRC\n"
    "                             (0: SRC/ alone); without it, the deepest directories\n"
    "  -h, --help                 show this help\n";

enum { OPT_DEPTH = 256 };

static const struct option prefixes_options[] = {{"output", required_argument, NULL, 'o'},
                                                 {"depth", required_argument, NULL, OPT_DEPTH},
                                                 {"help", no_argument, NULL, 'h'},
                                                 CLI_STORE_LONGOPTS,
                                                 {NULL, 0, NULL, 0}};

typedef struct {
    const char *src, *output;
    int64_t depth; /* -1: no cut */
    lake_store_options so;
} prefixes_args;

static int parse_option(int c, prefixes_args *a) {
    uint64_t n;
    switch (c) {
    case 'o':
        a->output = optarg;
        return 0;
    case OPT_DEPTH:
        if (!cli_parse_u64("prefixes", "--depth", optarg, &n))
            return 2;
        a->depth = n > 4096 ? 4096 : (int64_t)n; /* deeper than any key can be */
        return 0;
    default: {
        int rc = cli_store_option("prefixes", c, optarg, &a->so);
        return rc >= 0 ? rc : cli_usage_error("prefixes", "unknown option");
    }
    }
}

static int parse_args(int argc, char **argv, prefixes_args *a) {
    int c;
    optind = 1;
    while ((c = cli_getopt("prefixes", argc, argv, "o:hv", prefixes_options)) != -1) {
        if (c == CLI_GETOPT_ERROR)
            return 2;
        if (c == 'h') {
            fputs(prefixes_usage, stdout);
            fputs(cli_store_usage, stdout);
            return -1;
        }
        int rc = parse_option(c, a);
        if (rc)
            return rc;
    }
    if (optind != argc - 1)
        return cli_usage_error("prefixes", "expected exactly one SRC");
    a->src = argv[optind];
    return 0;
}

/* The directory part of key ("" for a key without '/'), cut to depth levels (-1: none). */
static char *dir_of(const char *key, int64_t depth) {
    size_t end = 0;
    int64_t levels = 0;
    for (size_t i = 0; key[i] && (depth < 0 || levels < depth); i++) {
        if (key[i] == '/') {
            end = i + 1;
            levels++;
        }
    }
    return lake_xstrndup(key, end);
}

static int by_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines: base (SRC with one trailing '/') and each unique directory, sorted. */
static void render(const lake_obj_list *l, const char *base, int64_t depth, lake_buf *out) {
    char **dirs = lake_xcalloc(l->n + 1, sizeof *dirs);
    for (size_t i = 0; i < l->n; i++)
        dirs[i] = dir_of(l->items[i].key, depth);
    qsort(dirs, l->n, sizeof *dirs, by_str);
    for (size_t i = 0; i < l->n; i++) {
        if (!i || strcmp(dirs[i - 1], dirs[i]) != 0)
            lake_buf_printf(out, "%s%s\n", base, dirs[i]);
    }
    for (size_t i = 0; i < l->n; i++)
        free(dirs[i]);
    free(dirs);
}

/* SRC with its trailing '/'s replaced by one ("/" stays "/"). */
static char *base_of(const char *src) {
    size_t n = strlen(src);
    while (n > 1 && src[n - 1] == '/')
        n--;
    if (n == 1 && src[0] == '/')
        return lake_xstrdup("/");
    return lake_xasprintf("%.*s/", (int)n, src);
}

/* Writes text to the open file fd and closes it; false (errno set) when any step failed. */
static bool write_close(int fd, const lake_buf *text) {
    mode_t mask = umask(0); /* mkstemp made the file 0600; give it what open(2) would */
    umask(mask);
    bool ok = fchmod(fd, 0666 & ~mask) == 0;
    for (size_t done = 0; ok && done < text->len;) {
        ssize_t n = write(fd, text->data + done, text->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        done += n > 0 ? (size_t)n : 0;
    }
    ok = ok && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok)
        return false;
    errno = e;
    return ok;
}

/* A local FILE: written under a temporary name in its directory, then renamed over it, so FILE
 * is the old one or the whole new one. */
static lake_rc write_local(const char *path, const lake_buf *text, lake_error *err) {
    char *tmp = lake_xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    lake_rc rc = LAKE_OK;
    if (fd < 0 || !write_close(fd, text) || rename(tmp, path) != 0) {
        rc = lake_error_set(err, LAKE_ERR_IO, "-o %s: %s", path, strerror(errno));
        if (fd >= 0)
            unlink(tmp);
    }
    free(tmp);
    return rc;
}

/* An s3:// FILE: one PUT of the key under its parent, which S3 makes visible whole. */
static lake_rc write_store(const char *url, const lake_store_options *so, const lake_buf *text,
                           lake_error *err) {
    const char *slash = strrchr(url + strlen("s3://"), '/');
    if (!slash || !slash[1])
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "-o %s: expected s3://bucket/key", url);
    char *parent = lake_xstrndup(url, (size_t)(slash - url));
    lake_store *st = NULL;
    lake_rc rc = lake_store_open_ex(parent, so, &st, err);
    if (!rc)
        rc = lake_store_put(st, slash + 1, text->data, text->len, err);
    lake_store_close(st);
    free(parent);
    return rc;
}

/* Lists SRC and renders its lines into text. */
static lake_rc list_src(const prefixes_args *a, lake_buf *text, size_t *n_objects,
                        lake_error *err) {
    lake_store *st = NULL;
    lake_obj_list l = {0};
    const char *all = "";
    lake_rc rc = cli_check_input_dir("", a->src, err);
    if (!rc)
        rc = lake_store_open_ex(a->src, &a->so, &st, err);
    if (!rc)
        rc = lake_store_list_many(st, &all, 1, 0, &l, err);
    if (!rc) {
        char *base = base_of(a->src);
        render(&l, base, a->depth, text);
        free(base);
        *n_objects = l.n;
    }
    lake_obj_list_free(&l);
    lake_store_close(st);
    return rc;
}

int cli_prefixes(int argc, char **argv) {
    prefixes_args a = {.depth = -1};
    int prc = parse_args(argc, argv, &a);
    if (prc)
        return prc < 0 ? 0 : prc;
    lake_error err = {0};
    lake_buf text;
    lake_buf_init(&text);
    size_t n = 0;
    lake_rc rc = LAKE_OK;
    if (a.output && cli_is_local(a.output)) /* before the listing: a typo fails at once */
        rc = cli_check_output_file("-o", a.output, &err);
    if (!rc)
        rc = list_src(&a, &text, &n, &err);
    if (!rc && !a.output &&
        (fwrite(text.data ? (const void *)text.data : "", 1, text.len, stdout) != text.len ||
         fflush(stdout) != 0))
        rc = lake_error_set(&err, LAKE_ERR_IO, "stdout: %s", strerror(errno));
    else if (!rc && a.output)
        rc = cli_is_local(a.output) ? write_local(a.output, &text, &err)
                                    : write_store(a.output, &a.so, &text, &err);
    lake_buf_free(&text);
    if (rc) {
        fprintf(stderr, "lake prefixes: %s\n", err.msg[0] ? err.msg : lake_strerror(rc));
        return 1;
    }
    if (!n)
        fprintf(stderr, "lake prefixes: %s holds no objects\n", a.src);
    return 0;
}
