/* The plan of a copy: which objects go into which output, in what order, under which name and
 * with which compression. Pure: no store is touched, so the rules are unit-tested
 * (tests/unit/test_distcp_plan.c). The names follow S3DistCp's reducer, as docs/distcp.md
 * ("Output names") sets out. */
#include "jobs/distcp/dc_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Extensions S3DistCp treats as a compression (and lake's zstd ones): an output name replaces
 * such an extension of its group key instead of keeping it. */
static const char *const codec_exts[] = {"gz", "gzip", "zst", "zstd", "snappy", "lzo", "lzop"};

/* Room for an extension, and for a key (S3 keys have at most 1,024 bytes). */
#define DC_EXT_MAX 64
#define DC_KEY_MAX 1100

static bool is_codec_ext(const char *ext) {
    for (size_t i = 0; i < sizeof codec_exts / sizeof *codec_exts; i++)
        if (!strcasecmp(ext, codec_exts[i]))
            return true;
    return false;
}

/* The extension of the last path component of name (after its last '.'), or "". */
static const char *last_ext(const char *name) {
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    return dot && dot[1] ? dot + 1 : "";
}

lake_codec dc_codec_of(const char *name) {
    const char *e = last_ext(name);
    if (!strcasecmp(e, "gz") || !strcasecmp(e, "gzip"))
        return LAKE_CODEC_GZIP;
    if (!strcasecmp(e, "zst") || !strcasecmp(e, "zstd"))
        return LAKE_CODEC_ZSTD;
    return LAKE_CODEC_NONE;
}

const char *dc_codec_ext(lake_codec c) {
    return c == LAKE_CODEC_GZIP ? "gz" : c == LAKE_CODEC_ZSTD ? "zst" : "";
}

char *dc_output_name(const char *group, const char *dir, uint64_t uid, unsigned index,
                     const char *ext) {
    const char *slash = strrchr(group, '/');
    const char *id = slash ? slash + 1 : group;
    char num[24] = "", idx[16] = "";
    if (uid != UINT64_MAX)
        snprintf(num, sizeof num, "%llu", (unsigned long long)uid);
    if (index)
        snprintf(idx, sizeof idx, "%u", index);
    /* A compression extension of the key goes; then the output's own extension, when the key
     * ends with it, is kept after the index. Otherwise the index and extension follow. */
    char *base = lake_xstrdup(id);
    const char *own = last_ext(base);
    if (*own && is_codec_ext(own)) {
        base[strlen(base) - strlen(own) - 1] = '\0';
        own = last_ext(base);
    }
    if (*own && *ext && !strcmp(own, ext))
        base[strlen(base) - strlen(own) - 1] = '\0';
    char *name = lake_xconcat(dir, num, base, idx, *ext ? "." : "", ext);
    free(base);
    return name;
}

char *dc_order_name(const char *key, const char *ext) {
    char *base = lake_xstrdup(key);
    const char *own = last_ext(base);
    if (*own && is_codec_ext(own))
        base[strlen(base) - strlen(own) - 1] = '\0';
    own = last_ext(base);
    bool has = *ext && *own && !strcmp(own, ext);
    char *name = lake_xconcat(base, *ext && !has ? "." : "", has ? "" : ext);
    free(base);
    return name;
}

/* ---- grouping ---- */

typedef struct {
    char **keys; /* per object: its group key, or NULL when not copied */
} group_keys;

static int by_key(const void *a, const void *b, void *ud) {
    const group_keys *g = ud;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(g->keys[x], g->keys[y]);
    return c ? c : (x > y) - (x < y);
}

/* Each object's group key: the capture groups of --groupBy on its full path, or (no --groupBy)
 * its own key. */
static void make_keys(const lake_obj_list *objs, const dc_plan_opts *o, group_keys *g,
                      dc_plan *plan) {
    lake_buf path, key;
    lake_buf_init(&path);
    lake_buf_init(&key);
    g->keys = lake_xcalloc(objs->n + 1, sizeof *g->keys);
    plan->order = lake_xcalloc(objs->n + 1, sizeof *plan->order);
    for (size_t i = 0; i < objs->n; i++) {
        const char *k = objs->items[i].key;
        if (!o->group_by) {
            g->keys[i] = lake_xstrdup(k);
            plan->order[plan->norder++] = i;
            continue;
        }
        path.len = key.len = 0;
        lake_buf_printf(&path, "%s/%s", o->src_url, k);
        if (dc_regex_match(o->group_by, (const char *)path.data, path.len, &key)) {
            g->keys[i] = lake_xstrndup((const char *)key.data, key.len);
            plan->order[plan->norder++] = i;
        } else {
            plan->unmatched++;
        }
    }
    lake_buf_free(&path);
    lake_buf_free(&key);
}

/* The extension of an object's content: its last one once a compression extension is gone
 * ("json" for a.json and a.json.gz). */
static const char *content_ext(const char *key, char *buf, size_t size) {
    const char *e = last_ext(key);
    if (!is_codec_ext(e))
        return e;
    size_t n = (size_t)(e - key) - 1;
    snprintf(buf, size, "%.*s", (int)(n < size - 1 ? n : size - 1), key);
    return last_ext(buf);
}

/* The group order[0..n)'s output codec and extension (S3DistCp's determineOutputSuffix, but
 * with none the inputs' content extension, so decompressed a.json.gz inputs make a .json). */
static lake_rc group_codec(const lake_obj_list *objs, const size_t *order, size_t n,
                           lake_distcp_codec want, lake_codec *codec, char ext[DC_EXT_MAX],
                           lake_error *err) {
    lake_codec first = dc_codec_of(objs->items[order[0]].key);
    char b0[DC_KEY_MAX], b1[DC_KEY_MAX];
    const char *common = content_ext(objs->items[order[0]].key, b0, sizeof b0);
    for (size_t i = 1; i < n; i++) {
        const char *k = objs->items[order[i]].key;
        if (want == LAKE_DISTCP_KEEP && dc_codec_of(k) != first)
            return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                                  "--outputCodec keep: %s and %s go into one output but are "
                                  "compressed differently; give --outputCodec",
                                  objs->items[order[0]].key, k);
        if (strcmp(content_ext(k, b1, sizeof b1), common))
            common = "";
    }
    switch (want) {
    case LAKE_DISTCP_KEEP:
        *codec = first;
        snprintf(ext, DC_EXT_MAX, "%s", dc_codec_ext(first));
        break;
    case LAKE_DISTCP_NONE:
        *codec = LAKE_CODEC_NONE;
        snprintf(ext, DC_EXT_MAX, "%s", common);
        break;
    case LAKE_DISTCP_GZIP:
        *codec = LAKE_CODEC_GZIP;
        snprintf(ext, DC_EXT_MAX, "gz");
        break;
    case LAKE_DISTCP_ZSTD:
        *codec = LAKE_CODEC_ZSTD;
        snprintf(ext, DC_EXT_MAX, "zst");
        break;
    }
    return LAKE_OK;
}

static dc_part *add_part(dc_plan *p) {
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->parts = lake_xrealloc(p->parts, p->cap * sizeof *p->parts);
    }
    dc_part *part = &p->parts[p->n++];
    memset(part, 0, sizeof *part);
    return part;
}

typedef struct {
    const lake_obj_list *objs;
    const dc_plan_opts *o;
    dc_plan *plan;
    lake_smap names; /* outputs planned so far */
} planner;

/* The name of a part of group key starting at object `first`: grouped outputs take the first
 * index from *index on whose name is free (S3DistCp never overwrites a grouped output);
 * ungrouped ones keep their name, and two of them meeting is an error. */
static lake_rc name_part(planner *pl, const char *key, size_t first, unsigned *index,
                         const char *ext, dc_part *part, lake_error *err) {
    const char *src = pl->objs->items[first].key, *slash = strrchr(src, '/');
    char *dir = lake_xstrndup(src, slash ? (size_t)(slash - src + 1) : 0);
    uint64_t uid = pl->o->number_files ? pl->o->starting_index + first : UINT64_MAX;
    uint32_t v = 0;
    if (pl->o->keep_order)
        part->name = dc_order_name(src, ext);
    for (; !pl->o->keep_order;) {
        free(part->name);
        part->name = dc_output_name(key, dir, uid, *index, ext);
        uint32_t len = (uint32_t)strlen(part->name);
        bool taken = lake_smap_get(&pl->names, part->name, len, &v) ||
                     (pl->o->taken && lake_smap_get(pl->o->taken, part->name, len, &v));
        if (!taken || !pl->o->group_by)
            break;
        ++*index;
    }
    free(dir);
    const char *base = strrchr(part->name, '/');
    base = base ? base + 1 : part->name;
    if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
        return lake_error_set(err, LAKE_ERR_INVALID_ARG,
                              "%s: its group key '%s' gives its output no file name", src, key);
    v = (uint32_t)first;
    if (lake_smap_upsert(&pl->names, part->name, (uint32_t)strlen(part->name), &v))
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "%s and %s would both be copied to %s",
                              pl->objs->items[v].key, src, part->name);
    ++*index;
    return LAKE_OK;
}

/* Cuts the group order[0..n) into parts: a part closes once its bytes reach the target size
 * (objects are never split). */
static lake_rc plan_group(planner *pl, const char *key, const size_t *order, size_t n,
                          lake_error *err) {
    lake_codec codec = LAKE_CODEC_NONE;
    char ext[DC_EXT_MAX] = "";
    lake_rc rc = group_codec(pl->objs, order, n, pl->o->codec, &codec, ext, err);
    unsigned index = 0;
    size_t start = 0;
    uint64_t bytes = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        bytes += pl->objs->items[order[i]].size;
        bool full = pl->o->target_size && bytes >= pl->o->target_size;
        if (!full && i + 1 < n)
            continue;
        dc_part *part = add_part(pl->plan);
        part->order = order + start;
        part->n = i + 1 - start;
        part->codec = codec;
        part->bytes = bytes;
        rc = name_part(pl, key, order[start], &index, ext, part, err);
        start = i + 1;
        bytes = 0;
    }
    pl->plan->groups++;
    return rc;
}

lake_rc dc_plan_make(const lake_obj_list *objs, const dc_plan_opts *o, dc_plan *plan,
                     lake_error *err) {
    memset(plan, 0, sizeof *plan);
    group_keys g = {0};
    make_keys(objs, o, &g, plan);
    /* Kept in listing order, groups fall into runs of consecutive objects, each planned on
     * its own; sorted, each group is one run. */
    if (!o->keep_order)
        qsort_r(plan->order, plan->norder, sizeof *plan->order, by_key, &g);
    planner pl = {objs, o, plan, {0}};
    lake_smap_init(&pl.names);
    lake_rc rc = LAKE_OK;
    for (size_t i = 0; i < plan->norder && !rc;) {
        size_t j = i + 1;
        const char *key = g.keys[plan->order[i]];
        while (j < plan->norder && !strcmp(g.keys[plan->order[j]], key))
            j++;
        rc = plan_group(&pl, key, plan->order + i, j - i, err);
        i = j;
    }
    lake_smap_free(&pl.names);
    if (!rc && o->keep_order)
        rc = dc_plan_check_order(objs, plan, err);
    for (size_t i = 0; i < objs->n; i++)
        free(g.keys[i]);
    free(g.keys);
    if (rc)
        dc_plan_free(plan);
    return rc;
}

void dc_plan_free(dc_plan *p) {
    for (size_t i = 0; i < p->n; i++)
        free(p->parts[i].name);
    free(p->parts);
    free(p->order);
    memset(p, 0, sizeof *p);
}
