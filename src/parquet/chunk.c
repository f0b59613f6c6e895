/* Column chunk encoder (see chunk.h). */
#include "parquet/chunk.h"

#include "parquet/delta.h"
#include "parquet/rle.h"
#include "parquet/thrift.h"

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

void pq_scratch_init(pq_scratch *sc, size_t page_rows) {
    memset(sc, 0, sizeof *sc);
    (void)page_rows; /* levels grow on demand: tiny files need tiny pages */
    pq_dict_init(&sc->dict);
}

void pq_scratch_free(pq_scratch *sc) {
    free(sc->levels);
    free(sc->idx);
    free(sc->ints);
    pq_dict_free(&sc->dict);
    lake_buf_free(&sc->values);
    lake_buf_free(&sc->page);
    lake_buf_free(&sc->comp);
    lake_buf_free(&sc->hdr);
    memset(sc, 0, sizeof *sc);
}

size_t pq_scratch_bytes(const pq_scratch *sc) {
    const pq_dict *d = &sc->dict;
    return sc->max_rows * sizeof *sc->levels + sc->cap * (sizeof *sc->idx + sizeof *sc->ints) +
           d->page.cap + d->cap * sizeof *d->ent + d->nslots * sizeof *d->slots + sc->values.cap +
           sc->page.cap + sc->comp.cap + sc->hdr.cap;
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

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
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
        int64_t ms = floor_div(us, 1000); /* as Spark's microsToMillis */
        memcpy(tmp, &ms, 8);
        return 8;
    }
    int64_t days = floor_div(us, US_PER_DAY);
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

static void ensure_scratch(pq_scratch *sc, size_t n, size_t page_rows) {
    size_t lv = n < page_rows ? n : page_rows;
    if (lv > sc->max_rows) {
        free(sc->levels);
        sc->levels = lake_xmalloc(lv * sizeof *sc->levels);
        sc->max_rows = lv;
    }
    if (n > sc->cap) {
        free(sc->idx);
        free(sc->ints);
        sc->idx = lake_xmalloc(n * sizeof *sc->idx);
        sc->ints = lake_xmalloc(n * sizeof *sc->ints);
        sc->cap = n;
    }
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

/* ---- choosing the encoding ---- */

typedef struct {
    bool use_dict;
    size_t fallback; /* first row position encoded without the dictionary */
    int bw;          /* index bit width */
    int main_enc;    /* encoding of the pages without dictionary */
} plan;

#define ROW(pos) (rows ? (size_t)rows[pos] : (pos))

/* One pass over the chunk: builds the dictionary (until it outgrows its page), collects integer
 * values for delta encoding, and picks the encoding with the smallest unencoded size. */
static void make_plan(const pq_coldesc *d, const uint32_t *rows, size_t begin, size_t end,
                      const pq_enc_opts *o, pq_scratch *sc, plan *pl) {
    bool byte_array = d->phys == PQ_PHYS_BYTE_ARRAY;
    bool dict = o->dictionary;
    bool delta = o->delta && (d->phys == PQ_PHYS_INT32 || d->phys == PQ_PHYS_INT64);
    uint64_t plain_all = 0, plain_prefix = 0;
    size_t nn = 0, nn_prefix = 0;
    pl->fallback = end;
    if (dict)
        pq_dict_reset(&sc->dict, byte_array, PQ_DICT_MAX_BYTES);
    for (size_t pos = begin; pos < end; pos++) {
        size_t r = ROW(pos);
        if (!d->col->valid[r])
            continue;
        uint8_t tmp[12];
        const uint8_t *p;
        uint32_t len = get_value(d, r, tmp, &p);
        uint64_t plen = len + (byte_array ? 4u : 0u);
        plain_all += plen;
        if (delta)
            sc->ints[nn] = int_of(p, d->phys);
        if (dict && pl->fallback == end) {
            int64_t ix = pq_dict_add(&sc->dict, p, len);
            if (ix < 0) {
                pl->fallback = pos;
            } else {
                sc->idx[nn_prefix++] = (uint32_t)ix;
                plain_prefix += plen;
            }
        }
        nn++;
    }
    uint64_t best = plain_all;
    pl->main_enc = PQ_ENC_PLAIN;
    if (delta) {
        uint64_t c = pq_delta_size(sc->ints, nn, d->phys == PQ_PHYS_INT32 ? 32 : 64);
        if (c < best) {
            best = c;
            pl->main_enc = PQ_ENC_DELTA_BINARY_PACKED;
        }
    }
    pl->use_dict = false;
    pl->bw = dict ? pq_dict_bit_width(&sc->dict) : 0;
    if (dict && nn_prefix > 0) {
        uint64_t c = sc->dict.page.len + ((uint64_t)nn_prefix * (uint64_t)pl->bw + 7) / 8 +
                     (plain_all - plain_prefix);
        pl->use_dict = c < best;
    }
    if (!pl->use_dict)
        pl->fallback = begin;
}

/* ---- the chunk ---- */

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

/* Gathers the page starting at *pos (levels, statistics, PLAIN values when enc is PLAIN) and
 * returns its number of non-null values; *pos moves past the page. */
static size_t gather_page(const pq_coldesc *d, const uint32_t *rows, size_t *pos, size_t limit,
                          int enc, int bw, const pq_enc_opts *o, pq_scratch *sc, pq_stats *ps,
                          size_t *nrows) {
    bool byte_array = d->phys == PQ_PHYS_BYTE_ARRAY;
    size_t k = 0, cnt = 0, bytes = 0, at = *pos;
    lake_buf_resize(&sc->values, 0);
    for (; at < limit && k < o->page_rows && bytes < o->page_bytes; at++, k++) {
        size_t r = ROW(at);
        if (!d->col->valid[r]) {
            sc->levels[k] = 0;
            pq_stats_null(ps);
            continue;
        }
        sc->levels[k] = 1;
        uint8_t tmp[12];
        const uint8_t *p;
        uint32_t len = get_value(d, r, tmp, &p);
        pq_stats_add(ps, p, len);
        cnt++;
        if (enc == PQ_ENC_PLAIN) {
            if (byte_array)
                lake_buf_append(&sc->values, &len, 4);
            lake_buf_append(&sc->values, p, len);
            bytes = sc->values.len;
        } else if (enc == PQ_ENC_RLE_DICTIONARY) {
            bytes = (cnt * (size_t)bw + 7) / 8;
        } else {
            bytes += len;
        }
    }
    *nrows = k;
    *pos = at;
    return cnt;
}

static lake_rc emit_dictionary(const pq_enc_opts *o, pq_scratch *sc, lake_buf *out, size_t start,
                               pq_chunk *ch, lake_error *err) {
    size_t size;
    ch->dict_page_offset = (int64_t)(out->len - start);
    lake_rc rc = emit_page(PQ_PAGE_DICTIONARY, (int32_t)sc->dict.nent, PQ_ENC_PLAIN, NULL,
                           &sc->dict.page, o, sc, out, ch, &size, err);
    ch->encodings |= 1u << PQ_ENC_PLAIN;
    return rc;
}

lake_rc pq_chunk_encode(const pq_coldesc *d, const uint32_t *rows, size_t begin, size_t end,
                        const pq_enc_opts *o, pq_scratch *sc, lake_buf *out, pq_chunk *ch,
                        lake_error *err) {
    size_t start = out->len;
    int bits = d->phys == PQ_PHYS_INT32 ? 32 : 64;
    plan pl;
    lake_rc rc;
    reset_chunk(ch, d->phys);
    ensure_scratch(sc, end - begin, o->page_rows);
    make_plan(d, rows, begin, end, o, sc, &pl);
    ch->encodings = 1u << PQ_ENC_RLE; /* definition levels */
    if (pl.use_dict) {
        rc = emit_dictionary(o, sc, out, start, ch, err);
        if (rc)
            return rc;
    }
    ch->data_page_offset = (int64_t)(out->len - start);
    size_t vi = 0; /* non-null values before the current page */
    for (size_t pos = begin; pos < end;) {
        int enc =
            pl.use_dict ? (pos < pl.fallback ? PQ_ENC_RLE_DICTIONARY : PQ_ENC_PLAIN) : pl.main_enc;
        size_t limit = enc == PQ_ENC_RLE_DICTIONARY ? pl.fallback : end;
        size_t first = pos, k;
        pq_stats ps;
        pq_stats_init(&ps, d->phys);
        size_t cnt = gather_page(d, rows, &pos, limit, enc, pl.bw, o, sc, &ps, &k);
        lake_buf_resize(&sc->page, 0);
        pq_rle_def_levels(sc->levels, k, &sc->page);
        if (cnt == 0)
            enc = PQ_ENC_PLAIN; /* no values: the simplest encoding of nothing */
        if (enc == PQ_ENC_PLAIN) {
            lake_buf_append(&sc->page, sc->values.data, sc->values.len);
        } else if (enc == PQ_ENC_RLE_DICTIONARY) {
            lake_buf_putc(&sc->page, (uint8_t)pl.bw);
            pq_rle_encode(sc->idx + vi, cnt, pl.bw, &sc->page);
        } else {
            pq_delta_encode(sc->ints + vi, cnt, bits, &sc->page);
        }
        vi += cnt;
        size_t size;
        int64_t offset = (int64_t)(out->len - start);
        rc = emit_page(PQ_PAGE_DATA, (int32_t)k, enc, o->header_stats ? &ps : NULL, &sc->page, o,
                       sc, out, ch, &size, err);
        if (rc)
            return rc;
        ch->encodings |= 1u << enc;
        ch->pages_by_enc[enc]++;
        ch->data_pages++;
        ch->num_values += (int64_t)k;
        add_page_rec(ch, &ps, offset, size, (int64_t)(first - begin));
        pq_stats_merge(&ch->stats, &ps);
    }
    set_boundary_order(ch);
    return LAKE_OK;
}
