/* Writing one generated object, compressed by its key's extension. */
#include "gen/gen_model.h"
#include "lake/codec.h"

#include <string.h>

/* The levels are part of the output: the .gz and .zst objects' bytes depend on them (zlib writes
 * mtime 0 in the gzip header, so they are reproducible). */
enum { GEN_GZIP_LEVEL = 6, GEN_ZSTD_LEVEL = 3 };

/* Counts an object written (its `records` records and n bytes) under its dataset. */
static void count_object(lake_gen_stats *st, const char *key, uint64_t records, size_t n) {
    bool songs = strncmp(key, "song_data/", 10) == 0;
    *(songs ? &st->song_files : &st->log_files) += 1;
    *(songs ? &st->song_records : &st->events) += records;
    st->bytes += n;
}

lake_rc gen_put_object(gen_ctx *c, const char *key, uint64_t records, lake_error *err) {
    lake_buf *src = &c->buf;
    lake_rc rc = LAKE_OK;
    bool gz = lake_ends_with(key, ".gz"), zst = lake_ends_with(key, ".zst");
    if (gz || zst) {
        lake_buf_resize(&c->zbuf, 0);
        rc = lake_compress(gz ? LAKE_CODEC_GZIP : LAKE_CODEC_ZSTD,
                           gz ? GEN_GZIP_LEVEL : GEN_ZSTD_LEVEL, c->buf.data, c->buf.len, &c->zbuf,
                           err);
        src = &c->zbuf;
    }
    if (!rc)
        rc = lake_store_put(c->out, key, src->data, src->len, err);
    if (!rc)
        count_object(c->stats, key, records, src->len);
    return rc;
}
