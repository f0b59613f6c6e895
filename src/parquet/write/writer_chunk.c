/* Column chunk encoder (see writer_chunk.h). */
#include "parquet/write/writer_chunk.h"
#include "base/civil.h"

#include "parquet/write/writer_delta.h"
#include "parquet/write/writer_rle.h"
#include "parquet/write/writer_thrift.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* PLAIN values are the host's bytes copied as they are. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "PLAIN encoding assumes little endian");

/* Julian day number of 1970-01-01, for INT96 timestamps. */
#define JULIAN_EPOCH_DAY 2440588
#define US_PER_DAY INT64_C(86400000000)

enum { BOUNDARY_UNORDERED = 0, BOUNDARY_ASCENDING = 1, BOUNDARY_DESCENDING = 2 };

void pq_coldesc_init(pq_coldesc *d, const lake_col *c, pq_ts_type ts) {
    d->col = c;
    d->ts = ts;
    switch (c->type) {
    case LAKE_T_INT32:
        d->phys = PQ_PHYS_INT32;
        break;
    case LAKE_T_INT64:
        d->phys = PQ_PHYS_INT64;
        break;
    case LAKE_T_DOUBLE:
        d->phys = PQ_PHYS_DOUBLE;
        break;
    case LAKE_T_STRING:
        d->phys = PQ_PHYS_BYTE_ARRAY;
        break;
    case LAKE_T_TIMESTAMP_US:
        d->phys = ts == PQ_TS_INT96 ? PQ_PHYS_INT96 : PQ_PHYS_INT64;
        break;
    }
}

void pq_scratch_init(pq_scratch *sc) {
    memset(sc, 0, sizeof *sc);
}

void pq_scratch_free(pq_scratch *sc) {
    lake_buf_free(&sc->page);
    lake_buf_free(&sc->comp);
    lake_buf_free(&sc->hdr);
    memset(sc, 0, sizeof *sc);
}

size_t pq_scratch_bytes(const pq_scratch *sc) {
    return sc->page.cap + sc->comp.cap + sc->hdr.cap;
}

void pq_chunk_init(pq_chunk *ch) {
    memset(ch, 0, sizeof *ch);
    ch->dict_page_offset = -1;
    ch->column_index_offset = ch->offset_index_offset = -1;
}

void pq_chunk_free(pq_chunk *ch) {
    free(ch->pages);
    lake_buf_free(&ch->bounds);
    memset(ch, 0, sizeof *ch);
}

/* The PLAIN bytes of row r's value (byte arrays without their length prefix); *p points either
 * into the column or into tmp. Returns the length. */
static uint32_t get_value(const pq_coldesc *d, size_t r, uint8_t tmp[12], const uint8_t **p) {
    const lake_col *c = d->col;
    switch (c->type) {
    case LAKE_T_INT32:
        *p = (const uint8_t *)&c->v.i32[r];
        return 4;
    case LAKE_T_INT64:
        *p = (const uint8_t *)&c->v.i64[r];
        return 8;
    case LAKE_T_DOUBLE:
        *p = (const uint8_t *)&c->v.f64[r];
        return 8;
    case LAKE_T_STRING:
        /* Never NULL, even for an empty value, so memcmp/memcpy stay defined. */
        *p = c->v.str[r].len ? (const uint8_t *)c->v.str[r].ptr : (const uint8_t *)"";
        return c->v.str[r].len;
    case LAKE_T_TIMESTAMP_US:
        break;
    }
    int64_t us = c->v.i64[r];
    if (d->ts == PQ_TS_MICROS) {
        *p = (const uint8_t *)&c->v.i64[r];
        return 8;
    }
    *p = tmp;
    if (d->ts == PQ_TS_MILLIS) {
        int64_t ms = lake_floor_div(us, 1000); /* as Spark's microsToMillis */
        memcpy(tmp, &ms, 8);
        return 8;
    }
    int64_t days = lake_floor_div(us, US_PER_DAY);
    int64_t nanos = (us - days * US_PER_DAY) * 1000;
    int32_t jd = (int32_t)(days + JULIAN_EPOCH_DAY);
    memcpy(tmp, &nanos, 8);
    memcpy(tmp + 8, &jd, 4);
    return 12;
}

static int64_t int_of(const uint8_t *p, pq_phys phys) {
    if (phys == PQ_PHYS_INT32) {
        int32_t x;
        memcpy(&x, p, 4);
        return x;
    }
    int64_t x;
    memcpy(&x, p, 8);
    return x;
}

/* ---- page output ---- */

static void write_page_header(lake_buf *out, int type, size_t raw, size_t comp, const uint32_t *crc,
                              int32_t nvalues, int enc, const pq_stats *st) {
    pq_tc w;
    pq_tc_init(&w, out);
    pq_tc_struct_begin(&w);
    pq_tc_field_i32(&w, 1, type);
    pq_tc_field_i32(&w, 2, (int32_t)raw);
    pq_tc_field_i32(&w, 3, (int32_t)comp);
    if (crc)
        pq_tc_field_i32(&w, 4, (int32_t)*crc);
    if (type == PQ_PAGE_DATA) {
        pq_tc_field_struct(&w, 5); /* DataPageHeader */
        pq_tc_field_i32(&w, 1, nvalues);
        pq_tc_field_i32(&w, 2, enc);
        pq_tc_field_i32(&w, 3, PQ_ENC_RLE); /* definition levels */
        pq_tc_field_i32(&w, 4, PQ_ENC_RLE); /* repetition levels (none: max level 0) */
        if (st)
            pq_stats_write(st, &w, 5);
        pq_tc_struct_end(&w);
    } else {
        pq_tc_field_struct(&w, 7); /* DictionaryPageHeader */
        pq_tc_field_i32(&w, 1, nvalues);
        pq_tc_field_i32(&w, 2, PQ_ENC_PLAIN);
        pq_tc_struct_end(&w);
    }
    pq_tc_struct_end(&w);
}

/* Compresses raw and appends header and body to out; *size gets header + body length. */
static lake_rc emit_page(int type, int32_t nvalues, int enc, const pq_stats *st,
                         const lake_buf *raw, const pq_enc_opts *o, pq_scratch *sc, lake_buf *out,
                         pq_chunk *ch, size_t *size, lake_error *err) {
    const lake_buf *body = raw;
    if (o->codec != LAKE_CODEC_NONE) {
        lake_buf_resize(&sc->comp, 0);
        lake_rc rc = lake_compress(o->codec, o->level, raw->data, raw->len, &sc->comp, err);
        if (rc)
            return rc;
        body = &sc->comp;
    }
    if (raw->len > INT32_MAX || body->len > INT32_MAX)
        return lake_error_set(err, LAKE_ERR_LIMIT, "page of %zu bytes exceeds 2 GiB", raw->len);
    /* The CRC covers the page as written after the header: the compressed body. */
    uint32_t crc =
        (uint32_t)crc32(0L, body->len ? body->data : (const uint8_t *)"", (uInt)body->len);
    lake_buf_resize(&sc->hdr, 0);
    write_page_header(&sc->hdr, type, raw->len, body->len, o->crc ? &crc : NULL, nvalues, enc, st);
    lake_buf_append(out, sc->hdr.data, sc->hdr.len);
    lake_buf_append(out, body->data, body->len);
    ch->uncompressed_size += (int64_t)(sc->hdr.len + raw->len);
    ch->compressed_size += (int64_t)(sc->hdr.len + body->len);
    *size = sc->hdr.len + body->len;
    return LAKE_OK;
}

/* ---- page index bounds ---- */

/* Length of the longest prefix of p[0..len) of at most max bytes that ends on a UTF-8 character
 * boundary (0 if there is none). */
static size_t utf8_cut(const uint8_t *p, size_t len, size_t max) {
    if (len <= max)
        return len;
    size_t cut = max;
    while (cut > 0 && (p[cut] & 0xC0) == 0x80)
        cut--;
    return cut;
}

/* Appends the page's bound to ch->bounds, truncating long byte arrays: a lower bound to a
 * prefix, an upper bound to a prefix whose last ASCII byte is incremented (still valid UTF-8,
 * still above every value). A bound that cannot be shortened is kept whole. */
static void add_bound(pq_chunk *ch, const pq_stats *ps, int is_max, uint32_t *off, uint32_t *len) {
    size_t at = ch->bounds.len;
    size_t n = pq_stats_bound(ps, is_max, &ch->bounds);
    *off = (uint32_t)at;
    *len = (uint32_t)n;
    if (ps->phys != PQ_PHYS_BYTE_ARRAY || n <= PQ_INDEX_TRUNCATE)
        return;
    uint8_t *p = ch->bounds.data + at;
    size_t cut = utf8_cut(p, n, PQ_INDEX_TRUNCATE);
    if (!is_max) {
        if (cut > 0)
            *len = (uint32_t)cut;
    } else {
        size_t j = cut;
        while (j > 0 && p[j - 1] >= 0x7F)
            j--;
        if (j > 0) {
            p[j - 1]++;
            *len = (uint32_t)j;
        }
    }
    lake_buf_resize(&ch->bounds, at + *len);
}

static void add_page_rec(pq_chunk *ch, const pq_stats *ps, int64_t offset, size_t size,
                         int64_t first_row) {
    if (ch->npages == ch->pages_cap) {
        ch->pages_cap = ch->pages_cap ? ch->pages_cap * 2 : 8;
        ch->pages = lake_xrealloc(ch->pages, ch->pages_cap * sizeof *ch->pages);
    }
    pq_page_rec *pr = &ch->pages[ch->npages++];
    memset(pr, 0, sizeof *pr);
    pr->offset = offset;
    pr->size = (int32_t)size;
    pr->first_row = first_row;
    pr->null_count = ps->null_count;
    pr->nan_count = ps->nan_count;
    pr->null_page = ps->values == 0;
    if (pr->null_page)
        return;
    if (!ps->has_minmax) { /* all NaN, or INT96: no ColumnIndex may be written */
        ch->column_index = false;
        return;
    }
    add_bound(ch, ps, 0, &pr->min_off, &pr->min_len);
    add_bound(ch, ps, 1, &pr->max_off, &pr->max_len);
}

static void set_boundary_order(pq_chunk *ch) {
    bool asc = true, desc = true;
    const pq_page_rec *prev = NULL;
    for (size_t i = 0; i < ch->npages; i++) {
        const pq_page_rec *pr = &ch->pages[i];
        if (pr->null_page)
            continue;
        if (prev) {
            const uint8_t *b = ch->bounds.data;
            int cmin = pq_stats_cmp_bound(ch->phys, b + prev->min_off, prev->min_len,
                                          b + pr->min_off, pr->min_len);
            int cmax = pq_stats_cmp_bound(ch->phys, b + prev->max_off, prev->max_len,
                                          b + pr->max_off, pr->max_len);
            if (cmin > 0 || cmax > 0)
                asc = false;
            if (cmin < 0 || cmax < 0)
                desc = false;
        }
        prev = pr;
    }
    ch->boundary_order = asc ? BOUNDARY_ASCENDING : desc ? BOUNDARY_DESCENDING : BOUNDARY_UNORDERED;
}

/* ---- the incremental chunk encoder ---- */

static void reset_chunk(pq_chunk *ch, pq_phys phys) {
    pq_page_rec *pages = ch->pages;
    size_t cap = ch->pages_cap;
    lake_buf bounds = ch->bounds;
    memset(ch, 0, sizeof *ch);
    ch->pages = pages;
    ch->pages_cap = cap;
    ch->bounds = bounds;
    lake_buf_resize(&ch->bounds, 0);
    ch->phys = phys;
    ch->dict_page_offset = -1;
    ch->column_index_offset = ch->offset_index_offset = -1;
    ch->column_index = phys != PQ_PHYS_INT96;
    pq_stats_init(&ch->stats, phys);
}

void pq_colenc_init(pq_colenc *e, pq_phys phys) {
    memset(e, 0, sizeof *e);
    e->phys = phys;
    pq_chunk_init(&e->ch);
    pq_dict_init(&e->dict);
    lake_buf_init(&e->data);
    lake_buf_init(&e->values);
}

/* Buffers larger than this are freed rather than kept when an encoder is reused. */
#define PQ_REUSE_KEEP_BYTES ((size_t)1 << 20)

static void keep_small(lake_buf *b) {
    if (b->cap > PQ_REUSE_KEEP_BYTES)
        lake_buf_free(b);
    else
        lake_buf_resize(b, 0);
}

void pq_colenc_reuse(pq_colenc *e, pq_phys phys) {
    pq_colenc kept = *e;
    keep_small(&kept.data);
    keep_small(&kept.values);
    keep_small(&kept.ch.bounds);
    if (kept.dict.page.cap > PQ_REUSE_KEEP_BYTES) {
        pq_dict_free(&kept.dict);
        pq_dict_init(&kept.dict);
    }
    memset(e, 0, sizeof *e);
    e->phys = phys;
    pq_chunk_init(&e->ch);
    e->ch.pages = kept.ch.pages;
    e->ch.pages_cap = kept.ch.pages_cap;
    e->ch.bounds = kept.ch.bounds;
    e->dict = kept.dict;
    e->data = kept.data;
    e->values = kept.values;
    e->levels = kept.levels;
    e->idx = kept.idx;
    e->ints = kept.ints;
    e->cap = kept.cap;
}

void pq_colenc_free(pq_colenc *e) {
    pq_chunk_free(&e->ch);
    pq_dict_free(&e->dict);
    lake_buf_free(&e->data);
    lake_buf_free(&e->values);
    free(e->levels);
    free(e->idx);
    free(e->ints);
    memset(e, 0, sizeof *e);
}

size_t pq_colenc_bytes(const pq_colenc *e) {
    const pq_dict *d = &e->dict;
    return e->data.cap + e->values.cap +
           e->cap * (sizeof *e->levels + (e->idx ? sizeof *e->idx : 0) +
                     (e->ints ? sizeof *e->ints : 0)) +
           d->page.cap + d->cap * sizeof *d->ent + d->nslots * sizeof *d->slots +
           e->ch.pages_cap * sizeof(pq_page_rec) + e->ch.bounds.cap;
}

static bool delta_type(pq_phys phys) {
    return phys == PQ_PHYS_INT32 || phys == PQ_PHYS_INT64;
}

static void begin_page(pq_colenc *e) {
    e->first = e->rows;
    e->k = e->cnt = 0;
    lake_buf_resize(&e->values, 0);
    pq_stats_init(&e->ps, e->phys);
}

static void begin_chunk(pq_colenc *e, const pq_enc_opts *o) {
    reset_chunk(&e->ch, e->phys);
    e->ch.encodings = 1u << PQ_ENC_RLE; /* definition levels */
    e->open = true;
    e->rows = 0;
    lake_buf_resize(&e->data, 0);
    e->spilled = 0;
    e->dict_ok = o->dictionary;
    if (e->dict_ok)
        pq_dict_reset(&e->dict, e->phys == PQ_PHYS_BYTE_ARRAY, PQ_DICT_MAX_BYTES);
    /* Nothing to choose: PLAIN from the first row. */
    e->state = e->dict_ok || (o->delta && delta_type(e->phys)) ? PQ_CE_SAMPLE : PQ_CE_PLAIN;
    begin_page(e);
}

/* Room for one more row in the page buffers (they grow to the largest page, not page_rows). */
static void ensure_room(pq_colenc *e, const pq_enc_opts *o) {
    bool want_idx = o->dictionary, want_ints = o->delta && delta_type(e->phys);
    if (e->k < e->cap && (!want_idx || e->idx) && (!want_ints || e->ints))
        return; /* (a reused encoder may lack the arrays another column type did not need) */
    size_t n = e->k < e->cap ? e->cap : e->cap ? e->cap * 2 : 64;
    e->levels = lake_xrealloc(e->levels, n * sizeof *e->levels);
    if (want_idx) /* indices and integers only where they can be used */
        e->idx = lake_xrealloc(e->idx, n * sizeof *e->idx);
    if (want_ints)
        e->ints = lake_xrealloc(e->ints, n * sizeof *e->ints);
    e->cap = n;
}

/* Encodes, compresses and keeps the gathered page, then starts the next. */
static lake_rc flush_page(pq_colenc *e, const pq_enc_opts *o, pq_scratch *sc, lake_error *err) {
    int bits = e->phys == PQ_PHYS_INT32 ? 32 : 64;
    int enc = e->state == PQ_CE_DICT    ? PQ_ENC_RLE_DICTIONARY
              : e->state == PQ_CE_DELTA ? PQ_ENC_DELTA_BINARY_PACKED
                                        : PQ_ENC_PLAIN;
    if (e->cnt == 0)
        enc = PQ_ENC_PLAIN; /* no values: the simplest encoding of nothing */
    lake_buf_resize(&sc->page, 0);
    pq_rle_def_levels(e->levels, e->k, &sc->page);
    if (enc == PQ_ENC_PLAIN) {
        lake_buf_append(&sc->page, e->values.data, e->values.len);
    } else if (enc == PQ_ENC_RLE_DICTIONARY) {
        int bw = pq_dict_bit_width(&e->dict);
        lake_buf_putc(&sc->page, (uint8_t)bw);
        pq_rle_encode(e->idx, e->cnt, bw, &sc->page);
    } else {
        pq_delta_encode(e->ints, e->cnt, bits, &sc->page);
    }
    size_t size;
    int64_t offset = e->spilled + (int64_t)e->data.len;
    lake_rc rc = emit_page(PQ_PAGE_DATA, (int32_t)e->k, enc, o->header_stats ? &e->ps : NULL,
                           &sc->page, o, sc, &e->data, &e->ch, &size, err);
    if (rc)
        return rc;
    pq_chunk *ch = &e->ch;
    ch->encodings |= 1u << enc;
    ch->pages_by_enc[enc]++;
    ch->data_pages++;
    ch->num_values += (int64_t)e->k;
    add_page_rec(ch, &e->ps, offset, size, e->first);
    pq_stats_merge(&ch->stats, &e->ps);
    begin_page(e);
    return LAKE_OK;
}

/* Chooses the chunk's encoding on its first page of values (the page gathered while sampling):
 * the smallest of PLAIN, DELTA_BINARY_PACKED and dictionary page + indices, as their sizes
 * before compression. A page without values chooses nothing (the next page samples again). */
static void choose(pq_colenc *e, const pq_enc_opts *o) {
    if (e->cnt == 0)
        return;
    uint64_t best = e->values.len;
    e->state = PQ_CE_PLAIN;
    if (o->delta && delta_type(e->phys)) {
        uint64_t c = pq_delta_size(e->ints, e->cnt, e->phys == PQ_PHYS_INT32 ? 32 : 64);
        if (c < best) {
            best = c;
            e->state = PQ_CE_DELTA;
        }
    }
    if (e->dict_ok) {
        int bw = pq_dict_bit_width(&e->dict);
        uint64_t c = e->dict.page.len + ((uint64_t)e->cnt * (uint64_t)bw + 7) / 8;
        if (c < best)
            e->state = PQ_CE_DICT;
    }
    if (e->state != PQ_CE_DICT && e->dict.nent > 0)
        pq_dict_clear(&e->dict); /* the sample's dictionary is not needed for the rest */
}

/* Encoded size of the values gathered so far, as the page cut measures it. */
static size_t page_bytes(const pq_colenc *e) {
    switch (e->state) {
    case PQ_CE_DICT:
        return (e->cnt * (size_t)pq_dict_bit_width(&e->dict) + 7) / 8;
    case PQ_CE_DELTA:
        return e->cnt * (e->phys == PQ_PHYS_INT32 ? 4u : 8u);
    default:
        return e->values.len;
    }
}

lake_rc pq_colenc_add(pq_colenc *e, const pq_coldesc *d, const uint32_t *rows, size_t begin,
                      size_t end, const pq_enc_opts *o, pq_scratch *sc, lake_error *err) {
    bool byte_array = d->phys == PQ_PHYS_BYTE_ARRAY;
    lake_rc rc;
    if (!e->open && begin < end)
        begin_chunk(e, o);
    for (size_t pos = begin; pos < end; pos++) {
        size_t r = rows ? (size_t)rows[pos] : pos;
        ensure_room(e, o);
        if (!d->col->valid[r]) {
            e->levels[e->k++] = 0;
            pq_stats_null(&e->ps);
        } else {
            uint8_t tmp[12];
            const uint8_t *p;
            uint32_t len = get_value(d, r, tmp, &p);
            int64_t ix = 0;
            if (e->state == PQ_CE_DICT || (e->state == PQ_CE_SAMPLE && e->dict_ok)) {
                ix = pq_dict_add(&e->dict, p, len);
                if (ix < 0 && e->state == PQ_CE_SAMPLE) {
                    e->dict_ok = false;
                } else if (ix < 0) {
                    /* The dictionary is full: its pages end here, the rest is PLAIN. */
                    if (e->k > 0 && (rc = flush_page(e, o, sc, err)) != LAKE_OK)
                        return rc;
                    e->state = PQ_CE_FALLBACK;
                }
            }
            switch (e->state) {
            case PQ_CE_SAMPLE: /* every candidate encoding's values, PLAIN too */
                if (e->idx)
                    e->idx[e->cnt] = (uint32_t)ix;
                if (e->ints)
                    e->ints[e->cnt] = int_of(p, e->phys);
                /* fall through */
            case PQ_CE_PLAIN:
            case PQ_CE_FALLBACK:
                if (byte_array)
                    lake_buf_append(&e->values, &len, 4);
                lake_buf_append(&e->values, p, len);
                break;
            case PQ_CE_DICT:
                e->idx[e->cnt] = (uint32_t)ix;
                break;
            case PQ_CE_DELTA:
                e->ints[e->cnt] = int_of(p, e->phys);
                break;
            }
            e->levels[e->k++] = 1;
            e->cnt++;
            pq_stats_add(&e->ps, p, len);
        }
        e->rows++;
        if (e->k < o->page_rows && page_bytes(e) < o->page_bytes)
            continue;
        if (e->state == PQ_CE_SAMPLE) {
            choose(e, o);
            /* The page goes on while the chosen encoding's measure allows (only the dictionary's
             * can be below the PLAIN one the sample was cut at). */
            if (e->k < o->page_rows && page_bytes(e) < o->page_bytes)
                continue;
        }
        if ((rc = flush_page(e, o, sc, err)) != LAKE_OK)
            return rc;
    }
    return LAKE_OK;
}

lake_rc pq_colenc_finish(pq_colenc *e, const pq_enc_opts *o, pq_scratch *sc, lake_buf *out,
                         pq_chunk *ch, lake_error *err) {
    lake_rc rc;
    pq_chunk_free(ch);
    pq_chunk_init(ch);
    if (!e->open)
        return LAKE_OK;
    if (e->k > 0) {
        if (e->state == PQ_CE_SAMPLE)
            choose(e, o);
        if ((rc = flush_page(e, o, sc, err)) != LAKE_OK)
            return rc;
    }
    e->open = false;
    int64_t shift = 0;
    if (e->state == PQ_CE_DICT || e->state == PQ_CE_FALLBACK) {
        size_t size;
        e->ch.dict_page_offset = 0;
        rc = emit_page(PQ_PAGE_DICTIONARY, (int32_t)e->dict.nent, PQ_ENC_PLAIN, NULL, &e->dict.page,
                       o, sc, out, &e->ch, &size, err);
        if (rc)
            return rc;
        e->ch.encodings |= 1u << PQ_ENC_PLAIN;
        shift = (int64_t)size;
    }
    e->ch.data_page_offset = shift;
    for (size_t p = 0; p < e->ch.npages; p++)
        e->ch.pages[p].offset += shift;
    set_boundary_order(&e->ch);
    /* Hand the metadata over; the encoder keeps ch's (empty) arrays for its next chunk. */
    pq_chunk tmp = *ch;
    *ch = e->ch;
    e->ch = tmp;
    return LAKE_OK;
}
