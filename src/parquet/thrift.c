/* Thrift compact protocol encoder (see thrift.h and the Thrift compact protocol spec). */
#include "parquet/thrift.h"

#include <assert.h>
#include <string.h>

void pq_tc_init(pq_tc *w, lake_buf *out) {
    w->out = out;
    w->depth = 0;
}

/* Writes a varint straight into the buffer's spare room: footers and page headers are mostly
 * varints, one footer per file of a finely partitioned table. */
static inline void varint(lake_buf *out, uint64_t v) {
    if (out->len + 10 + LAKE_BUF_PADDING > out->cap)
        lake_buf_reserve(out, 10);
    uint8_t *p = out->data + out->len, *start = p;
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    size_t n = (size_t)(p - start);
    out->len += n;
    /* The padding moved by n: zero its new last n bytes (a fixed 10 bytes, an inline store; the
     * bytes past the padding were reserved above and are unused). */
    memset(out->data + out->len + LAKE_BUF_PADDING - n, 0, 10);
}

void pq_tc_varint(lake_buf *out, uint64_t v) {
    varint(out, v);
}

/* Unsigned arithmetic so that INT64_MIN does not overflow. */
uint64_t pq_tc_zigzag(int64_t v) {
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

void pq_tc_struct_begin(pq_tc *w) {
    assert(w->depth < PQ_TC_MAX_DEPTH);
    w->last[w->depth++] = 0;
}

void pq_tc_struct_end(pq_tc *w) {
    assert(w->depth > 0);
    lake_buf_putc(w->out, PQ_TC_STOP);
    w->depth--;
}

/* Short form packs the id delta into the high nibble; ids that go backwards or jump by more
 * than 15 need the long form (type byte, then the id as a zigzag varint). */
static void field_header(pq_tc *w, int16_t id, uint8_t type) {
    assert(w->depth > 0);
    int delta = id - w->last[w->depth - 1];
    if (delta > 0 && delta <= 15) {
        lake_buf_putc(w->out, (uint8_t)(delta << 4 | type));
    } else {
        lake_buf_putc(w->out, type);
        varint(w->out, pq_tc_zigzag(id));
    }
    w->last[w->depth - 1] = id;
}

void pq_tc_field_bool(pq_tc *w, int16_t id, bool v) {
    field_header(w, id, v ? PQ_TC_TRUE : PQ_TC_FALSE);
}

void pq_tc_field_i16(pq_tc *w, int16_t id, int16_t v) {
    field_header(w, id, PQ_TC_I16);
    varint(w->out, pq_tc_zigzag(v));
}

void pq_tc_field_i32(pq_tc *w, int16_t id, int32_t v) {
    field_header(w, id, PQ_TC_I32);
    varint(w->out, pq_tc_zigzag(v));
}

void pq_tc_field_i64(pq_tc *w, int16_t id, int64_t v) {
    field_header(w, id, PQ_TC_I64);
    varint(w->out, pq_tc_zigzag(v));
}

void pq_tc_field_binary(pq_tc *w, int16_t id, const void *p, size_t n) {
    field_header(w, id, PQ_TC_BINARY);
    pq_tc_elem_binary(w, p, n);
}

void pq_tc_field_string(pq_tc *w, int16_t id, const char *s) {
    pq_tc_field_binary(w, id, s, strlen(s));
}

void pq_tc_field_struct(pq_tc *w, int16_t id) {
    field_header(w, id, PQ_TC_STRUCT);
    pq_tc_struct_begin(w);
}

void pq_tc_field_empty_struct(pq_tc *w, int16_t id) {
    pq_tc_field_struct(w, id);
    pq_tc_struct_end(w);
}

/* Sizes up to 14 fit in the header byte's high nibble; 15 there means a varint size follows. */
void pq_tc_field_list(pq_tc *w, int16_t id, uint8_t elem_type, size_t n) {
    field_header(w, id, PQ_TC_LIST);
    if (n < 15) {
        lake_buf_putc(w->out, (uint8_t)(n << 4 | elem_type));
    } else {
        lake_buf_putc(w->out, (uint8_t)(0xF0 | elem_type));
        varint(w->out, n);
    }
}

void pq_tc_elem_bool(pq_tc *w, bool v) {
    lake_buf_putc(w->out, v ? PQ_TC_TRUE : PQ_TC_FALSE);
}

void pq_tc_elem_i32(pq_tc *w, int32_t v) {
    varint(w->out, pq_tc_zigzag(v));
}

void pq_tc_elem_i64(pq_tc *w, int64_t v) {
    varint(w->out, pq_tc_zigzag(v));
}

void pq_tc_elem_binary(pq_tc *w, const void *p, size_t n) {
    varint(w->out, n);
    lake_buf_append(w->out, p, n);
}

void pq_tc_elem_string(pq_tc *w, const char *s) {
    pq_tc_elem_binary(w, s, strlen(s));
}
