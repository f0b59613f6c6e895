/* The one reading loop of the pipeline: batches of objects fetched together (so an object store
 * can have many requests in flight), each decompressed by extension and handed to the JSON
 * extractor, on a pool of workers. */
#include "base/pool.h"
#include "codec/inflate.h"
#include "engine/ingest/scan.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    size_t start, end; /* objects [start, end) of the listing */
} scan_batch;

typedef struct {
    lake_store *in;
    eng_input *input;
    eng_worker *workers;
    lj_on_record on_record;
    void *job;
    const char *what;
    scan_batch *batches;
    size_t nbatches;
    lake_first_error first;
    bool can_map;
} scan_job;

static bool has_compressed(const lake_obj_list *objs, const scan_batch *b) {
    for (size_t i = b->start; i < b->end; i++)
        if (lake_inflate_named(objs->items[i].key))
            return true;
    return false;
}

/* Batches of a compressed object go first, the others keep listing order. A compressed log
 * costs several times its stored size (the L data's one .gz day: 3.2 MB stored, 45 MB of JSON,
 * inflated by one thread): taken last, it kept one core idle at the end of the stage. */
static void compressed_first(const lake_obj_list *objs, scan_batch *b, size_t n) {
    scan_batch *rest = lake_xcalloc(n + 1, sizeof *rest);
    size_t k = 0, r = 0;
    for (size_t i = 0; i < n; i++) {
        if (has_compressed(objs, &b[i]))
            b[k++] = b[i];
        else
            rest[r++] = b[i];
    }
    memcpy(b + k, rest, r * sizeof *rest);
    free(rest);
}

/* The objects and bytes this process reads, for the progress counters. */
static void plan_progress(const eng_input *input, size_t lo, size_t end) {
    uint64_t bytes = 0;
    for (size_t i = lo; i < end; i++)
        bytes += input->objs.items[i].size;
    lake_progress_plan(input->progress, end - lo, bytes, 0);
}

static size_t plan_batches(const eng_input *input, scan_batch **out) {
    const lake_obj_list *objs = &input->objs;
    size_t i = input->lo, end = input->hi ? input->hi : objs->n, n = 0;
    scan_batch *b = lake_xcalloc(end - i + 1, sizeof *b);
    while (i < end) {
        size_t start = i;
        uint64_t bytes = objs->items[i++].size;
        while (i < end && i - start < ENG_BATCH_OBJECTS &&
               bytes + objs->items[i].size <= ENG_BATCH_BYTES)
            bytes += objs->items[i++].size;
        b[n++] = (scan_batch){start, i};
    }
    plan_progress(input, input->lo, end);
    compressed_first(objs, b, n);
    *out = b;
    return n;
}

/* Keeps only a window of a mapped object in memory as the parser moves through it. */
static void advance(eng_scan_file *f, const lj_record *rec) {
    if (f->view)
        lake_view_advance(f->view, (size_t)((const uint8_t *)rec->raw - f->view->data));
}

static int scan_record(void *ctx, const lj_record *rec, const lj_value *vals) {
    eng_scan_file *f = ctx;
    advance(f, rec);
    lj_record r = *rec;
    r.line += f->line_base; /* a chunk of a compressed object starts further down */
    int rc = f->on_record(f, &r, vals);
    f->rec++;
    f->w->records++;
    return rc;
}

static int scan_bad(void *ctx, const lj_record *rec, const char *reason) {
    eng_scan_file *f = ctx;
    advance(f, rec);
    eng_reject_add(f->w, f->source, f->obj, f->line_base + rec->line, reason, rec->raw,
                   rec->raw_len);
    f->rec++;
    f->w->records++;
    return 0;
}

/* ---- compressed objects, a chunk at a time ---- */

/* Decompressed bytes are parsed once ENG_INFLATE_CHUNK of them are held, up to the last newline
 * between two records; the rest waits for more. So a compressed log costs a chunk of memory, not
 * its decompressed size (90 MB for one day at 2xL). */
#define ENG_INFLATE_CHUNK ((size_t)8 << 20)

/* Where records may be cut apart: a scan of the decoded bytes that follows strings and nesting.
 * A raw newline inside a string cannot be valid JSON; there the scan starts over at depth 0, as
 * the extractor resumes at the next line. */
typedef struct {
    eng_scan_file *f;
    lj_extractor *json;
    size_t seen; /* bytes after start already scanned */
    size_t cut;  /* bytes after start up to the last newline between records (0: none) */
    uint32_t depth;
    bool in_str, esc;
} chunk_scan;

/* The bytes scan_cuts acts on; every other byte is skipped by one table load. */
enum { CUT_QUOTE = 1, CUT_ESCAPE, CUT_OPEN, CUT_CLOSE, CUT_NEWLINE };
static const uint8_t cut_class[256] = {
    ['"'] = CUT_QUOTE, ['\\'] = CUT_ESCAPE, ['{'] = CUT_OPEN,     ['['] = CUT_OPEN,
    ['}'] = CUT_CLOSE, [']'] = CUT_CLOSE,   ['\n'] = CUT_NEWLINE,
};

static void scan_cuts(chunk_scan *c, const uint8_t *p, size_t n) {
    for (size_t i = c->seen; i < n; i++) {
        if (c->esc) { /* the byte after a backslash in a string */
            c->esc = false;
            continue;
        }
        uint8_t k = cut_class[p[i]];
        if (!k)
            continue;
        if (c->in_str) {
            if (k == CUT_ESCAPE)
                c->esc = true;
            else if (k == CUT_QUOTE)
                c->in_str = false;
            else if (k == CUT_NEWLINE)
                c->in_str = false, c->depth = 0;
        } else if (k == CUT_QUOTE) {
            c->in_str = true;
        } else if (k == CUT_OPEN) {
            c->depth++;
        } else if (k == CUT_CLOSE) {
            c->depth -= c->depth > 0;
        } else if (k == CUT_NEWLINE && c->depth == 0 && i + 1 < n && p[i + 1] != 0xEF) {
            c->cut = i + 1; /* (not before a byte order mark, which only starts an object) */
        }
    }
    c->seen = n;
}

static uint64_t count_lines(const uint8_t *p, size_t n) {
    uint64_t lines = 0;
    for (const uint8_t *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        lines++;
    return lines;
}

/* Parses out[start, start + n) with zero padding after it (the bytes there are saved and put
 * back), then drops it from the buffer. */
static lake_rc parse_prefix(chunk_scan *c, lake_buf *out, size_t start, size_t n, lake_error *err) {
    uint8_t *p = out->data + start, saved[LAKE_BUF_PADDING];
    memcpy(saved, p + n, LAKE_BUF_PADDING);
    memset(p + n, 0, LAKE_BUF_PADDING);
    lake_rc rc = lj_extract(c->json, (const char *)p, n, scan_record, scan_bad, c->f, err);
    memcpy(p + n, saved, LAKE_BUF_PADDING);
    if (rc)
        return rc;
    c->f->line_base += count_lines(p, n);
    size_t rest = out->len - start - n;
    memmove(p, p + n, rest);
    lake_buf_resize(out, start + rest);
    c->seen -= n;
    c->cut = 0;
    return LAKE_OK;
}

static lake_rc on_chunk(void *ud, lake_buf *out, size_t start, bool last, lake_error *err) {
    chunk_scan *c = ud;
    const uint8_t *p = out->data + start;
    size_t n = out->len - start;
    if (last)
        return lj_extract(c->json, (const char *)p, n, scan_record, scan_bad, c->f, err);
    scan_cuts(c, p, n);
    return c->cut ? parse_prefix(c, out, start, c->cut, err) : LAKE_OK;
}

static lake_rc scan_bytes(scan_job *j, size_t obj, unsigned worker, const uint8_t *data, size_t len,
                          lake_view *view, lake_error *err) {
    eng_worker *w = &j->workers[worker];
    const lake_obj *o = &j->input->objs.items[obj];
    eng_scan_file f = {w, worker, o->key, (uint32_t)obj, 0, j->job, j->on_record, NULL, 0};
    chunk_scan c = {&f, w->json, 0, 0, 0, false, false};
    int inflated = 0;
    lake_buf_resize(&w->inflated, 0);
    lake_rc rc = lake_inflate_auto_stream(o->key, data, len, &w->inflated, &inflated,
                                          ENG_INFLATE_CHUNK, on_chunk, &c, err);
    if (rc || inflated)
        return rc;
    f.view = view; /* plain bytes are parsed in place, a mapped object a window at a time */
    return lj_extract(w->json, (const char *)data, len, scan_record, scan_bad, &f, err);
}

/* Large local files are parsed where the page cache holds them (no copy into a buffer). */
static bool use_view(const scan_job *j, size_t obj) {
    return j->can_map && j->input->objs.items[obj].size >= LAKE_VIEW_MIN_BYTES;
}

/* Was the object read while it was listed (lake_store_list_read)? */
static bool listed_with_data(const scan_job *j, size_t obj) {
    return j->input->objs.items[obj].data != NULL;
}

static lake_rc scan_view(scan_job *j, size_t obj, unsigned worker, lake_error *err) {
    lake_view v;
    lake_rc rc = lake_store_map(j->in, j->input->objs.items[obj].key, &v, err);
    if (!rc)
        rc = scan_bytes(j, obj, worker, v.data, v.len, &v, err);
    lake_view_release(&v);
    return rc;
}

/* Fetches the batch's objects that are not mapped, together; on failure *at is the index in
 * the batch of the object that failed. */
static lake_rc fetch_batch(scan_job *j, const scan_batch *b, unsigned worker, size_t *at,
                           lake_error *err) {
    eng_worker *w = &j->workers[worker];
    const char *keys[ENG_BATCH_OBJECTS] = {0};
    size_t where[ENG_BATCH_OBJECTS], n = 0;
    for (size_t k = 0; k < b->end - b->start; k++) {
        if (use_view(j, b->start + k) || listed_with_data(j, b->start + k))
            continue;
        where[n] = k;
        keys[n] = j->input->objs.items[b->start + k].key;
        w->raw[n].len = 0;
        w->errs[n++].rc = LAKE_OK;
    }
    if (n == 0)
        return LAKE_OK;
    lake_rc rc = lake_store_get_many(j->in, keys, n, w->raw, w->errs);
    if (!rc)
        return LAKE_OK;
    size_t g = 0;
    while (g < n && w->errs[g].rc == LAKE_OK)
        g++;
    if (g < n)
        *err = w->errs[g], *at = where[g];
    else
        lake_error_set(err, rc, "%s", lake_strerror(rc)), *at = 0;
    return rc;
}

static lake_rc scan_one(scan_job *j, size_t obj, unsigned worker, size_t *got, lake_error *err) {
    if (use_view(j, obj))
        return scan_view(j, obj, worker, err);
    if (listed_with_data(j, obj)) {
        const lake_obj *o = &j->input->objs.items[obj];
        return scan_bytes(j, obj, worker, o->data, (size_t)o->size, NULL, err);
    }
    const lake_buf *raw = &j->workers[worker].raw[(*got)++];
    return scan_bytes(j, obj, worker, raw->data, raw->len, NULL, err);
}

/* A failure does not stop the pool: batches are not taken in listing order (compressed_first),
 * so the batches listed before a failed object are still read, and the error reported is that
 * of the first object in listing order that failed. Batches listed after it are skipped. */
static int scan_task(void *ctx, size_t i, unsigned worker) {
    scan_job *j = ctx;
    const scan_batch *b = &j->batches[i];
    if (lake_first_error_before(&j->first, b->start))
        return 0;
    lake_error err = {0};
    size_t at = 0, got = 0;
    lake_rc rc = fetch_batch(j, b, worker, &at, &err);
    if (!rc)
        for (at = 0; at < b->end - b->start; at++) {
            if ((rc = scan_one(j, b->start + at, worker, &got, &err)) != LAKE_OK)
                break;
            lake_progress_add(j->input->progress, 1, j->input->objs.items[b->start + at].size, 0,
                              0);
        }
    if (rc) {
        lake_error_prefix(&err, "reading %s object %s: ", j->what,
                          j->input->objs.items[b->start + at].key);
        err.rc = rc;
        lake_first_error_offer(&j->first, b->start + at, &err);
    }
    return 0;
}

lake_rc eng_scan(lake_store *in, eng_input *input, unsigned threads, eng_worker *workers,
                 lj_on_record on_record, void *job, const char *what, lake_error *err) {
    scan_job j = {in, input, workers, on_record, job, what, NULL, 0, {0}, lake_store_can_map(in)};
    j.nbatches = plan_batches(input, &j.batches);
    lake_first_error_init(&j.first);
    lake_parallel_for(threads, j.nbatches, scan_task, &j);
    /* The bytes read while listing are dropped once the scan is over (records keep copies of
     * what they use), on this thread: they were allocated by the listing's threads, and freeing
     * each object's bytes on the worker that parsed it made the two workers queue on those
     * threads' malloc arena locks (at M, 154 of 813 context switches were waits in free; the
     * songs stage took 0.019 s, 0.015 s with the frees here). The listing's read budget bounds
     * what is held. */
    lake_obj_list_drop_data(&input->objs);
    lake_rc rc = LAKE_OK;
    if (j.first.set) {
        *err = j.first.err;
        rc = err->rc ? err->rc : LAKE_ERR_IO;
    }
    lake_first_error_free(&j.first);
    free(j.batches);
    return rc;
}
