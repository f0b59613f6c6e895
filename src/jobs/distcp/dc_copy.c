/* Writing one output: its objects fetched in batches (many requests in flight on S3), each
 * decompressed when the output's compression differs from its own, a newline put between two
 * objects where the first does not end with one (unless --raw-concat; an output of one object is
 * its copy), and the bytes compressed in blocks:
 * a gzip output is a series of gzip members, a zstd output a series of frames, each of up to
 * DC_BLOCK input bytes, which every gzip and zstd reader reads as one stream. */
#include "codec/inflate.h"
#include "engine/commit/commit.h"
#include "engine/ingest/worker.h"
#include "jobs/distcp/dc_job.h"

#include <stdlib.h>
#include <string.h>

/* Plain bytes compressed at once: large enough for a good ratio, small enough to hold per
 * thread. */
#define DC_BLOCK ((size_t)8 << 20)

typedef struct {
    const dc_copy_ctx *c;
    const dc_part *p;
    lake_store_writer *w;
    lake_buf held;   /* plain bytes waiting to be compressed */
    lake_buf plain;  /* an object's decompressed bytes */
    lake_buf packed; /* a compressed block */
    bool open_line;  /* the content so far does not end with a newline */
} part_out;

static lake_rc put_raw(part_out *o, const void *data, size_t len, lake_error *err) {
    return len ? lake_store_writer_write(o->w, data, len, err) : LAKE_OK;
}

/* Compresses what is held as one member (frame) and writes it. */
static lake_rc flush_held(part_out *o, lake_error *err) {
    if (!o->held.len)
        return LAKE_OK;
    o->packed.len = 0;
    lake_rc rc = lake_compress(o->p->codec, 0, o->held.data, o->held.len, &o->packed, err);
    if (!rc)
        rc = put_raw(o, o->packed.data, o->packed.len, err);
    o->held.len = 0;
    return rc;
}

/* Plain bytes for the output: written as they are, or held for compression. */
static lake_rc put_plain(part_out *o, const void *data, size_t len, lake_error *err) {
    if (o->p->codec == LAKE_CODEC_NONE)
        return put_raw(o, data, len, err);
    lake_buf_append(&o->held, data, len);
    return o->held.len >= DC_BLOCK ? flush_held(o, err) : LAKE_OK;
}

/* Before each object but the first: the newline the previous one lacked. */
static lake_rc close_line(part_out *o, lake_error *err) {
    bool open = o->open_line;
    o->open_line = false;
    return open && !o->c->raw_concat ? put_plain(o, "\n", 1, err) : LAKE_OK;
}

static void note_end(part_out *o, const uint8_t *plain, size_t len) {
    if (len)
        o->open_line = plain[len - 1] != '\n';
}

/* Decompresses data (compressed with codec) into o->plain. */
static lake_rc inflate_to(part_out *o, lake_codec codec, const uint8_t *data, size_t len,
                          lake_error *err) {
    int did = 0;
    o->plain.len = 0;
    return lake_inflate_auto(codec == LAKE_CODEC_GZIP ? "x.gz" : "x.zst", data, len, &o->plain,
                             &did, err);
}

/* An object compressed as the output is: its bytes go through unchanged (concatenated gzip
 * members and zstd frames are one stream); its content is read only to learn whether it ends
 * with a newline (--raw-concat skips that). */
static lake_rc put_same(part_out *o, const uint8_t *data, size_t len, lake_error *err) {
    lake_rc rc = flush_held(o, err);
    if (!rc && !o->c->raw_concat && (rc = inflate_to(o, o->p->codec, data, len, err)) == LAKE_OK)
        note_end(o, o->plain.data, o->plain.len);
    return rc ? rc : put_raw(o, data, len, err);
}

static lake_rc put_object(part_out *o, const char *key, const uint8_t *data, size_t len,
                          lake_error *err) {
    lake_codec in = dc_codec_of(key);
    lake_rc rc = close_line(o, err);
    if (rc)
        return rc;
    if (in == o->p->codec && in != LAKE_CODEC_NONE)
        return put_same(o, data, len, err);
    if (in != LAKE_CODEC_NONE) {
        if ((rc = inflate_to(o, in, data, len, err)) != LAKE_OK)
            return rc;
        data = o->plain.data;
        len = o->plain.len;
    }
    note_end(o, data, len);
    return put_plain(o, data, len, err);
}

/* Objects [i, end) of the part fetched together: at most ENG_BATCH_OBJECTS of them and
 * ENG_BATCH_BYTES (or one larger object), as the engine's scan batches them. */
static size_t batch_end(const part_out *o, size_t i) {
    const lake_obj_list *objs = o->c->objs;
    size_t end = i + 1;
    uint64_t bytes = objs->items[o->p->order[i]].size;
    while (end < o->p->n && end - i < ENG_BATCH_OBJECTS &&
           bytes + objs->items[o->p->order[end]].size <= ENG_BATCH_BYTES)
        bytes += objs->items[o->p->order[end++]].size;
    return end;
}

static lake_rc copy_batch(part_out *o, size_t i, size_t end, lake_buf *raw, lake_error *errs,
                          lake_error *err) {
    const char *keys[ENG_BATCH_OBJECTS];
    const lake_obj_list *objs = o->c->objs;
    for (size_t k = i; k < end; k++) {
        keys[k - i] = objs->items[o->p->order[k]].key;
        raw[k - i].len = 0;
        errs[k - i].rc = LAKE_OK;
    }
    lake_rc rc = lake_store_get_many(o->c->in, keys, end - i, raw, errs);
    if (rc) { /* the first object that failed names the error */
        size_t k = 0;
        while (k + 1 < end - i && !errs[k].rc)
            k++;
        if (errs[k].rc)
            *err = errs[k];
        else
            lake_error_set(err, rc, "%s", lake_strerror(rc));
        err->rc = rc;
        return lake_error_prefix(err, "reading %s: ", keys[k]);
    }
    for (size_t k = i; k < end && !rc; k++) {
        if ((rc = put_object(o, keys[k - i], raw[k - i].data, raw[k - i].len, err)) != LAKE_OK)
            lake_error_prefix(err, "copying %s: ", keys[k - i]);
        lake_progress_add(o->c->progress, 1, objs->items[o->p->order[k]].size, 0, 0);
    }
    return rc;
}

static lake_rc copy_objects(part_out *o, lake_error *err) {
    lake_buf *raw = lake_xcalloc(ENG_BATCH_OBJECTS, sizeof *raw);
    lake_error *errs = lake_xcalloc(ENG_BATCH_OBJECTS, sizeof *errs);
    lake_rc rc = LAKE_OK;
    for (size_t i = 0; i < o->p->n && !rc;) {
        size_t end = batch_end(o, i);
        rc = copy_batch(o, i, end, raw, errs, err);
        i = end;
    }
    if (!rc)
        rc = flush_held(o, err);
    for (size_t k = 0; k < ENG_BATCH_OBJECTS; k++)
        lake_buf_free(&raw[k]);
    free(raw);
    free(errs);
    return rc;
}

lake_rc dc_copy_part(const dc_copy_ctx *c, const dc_part *p, dc_written *w, lake_error *err) {
    part_out o = {c, p, NULL, {0}, {0}, {0}, false};
    w->key = lake_xconcat(c->staging, p->name);
    lake_rc rc = lake_store_writer_open(c->out, w->key, c->write_flags, &o.w, err);
    if (rc) {
        lake_error_prefix(err, "writing %s: ", p->name);
        goto out;
    }
    rc = copy_objects(&o, err);
    if (rc) {
        lake_store_writer_abort(o.w);
        goto out;
    }
    w->bytes = lake_store_writer_size(o.w);
    if ((rc = eng_commit_writer_end(c->write_flags, o.w, &w->pending, err)) != LAKE_OK)
        lake_error_prefix(err, "writing %s: ", p->name);
    else
        lake_progress_add(c->progress, 0, 0, 0, 1);
out:
    lake_buf_free(&o.held);
    lake_buf_free(&o.plain);
    lake_buf_free(&o.packed);
    return rc;
}
