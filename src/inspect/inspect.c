/* Building the inspection report: which files a location names, reading each through the store,
 * decoding its footer and walking its column chunks' pages. Rendering is in inspect_json.c and
 * inspect_text.c. */
#include "lake/inspect.h"
#include "lake/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Walks the pages of every column chunk of m that lives in this file into scans. */
static lake_rc scan_chunks(const lake_buf *data, const pq_file_meta *m, pq_chunk_scan *scans,
                           lake_error *err) {
    for (size_t g = 0; g < m->nrow_groups; g++)
        for (size_t c = 0; c < m->nleaves; c++) {
            const pq_column_chunk *cc = &m->row_groups[g].columns[c];
            if (cc->file_path.ptr)
                continue; /* data in another file: nothing to walk here */
            lake_rc rc = pq_scan_chunk(data->data, data->len, cc, &scans[g * m->nleaves + c], err);
            if (rc) {
                lake_error_prefix(err, "row group %zu, column %zu (%s): ", g, c,
                                  m->schema[m->leaves[c]].path.ptr);
                return rc;
            }
        }
    return LAKE_OK;
}

static void add_totals(lake_inspect_report *r, const pq_file_meta *m) {
    r->rows += (uint64_t)m->num_rows;
    r->row_groups += m->nrow_groups;
    r->bytes += m->file_size;
    for (size_t g = 0; g < m->nrow_groups; g++)
        for (size_t c = 0; c < m->row_groups[g].ncolumns; c++) {
            r->compressed += (uint64_t)m->row_groups[g].columns[c].total_compressed_size;
            r->uncompressed += (uint64_t)m->row_groups[g].columns[c].total_uncompressed_size;
        }
}

/* Reads and decodes object key of st and adds it to r under name; on failure err holds the
 * message (without the name). */
static lake_rc add_file(lake_inspect_report *r, lake_store *st, const char *key, const char *name,
                        lake_error *err) {
    lake_buf data;
    lake_buf_init(&data);
    pq_file_meta *m = NULL;
    pq_chunk_scan *scans = NULL;
    lake_rc rc = lake_store_get(st, key, &data, err);
    if (rc)
        goto out;
    rc = pq_read_footer(data.data, data.len, &m, err);
    if (rc)
        goto out;
    scans = lake_xcalloc(m->nrow_groups * m->nleaves + 1, sizeof *scans);
    rc = scan_chunks(&data, m, scans, err);
    if (rc)
        goto out;
    r->files = lake_xrealloc(r->files, (r->nfiles + 1) * sizeof *r->files);
    r->files[r->nfiles++] = (lake_inspect_file){lake_xstrdup(name), m, scans};
    add_totals(r, m);
    m = NULL;
    scans = NULL;
out:
    free(scans);
    pq_file_meta_free(m);
    lake_buf_free(&data);
    return rc;
}

static bool is_parquet_key(const char *key) {
    if (strlen(key) < 8 || !lake_ends_with(key, ".parquet"))
        return false;
    /* Spark skips names starting with '_' or '.' (_temporary/, _rejected/, .crc files). */
    for (const char *c = key; c; c = strchr(c, '/')) {
        if (*c == '/')
            c++;
        if (*c == '_' || *c == '.')
            return false;
    }
    return true;
}

/* Decides whether path names one file: local paths by stat, URLs by their ".parquet" suffix. */
static bool names_file(const char *path) {
    if (strstr(path, "://"))
        return lake_ends_with(path, ".parquet");
    struct stat st;
    return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* Starts err's message with the name of what failed, so that one line tells the whole story. */
static lake_rc name_failure(lake_error *err, lake_rc rc, const char *name) {
    if (err && !err->msg[0])
        snprintf(err->msg, sizeof err->msg, "%s", lake_strerror(rc));
    if (err)
        lake_error_prefix(err, "%s: ", name);
    return rc;
}

/* One file: opened through the store of its directory. */
static lake_rc build_single(lake_inspect_report *r, const lake_store_options *so, lake_error *err) {
    const char *path = r->path;
    const char *slash = strrchr(path, '/');
    char *dir =
        slash ? lake_xstrndup(path, (size_t)(slash - path + (slash == path))) : lake_xstrdup(".");
    lake_store *st = NULL;
    lake_rc rc = lake_store_open_ex(dir, so, &st, err);
    if (!rc)
        rc = add_file(r, st, slash ? slash + 1 : path, path, err);
    if (rc)
        name_failure(err, rc, path);
    lake_store_close(st);
    free(dir);
    return rc;
}

/* Every Parquet key below the location, in key order. */
static lake_rc build_dir(lake_inspect_report *r, const lake_store_options *so, lake_error *err) {
    const char *path = r->path;
    size_t pl = strlen(path);
    const char *sep = pl && path[pl - 1] == '/' ? "" : "/";
    lake_store *st = NULL;
    lake_obj_list list = {0};
    lake_rc rc = lake_store_open_ex(path, so, &st, err);
    if (!rc)
        rc = lake_store_list(st, "", &list, err);
    if (rc)
        name_failure(err, rc, path);
    for (size_t i = 0; !rc && i < list.n; i++) {
        if (!is_parquet_key(list.items[i].key))
            continue;
        char *name = lake_xconcat(path, sep, list.items[i].key);
        rc = add_file(r, st, list.items[i].key, name, err);
        if (rc)
            name_failure(err, rc, name);
        free(name);
    }
    if (!rc && r->nfiles == 0)
        rc = lake_error_set(err, LAKE_ERR_NOT_FOUND, "%s: no .parquet files found", path);
    lake_obj_list_free(&list);
    lake_store_close(st);
    return rc;
}

lake_rc lake_inspect_build(const char *path, const lake_store_options *so,
                           lake_inspect_report **out, lake_error *err) {
    lake_inspect_report *r = lake_xzalloc(sizeof *r);
    lake_rc rc;
    r->path = lake_xstrdup(path);
    r->single = names_file(path);
    struct stat sb;
    if (!r->single && !strstr(path, "://") && stat(path, &sb) != 0)
        rc = lake_error_set(err, LAKE_ERR_NOT_FOUND, "%s: no such file or directory", path);
    else
        rc = r->single ? build_single(r, so, err) : build_dir(r, so, err);
    if (rc) {
        lake_inspect_free(r);
        r = NULL;
    }
    *out = r;
    return rc;
}

void lake_inspect_free(lake_inspect_report *r) {
    if (!r)
        return;
    for (size_t i = 0; i < r->nfiles; i++) {
        free(r->files[i].name);
        pq_file_meta_free(r->files[i].meta);
        free(r->files[i].scans);
    }
    free(r->files);
    free(r->path);
    free(r);
}
