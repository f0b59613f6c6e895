/* pq_scan_chunk: reads the page headers of a column chunk (PageHeader and the num_values of the
 * page type's own header) and checks that they tile the chunk, with every CRC verified. */
#include "lake/pqread.h"

#include "parquet/read/reader_thrift.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

typedef struct {
    int32_t type, uncompressed, compressed, crc;
    bool has_crc;
    int32_t num_values; /* data page or dictionary page */
    bool has_body;
} page_header;

/* Wire types by field id (parquet.thrift): a field of another type is skipped, as Thrift's
 * generated readers do (reader_thrift.h). Every page body has num_values as field 1. */
static const uint8_t body_wire[] = {[1] = PQ_TC_I32};
static const uint8_t header_wire[] = {
    [1] = PQ_TC_I32,    [2] = PQ_TC_I32,    [3] = PQ_TC_I32,    [4] = PQ_TC_I32,
    [5] = PQ_TC_STRUCT, [6] = PQ_TC_STRUCT, [7] = PQ_TC_STRUCT, [8] = PQ_TC_STRUCT};

static lake_rc read_page_body(pq_td *d, const char *name, page_header *h) {
    pq_td_struct s;
    int16_t id;
    uint8_t ft;
    d->field = name;
    if (pq_td_struct_begin(d, &s))
        return d->rc;
    bool has_count = false;
    while (pq_td_next_known(d, &s, name, body_wire, sizeof body_wire, &id, &ft)) {
        if (id == 1)
            has_count = !pq_td_i32(d, ft, &h->num_values);
        else
            pq_td_skip(d, ft);
    }
    if (!d->rc && !has_count) {
        char field[64];
        snprintf(field, sizeof field, "%s.num_values", name);
        return pq_td_missing(d, &s, 1, field);
    }
    if (!d->rc && h->num_values < 0)
        return pq_td_fail(d, "negative num_values %d", h->num_values);
    h->has_body = true;
    return d->rc;
}

static lake_rc read_page_header(pq_td *d, page_header *h) {
    pq_td_struct s;
    int16_t id;
    uint8_t t;
    unsigned seen = 0;
    memset(h, 0, sizeof *h);
    if (pq_td_struct_begin(d, &s))
        return d->rc;
    while (pq_td_next_known(d, &s, "PageHeader", header_wire, sizeof header_wire, &id, &t)) {
        if (id > 0 && id < 32)
            seen |= 1u << id;
        switch (id) {
        case 1:
            d->field = "PageHeader.type";
            pq_td_i32(d, t, &h->type);
            break;
        case 2:
            d->field = "PageHeader.uncompressed_page_size";
            pq_td_i32(d, t, &h->uncompressed);
            break;
        case 3:
            d->field = "PageHeader.compressed_page_size";
            pq_td_i32(d, t, &h->compressed);
            break;
        case 4:
            d->field = "PageHeader.crc";
            h->has_crc = !pq_td_i32(d, t, &h->crc);
            break;
        case 5:
            read_page_body(d, "DataPageHeader", h);
            break;
        case 7:
            read_page_body(d, "DictionaryPageHeader", h);
            break;
        case 8:
            read_page_body(d, "DataPageHeaderV2", h);
            break;
        default:
            pq_td_skip(d, t);
        }
        if (d->rc)
            return d->rc;
    }
    if (d->rc)
        return d->rc;
    static const char *const names[] = {NULL, "PageHeader.type",
                                        "PageHeader.uncompressed_page_size",
                                        "PageHeader.compressed_page_size"};
    unsigned req = (1u << 1) | (1u << 2) | (1u << 3);
    if ((seen & req) != req) {
        int missing = __builtin_ctz(req & ~seen);
        return pq_td_missing(d, &s, (int16_t)missing, names[missing]);
    }
    if (h->uncompressed < 0 || h->compressed < 0)
        return pq_td_fail(d, "negative page size");
    int want = h->type == 0 ? 5 : h->type == 2 ? 7 : h->type == 3 ? 8 : 0;
    if (want && !(seen & (1u << want)))
        return pq_td_fail(d, "%s page without its header", pq_page_type_name(h->type));
    return LAKE_OK;
}

static lake_rc scan_fail(lake_error *err, int64_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static lake_rc scan_fail(lake_error *err, int64_t off, const char *fmt, ...) {
    char detail[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return lake_error_set(err, LAKE_ERR_PARSE, "page at byte %lld: %s", (long long)off, detail);
}

lake_rc pq_scan_chunk(const uint8_t *file, size_t len, const pq_column_chunk *cc,
                      pq_chunk_scan *out, lake_error *err) {
    memset(out, 0, sizeof *out);
    if (cc->file_path.ptr)
        return lake_error_set(err, LAKE_ERR_UNSUPPORTED, "column chunk lives in file %s",
                              cc->file_path.ptr);
    int64_t start =
        cc->dictionary_page_offset > 0 ? cc->dictionary_page_offset : cc->data_page_offset;
    if (start < 0 || cc->total_compressed_size < 0 || (uint64_t)start > len ||
        (uint64_t)cc->total_compressed_size > len - (uint64_t)start)
        return lake_error_set(err, LAKE_ERR_PARSE, "column chunk lies outside the file");
    int64_t end = start + cc->total_compressed_size, pos = start;
    while (pos < end) {
        pq_td d;
        page_header h;
        pq_td_init(&d, file + pos, (size_t)(end - pos), (uint64_t)pos, "page header", err);
        if (read_page_header(&d, &h))
            return d.rc;
        int64_t body = pos + (int64_t)pq_td_pos(&d);
        if (h.compressed > end - body)
            return scan_fail(err, pos, "%d bytes of page data run past the chunk end %lld",
                             h.compressed, (long long)end);
        if (h.has_crc) {
            uint32_t crc = (uint32_t)crc32(0L, file + body, (uInt)h.compressed);
            if (crc != (uint32_t)h.crc)
                return scan_fail(err, pos, "CRC mismatch: header says %08x, data has %08x",
                                 (uint32_t)h.crc, crc);
            out->crc_pages++;
        }
        if (h.type == 2) {
            if (out->pages)
                return scan_fail(err, pos, "dictionary page is not the first page of the chunk");
            out->has_dictionary = true;
            out->dict_entries = h.num_values;
            out->dict_compressed_size = h.compressed;
            out->dict_uncompressed_size = h.uncompressed;
            out->dict_header_size = body - pos;
        } else if (h.type == 0 || h.type == 3) {
            if (pos < cc->data_page_offset)
                return scan_fail(err, pos, "data page before data_page_offset %lld",
                                 (long long)cc->data_page_offset);
            out->data_pages++;
            out->data_pages_v2 += h.type == 3;
            out->values += h.num_values;
        }
        out->pages++;
        pos = body + h.compressed;
    }
    if (out->values != cc->num_values)
        return lake_error_set(err, LAKE_ERR_PARSE,
                              "data pages hold %lld values, the column chunk says %lld",
                              (long long)out->values, (long long)cc->num_values);
    return LAKE_OK;
}
