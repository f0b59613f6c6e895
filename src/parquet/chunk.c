/* Column chunk encoder (see chunk.h). */
#include "parquet/chunk.h"

#include "parquet/rle.h"
#include "parquet/thrift.h"

#include <stdlib.h>
#include <string.h>

/* PLAIN values are the host's bytes copied as they are. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "PLAIN encoding assumes little endian");

void pq_scratch_init(pq_scratch *sc) {
    sc->levels = lake_xmalloc(PQ_PAGE_MAX_ROWS * sizeof *sc->levels);
    lake_buf_init(&sc->values);
    lake_buf_init(&sc->page);
    lake_buf_init(&sc->comp);
}

void pq_scratch_free(pq_scratch *sc) {
    free(sc->levels);
    sc->levels = NULL;
    lake_buf_free(&sc->values);
    lake_buf_free(&sc->page);
    lake_buf_free(&sc->comp);
}

static void append_value(lake_buf *b, const lake_col *c, size_t r) {
    switch (c->type) {
    case LAKE_T_INT32:
        lake_buf_append(b, &c->v.i32[r], 4);
        break;
    case LAKE_T_INT64:
    case LAKE_T_TIMESTAMP_US:
        lake_buf_append(b, &c->v.i64[r], 8);
        break;
    case LAKE_T_DOUBLE:
        lake_buf_append(b, &c->v.f64[r], 8);
        break;
    case LAKE_T_STRING: {
        uint32_t len = c->v.str[r].len;
        lake_buf_append(b, &len, 4);
        lake_buf_append(b, c->v.str[r].ptr, len);
        break;
    }
    }
}

/* Fills sc->levels and sc->values with the rows of one page starting at position pos; returns
 * the position after the page's last row. */
static size_t gather_page(const lake_col *col, const uint32_t *rows, size_t pos, size_t end,
                          pq_scratch *sc, pq_stats *st) {
    size_t k = 0;
    lake_buf_resize(&sc->values, 0);
    for (; pos < end && k < PQ_PAGE_MAX_ROWS && sc->values.len < PQ_PAGE_MAX_BYTES; pos++, k++) {
        size_t r = rows ? rows[pos] : pos;
        sc->levels[k] = col->valid[r] ? 1 : 0;
        if (!col->valid[r]) {
            pq_stats_null(st);
            continue;
        }
        append_value(&sc->values, col, r);
        pq_stats_add(st, col, r);
    }
    return pos;
}

static void write_page_header(lake_buf *out, int32_t nvalues, size_t raw, size_t comp) {
    pq_tc w;
    pq_tc_init(&w, out);
    pq_tc_struct_begin(&w);
    pq_tc_field_i32(&w, 1, PQ_PAGE_DATA);
    pq_tc_field_i32(&w, 2, (int32_t)raw);
    pq_tc_field_i32(&w, 3, (int32_t)comp);
    pq_tc_field_struct(&w, 5); /* DataPageHeader */
    pq_tc_field_i32(&w, 1, nvalues);
    pq_tc_field_i32(&w, 2, PQ_ENC_PLAIN);
    pq_tc_field_i32(&w, 3, PQ_ENC_RLE); /* definition levels */
    pq_tc_field_i32(&w, 4, PQ_ENC_RLE); /* repetition levels (none: max level 0) */
    pq_tc_struct_end(&w);
    pq_tc_struct_end(&w);
}

/* Compresses the page body in sc->page and appends header and body to out. */
static lake_rc emit_page(size_t nvalues, lake_codec codec, int level, pq_scratch *sc, lake_buf *out,
                         pq_chunk *ch, lake_error *err) {
    const lake_buf *body = &sc->page;
    if (codec != LAKE_CODEC_NONE) {
        lake_buf_resize(&sc->comp, 0);
        lake_rc rc = lake_compress(codec, level, sc->page.data, sc->page.len, &sc->comp, err);
        if (rc)
            return rc;
        body = &sc->comp;
    }
    if (sc->page.len > INT32_MAX || body->len > INT32_MAX)
        return lake_error_set(err, LAKE_ERR_LIMIT, "page of %zu bytes exceeds 2 GiB", sc->page.len);
    size_t start = out->len;
    write_page_header(out, (int32_t)nvalues, sc->page.len, body->len);
    size_t hdr = out->len - start;
    lake_buf_append(out, body->data, body->len);
    ch->uncompressed_size += (int64_t)(hdr + sc->page.len);
    ch->compressed_size += (int64_t)(hdr + body->len);
    ch->data_pages++;
    return LAKE_OK;
}

lake_rc pq_chunk_encode(const lake_col *col, const uint32_t *rows, size_t begin, size_t end,
                        lake_codec codec, int level, pq_scratch *sc, lake_buf *out, pq_chunk *ch,
                        lake_error *err) {
    size_t start = out->len;
    memset(ch, 0, sizeof *ch);
    pq_stats_init(&ch->stats, col->type);
    ch->dict_page_offset = -1;
    /* A dictionary page, once dictionary encoding exists, goes here: before the first data page,
     * with dict_page_offset set and the data pages switched to RLE_DICTIONARY. */
    ch->data_page_offset = (int64_t)(out->len - start);
    ch->encodings = 1u << PQ_ENC_PLAIN | 1u << PQ_ENC_RLE;
    for (size_t pos = begin; pos < end;) {
        size_t next = gather_page(col, rows, pos, end, sc, &ch->stats);
        lake_buf_resize(&sc->page, 0);
        pq_rle_def_levels(sc->levels, next - pos, &sc->page);
        lake_buf_append(&sc->page, sc->values.data, sc->values.len);
        lake_rc rc = emit_page(next - pos, codec, level, sc, out, ch, err);
        if (rc)
            return rc;
        ch->num_values += (int64_t)(next - pos);
        pos = next;
    }
    return LAKE_OK;
}
