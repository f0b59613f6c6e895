/* Manifests as S3DistCp writes them (--outputManifest): gzip'd text, one JSON object per line
 * per object copied, {"path":..., "baseName":..., "srcDir":..., "size":...}: the output's URL,
 * the object's path relative to the source root, the source root, the object's bytes. */
#include "codec/inflate.h"
#include "json/emit.h"
#include "json/json.h"
#include "jobs/distcp/dc_job.h"

#include <stdlib.h>
#include <string.h>

void dc_manifest_add(dc_manifest *m, const char *path, const char *base_name, const char *src_dir,
                     uint64_t size) {
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->items = lake_xrealloc(m->items, m->cap * sizeof *m->items);
    }
    m->items[m->n++] = (dc_manifest_entry){lake_xstrdup(path), lake_xstrdup(base_name),
                                           lake_xstrdup(src_dir), size};
}

void dc_manifest_add_plan(dc_manifest *m, const dc_plan *plan, const lake_obj_list *objs,
                          const char *dest, const char *src) {
    for (size_t p = 0; p < plan->n; p++) {
        char *url = lake_xconcat(dest, "/", plan->parts[p].name);
        for (size_t k = 0; k < plan->parts[p].n; k++) {
            const lake_obj *ob = &objs->items[plan->parts[p].order[k]];
            dc_manifest_add(m, url, ob->key, src, ob->size);
        }
        free(url);
    }
}

void dc_manifest_free(dc_manifest *m) {
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].path);
        free(m->items[i].base_name);
        free(m->items[i].src_dir);
    }
    free(m->items);
    memset(m, 0, sizeof *m);
}

lake_rc dc_read_url(const char *url, const lake_store_options *so, lake_buf *out, lake_error *err) {
    char *trimmed = dc_url_trim(url);
    const char *slash = strrchr(trimmed, '/');
    bool s3 = strstr(trimmed, "://") != NULL;
    /* The parent is the store; a local file without a directory is in ".". */
    char *dir = !slash             ? lake_xstrdup(".")
                : slash == trimmed ? lake_xstrdup("/")
                                   : lake_xstrndup(trimmed, (size_t)(slash - trimmed));
    const char *name = slash ? slash + 1 : trimmed;
    lake_store *st = NULL;
    lake_rc rc = s3 && !strchr(strstr(trimmed, "://") + 3, '/')
                     ? lake_error_set(err, LAKE_ERR_INVALID_ARG, "%s names no object", url)
                     : lake_store_open_ex(dir, so, &st, err);
    if (!rc)
        rc = lake_store_get(st, name, out, err);
    if (rc)
        lake_error_prefix(err, "reading %s: ", url);
    lake_store_close(st);
    free(dir);
    free(trimmed);
    return rc;
}

static const char *const fields[] = {"path", "baseName", "srcDir", "size"};

typedef struct {
    dc_manifest *m;
    const char *url;
    lake_error *err;
} read_ctx;

static int on_entry(void *ud, const lj_record *rec, const lj_value *v) {
    read_ctx *c = ud;
    for (int i = 0; i < 3; i++)
        if (v[i].kind != LJ_STRING)
            return lake_error_set(c->err, LAKE_ERR_PARSE, "%s line %zu: \"%s\" is not a string",
                                  c->url, rec->line, fields[i]);
    if (v[3].kind != LJ_INT || v[3].i < 0)
        return lake_error_set(c->err, LAKE_ERR_PARSE,
                              "%s line %zu: \"size\" is not a non-negative integer", c->url,
                              rec->line);
    char *s[3];
    for (int i = 0; i < 3; i++)
        s[i] = lake_xstrndup(v[i].s, v[i].len);
    dc_manifest_add(c->m, s[0], s[1], s[2], (uint64_t)v[3].i);
    for (int i = 0; i < 3; i++)
        free(s[i]);
    return 0;
}

static int on_bad(void *ud, const lj_record *rec, const char *reason) {
    read_ctx *c = ud;
    return lake_error_set(c->err, LAKE_ERR_PARSE, "%s line %zu: %s", c->url, rec->line, reason);
}

lake_rc dc_manifest_read(const char *url, const lake_store_options *so, dc_manifest *m, bool *found,
                         lake_error *err) {
    lake_buf raw, text;
    lake_buf_init(&raw);
    lake_buf_init(&text);
    *found = false;
    lake_rc rc = dc_read_url(url, so, &raw, err);
    int did = 0;
    if (rc == LAKE_ERR_NOT_FOUND) {
        rc = LAKE_OK;
        goto out;
    }
    *found = !rc;
    /* S3DistCp's manifests are gzip'd whatever their name; a plain one is read as it is. */
    if (!rc && raw.len >= 2 && raw.data[0] == 0x1f && raw.data[1] == 0x8b)
        rc = lake_inflate_auto("manifest.gz", raw.data, raw.len, &text, &did, err);
    if (!rc && (did ? text.len : raw.len)) {
        lj_extractor *x = lj_extractor_create(fields, 4);
        read_ctx c = {m, url, err};
        const lake_buf *b = did ? &text : &raw;
        lake_rc xrc = lj_extract(x, (const char *)b->data, b->len, on_entry, on_bad, &c, err);
        rc = xrc ? (err->rc ? err->rc : xrc) : LAKE_OK;
        lj_extractor_free(x);
    }
    if (rc && rc != LAKE_ERR_PARSE)
        lake_error_prefix(err, "--previousManifest: ");
out:
    lake_buf_free(&raw);
    lake_buf_free(&text);
    return rc;
}

lake_rc dc_manifest_encode(const dc_manifest *m, lake_buf *out, lake_error *err) {
    lake_buf text;
    lake_buf_init(&text);
    for (size_t i = 0; i < m->n; i++) {
        const dc_manifest_entry *e = &m->items[i];
        lake_buf_puts(&text, "{\"path\":");
        lj_emit_string(&text, e->path, strlen(e->path), 0);
        lake_buf_puts(&text, ",\"baseName\":");
        lj_emit_string(&text, e->base_name, strlen(e->base_name), 0);
        lake_buf_puts(&text, ",\"srcDir\":");
        lj_emit_string(&text, e->src_dir, strlen(e->src_dir), 0);
        lake_buf_puts(&text, ",\"size\":");
        lj_emit_u64(&text, e->size);
        lake_buf_puts(&text, "}\n");
    }
    lake_rc rc = lake_compress(LAKE_CODEC_GZIP, 0, text.data ? text.data : (const uint8_t *)"",
                               text.len, out, err);
    lake_buf_free(&text);
    return rc;
}
