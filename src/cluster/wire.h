/* Rows on the wire between ranks: fixed-width integers in host byte order (every rank of a job
 * runs the same binary on the same architecture) and length-prefixed strings, with a reader that
 * checks every length against the bytes left. Owns nothing. Uses base (lake_buf) and table
 * (strings and optional values). */
#ifndef LAKE_WIRE_H
#define LAKE_WIRE_H

#include "lake/common.h"
#include "lake/table.h"
#include "table/opt.h"

#include <stdbool.h>
#include <string.h>

static inline void cl_put_u64(lake_buf *b, uint64_t v) {
    lake_buf_append(b, &v, sizeof v);
}

static inline void cl_put_opt_i64(lake_buf *b, lake_opt_i64 x) {
    cl_put_u64(b, x.ok);
    cl_put_u64(b, (uint64_t)x.v);
}

static inline void cl_put_opt_f64(lake_buf *b, lake_opt_f64 x) {
    cl_put_u64(b, x.ok);
    lake_buf_append(b, &x.v, sizeof x.v);
}

/* An unsigned integer in 7-bit groups, low first (1 byte below 128, at most 10). */
static inline void cl_put_varint(lake_buf *b, uint64_t v) {
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    lake_buf_append(b, tmp, n);
}

/* A signed integer as a varint of its zigzag form (small magnitudes, small bytes). */
static inline void cl_put_svarint(lake_buf *b, int64_t v) {
    cl_put_varint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* A string or a null (length UINT32_MAX). */
static inline void cl_put_str(lake_buf *b, lake_str s) {
    uint32_t len = s.ptr ? s.len : UINT32_MAX;
    lake_buf_append(b, &len, sizeof len);
    if (s.ptr)
        lake_buf_append(b, s.ptr, s.len);
}

/* A C string with its NUL (or a null), so the reader can hand it out in place. */
static inline void cl_put_cstr(lake_buf *b, const char *s) {
    cl_put_str(b, (lake_str){s, s ? (uint32_t)strlen(s) + 1 : 0});
}

typedef struct {
    const uint8_t *p, *end;
    bool bad; /* a read ran past the end */
} cl_reader;

static inline bool cl_get(cl_reader *r, void *out, size_t n) {
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = true;
        memset(out, 0, n);
        return false;
    }
    memcpy(out, r->p, n);
    r->p += n;
    return true;
}

static inline uint64_t cl_get_u64(cl_reader *r) {
    uint64_t v;
    cl_get(r, &v, sizeof v);
    return v;
}

static inline lake_opt_i64 cl_get_opt_i64(cl_reader *r) {
    lake_opt_i64 x;
    x.ok = cl_get_u64(r) != 0;
    x.v = (int64_t)cl_get_u64(r);
    return x;
}

static inline lake_opt_f64 cl_get_opt_f64(cl_reader *r) {
    lake_opt_f64 x;
    x.ok = cl_get_u64(r) != 0;
    cl_get(r, &x.v, sizeof x.v);
    return x;
}

static inline uint64_t cl_get_varint(cl_reader *r) {
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->bad || r->p >= r->end) {
            r->bad = true;
            return 0;
        }
        uint8_t byte = *r->p++;
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return v;
    }
    r->bad = true; /* more than 10 bytes */
    return 0;
}

static inline int64_t cl_get_svarint(cl_reader *r) {
    uint64_t z = cl_get_varint(r);
    return (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
}

/* A view of the string's bytes in the reader's buffer (ptr NULL for a null). */
static inline lake_str cl_get_str(cl_reader *r) {
    uint32_t len;
    if (!cl_get(r, &len, sizeof len) || len == UINT32_MAX)
        return (lake_str){NULL, 0};
    if ((size_t)(r->end - r->p) < len) {
        r->bad = true;
        return (lake_str){NULL, 0};
    }
    lake_str s = {(const char *)r->p, len};
    r->p += len;
    return s;
}

/* A string of cl_put_cstr, NUL-terminated in the reader's buffer (NULL for a null). */
static inline const char *cl_get_cstr(cl_reader *r) {
    lake_str s = cl_get_str(r);
    if (s.ptr && (s.len == 0 || s.ptr[s.len - 1] != '\0')) {
        r->bad = true;
        return NULL;
    }
    return s.ptr;
}

static inline bool cl_more(const cl_reader *r) {
    return !r->bad && r->p < r->end;
}

#endif
