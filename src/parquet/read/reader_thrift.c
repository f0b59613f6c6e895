/* Thrift compact protocol decoder (see reader_thrift.h), written from the Thrift compact protocol
 * specification. It trusts nothing in the input. */
#include "parquet/read/reader_thrift.h"

#include <stdio.h>
#include <string.h>

void pq_td_init(pq_td *d, const uint8_t *buf, size_t len, uint64_t file_off, const char *what,
                lake_error *err) {
    d->start = buf;
    d->p = buf;
    d->end = buf + len;
    d->file_off = file_off;
    d->what = what;
    d->field = NULL;
    d->depth = 0;
    d->rc = LAKE_OK;
    d->err = err;
}

static uint64_t here(const pq_td *d) {
    return d->file_off + (uint64_t)(d->p - d->start);
}

lake_rc pq_td_fail(pq_td *d, const char *fmt, ...) {
    if (d->rc)
        return d->rc;
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    d->rc = LAKE_ERR_PARSE;
    return lake_error_set(d->err, d->rc, "corrupt %s at byte %llu: %s%s%s", d->what,
                          (unsigned long long)here(d), detail, d->field ? " in " : "",
                          d->field ? d->field : "");
}

lake_rc pq_td_truncated(pq_td *d, const char *expected) {
    if (d->rc)
        return d->rc;
    d->rc = LAKE_ERR_PARSE;
    return lake_error_set(d->err, d->rc, "truncated %s at byte %llu: expected %s%s%s", d->what,
                          (unsigned long long)here(d), expected, d->field ? " in " : "",
                          d->field ? d->field : "");
}

const char *pq_td_type_name(uint8_t type) {
    static const char *const names[] = {"stop",   "bool",   "bool", "i8",  "i16", "i32",    "i64",
                                        "double", "binary", "list", "set", "map", "struct", "uuid"};
    return type < sizeof names / sizeof names[0] ? names[type] : "unknown type";
}

/* Unsigned LEB128 of at most maxbits significant bits. */
static lake_rc read_varint(pq_td *d, unsigned maxbits, const char *what, uint64_t *out) {
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        if (d->p >= d->end)
            return pq_td_truncated(d, what);
        if (shift >= maxbits)
            return pq_td_fail(d, "varint longer than %u bits in %s", maxbits, what);
        uint8_t b = *d->p++;
        uint64_t bits = (uint64_t)(b & 0x7f);
        if (maxbits - shift < 7 && (bits >> (maxbits - shift)) != 0) {
            d->p--;
            return pq_td_fail(d, "varint overflows %u bits in %s", maxbits, what);
        }
        v |= bits << shift;
        if (!(b & 0x80))
            break;
    }
    *out = v;
    return LAKE_OK;
}

static int64_t unzigzag(uint64_t u) {
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static lake_rc need(pq_td *d, size_t n, const char *what) {
    if ((size_t)(d->end - d->p) < n)
        return pq_td_truncated(d, what);
    return LAKE_OK;
}

lake_rc pq_td_struct_begin(pq_td *d, pq_td_struct *s) {
    if (d->rc)
        return d->rc;
    if (d->depth >= PQ_TD_MAX_DEPTH)
        return pq_td_fail(d, "structures nested deeper than %d levels", PQ_TD_MAX_DEPTH);
    d->depth++;
    s->last_id = 0;
    s->mistyped = 0;
    s->mistyped_id = 0;
    s->mistyped_type = 0;
    return LAKE_OK;
}

lake_rc pq_td_field(pq_td *d, pq_td_struct *s, int16_t *id, uint8_t *type) {
    if (d->rc)
        return d->rc;
    if (d->p >= d->end)
        return pq_td_truncated(d, "a field header or the end of a struct");
    uint8_t h = *d->p;
    if (h == 0) {
        d->p++;
        d->depth--;
        *type = PQ_TC_STOP;
        *id = 0;
        return LAKE_OK;
    }
    uint8_t t = h & 0x0f;
    if (t == PQ_TC_STOP || t > PQ_TC_UUID)
        return pq_td_fail(d, "field header 0x%02x has invalid type %u", h, t);
    d->p++;
    int32_t fid;
    if (h >> 4) {
        fid = s->last_id + (h >> 4);
    } else {
        uint64_t u;
        if (read_varint(d, 32, "a field id", &u))
            return d->rc;
        fid = (int32_t)unzigzag(u);
    }
    if (fid < INT16_MIN || fid > INT16_MAX)
        return pq_td_fail(d, "field id %ld out of range", (long)fid);
    s->last_id = fid;
    *id = (int16_t)fid;
    *type = t;
    return LAKE_OK;
}

bool pq_td_next_field(pq_td *d, pq_td_struct *s, const char *name, int16_t *id, uint8_t *type) {
    d->field = name;
    if (pq_td_field(d, s, id, type))
        return false;
    return *type != PQ_TC_STOP;
}

static bool is_int(uint8_t t) {
    return t == PQ_TC_BYTE || t == PQ_TC_I16 || t == PQ_TC_I32 || t == PQ_TC_I64;
}

/* Whether a value of wire type got can be read as a field of wire type want. */
static bool type_fits(uint8_t want, uint8_t got) {
    if (is_int(want))
        return is_int(got);
    if (want == PQ_TC_TRUE || want == PQ_TC_FALSE)
        return got == PQ_TC_TRUE || got == PQ_TC_FALSE;
    if (want == PQ_TC_LIST)
        return got == PQ_TC_LIST || got == PQ_TC_SET;
    return want == got;
}

bool pq_td_next_known(pq_td *d, pq_td_struct *s, const char *name, const uint8_t *want,
                      size_t nwant, int16_t *id, uint8_t *type) {
    while (pq_td_next_field(d, s, name, id, type)) {
        if (*id <= 0 || (size_t)*id >= nwant || !want[*id] || type_fits(want[*id], *type))
            return true;
        if (*id < 64)
            s->mistyped |= (uint64_t)1 << *id;
        s->mistyped_id = *id;
        s->mistyped_type = *type;
        if (pq_td_skip(d, *type))
            return false;
    }
    return false;
}

lake_rc pq_td_missing(pq_td *d, const pq_td_struct *s, int16_t id, const char *name) {
    if (d->rc)
        return d->rc;
    d->field = NULL; /* the message names the struct and field itself */
    const char *dot = strchr(name, '.');
    int slen = dot ? (int)(dot - name) : (int)strlen(name);
    if (id <= 0 || id >= 64 || !(s->mistyped & (uint64_t)1 << id))
        return pq_td_fail(d, "%.*s lacks required field %d (%s)", slen, name, id,
                          dot ? dot + 1 : name);
    d->rc = LAKE_ERR_UNSUPPORTED;
    return lake_error_set(d->err, d->rc,
                          "unsupported %s: required field %s (id %d) has wire type %s, which "
                          "its definition does not give it (a writer's extension lake cannot "
                          "read)",
                          d->what, name, id,
                          id == s->mistyped_id ? pq_td_type_name(s->mistyped_type) : "another");
}

static lake_rc wrong_type(pq_td *d, uint8_t type, const char *want) {
    return pq_td_fail(d, "expected %s, found %s", want, pq_td_type_name(type));
}

lake_rc pq_td_bool(pq_td *d, uint8_t type, bool in_list, bool *out) {
    if (d->rc)
        return d->rc;
    if (type != PQ_TC_TRUE && type != PQ_TC_FALSE)
        return wrong_type(d, type, "bool");
    if (!in_list) {
        *out = type == PQ_TC_TRUE;
        return LAKE_OK;
    }
    if (need(d, 1, "a bool"))
        return d->rc;
    uint8_t b = *d->p;
    if (b > 2)
        return pq_td_fail(d, "bool element has value %u", b);
    d->p++;
    *out = b == 1;
    return LAKE_OK;
}

/* Reads any integer type up to i64 into *out. */
static lake_rc read_int(pq_td *d, uint8_t type, unsigned bits, const char *want, int64_t *out) {
    if (d->rc)
        return d->rc;
    if (type == PQ_TC_BYTE) {
        if (need(d, 1, want))
            return d->rc;
        *out = (int8_t)*d->p++;
        return LAKE_OK;
    }
    if (type != PQ_TC_I16 && type != PQ_TC_I32 && type != PQ_TC_I64)
        return wrong_type(d, type, want);
    unsigned width = type == PQ_TC_I16 ? 16 : type == PQ_TC_I32 ? 32 : 64;
    uint64_t u;
    if (read_varint(d, width, want, &u))
        return d->rc;
    int64_t v = unzigzag(u);
    if (bits < 64) {
        int64_t lim = (int64_t)1 << (bits - 1);
        if (v < -lim || v >= lim)
            return pq_td_fail(d, "%s value %lld out of range", want, (long long)v);
    }
    *out = v;
    return LAKE_OK;
}

lake_rc pq_td_i8(pq_td *d, uint8_t type, int8_t *out) {
    int64_t v = 0;
    if (read_int(d, type, 8, "an i8", &v))
        return d->rc;
    *out = (int8_t)v;
    return LAKE_OK;
}

lake_rc pq_td_i16(pq_td *d, uint8_t type, int16_t *out) {
    int64_t v = 0;
    if (read_int(d, type, 16, "an i16", &v))
        return d->rc;
    *out = (int16_t)v;
    return LAKE_OK;
}

lake_rc pq_td_i32(pq_td *d, uint8_t type, int32_t *out) {
    int64_t v = 0;
    if (read_int(d, type, 32, "an i32", &v))
        return d->rc;
    *out = (int32_t)v;
    return LAKE_OK;
}

lake_rc pq_td_i64(pq_td *d, uint8_t type, int64_t *out) {
    return read_int(d, type, 64, "an i64", out);
}

lake_rc pq_td_double(pq_td *d, uint8_t type, double *out) {
    if (d->rc)
        return d->rc;
    if (type != PQ_TC_DOUBLE)
        return wrong_type(d, type, "double");
    if (need(d, 8, "a double"))
        return d->rc;
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--)
        u = u << 8 | d->p[i];
    d->p += 8;
    memcpy(out, &u, sizeof *out);
    return LAKE_OK;
}

lake_rc pq_td_binary(pq_td *d, uint8_t type, const uint8_t **p, size_t *n) {
    if (d->rc)
        return d->rc;
    if (type != PQ_TC_BINARY)
        return wrong_type(d, type, "binary");
    uint64_t len;
    if (read_varint(d, 32, "a binary length", &len))
        return d->rc;
    if (len > (uint64_t)(d->end - d->p)) {
        char what[96];
        snprintf(what, sizeof what, "%llu bytes of binary, %zu left", (unsigned long long)len,
                 (size_t)(d->end - d->p));
        return pq_td_truncated(d, what);
    }
    *p = d->p;
    *n = (size_t)len;
    d->p += len;
    return LAKE_OK;
}

/* The fewest bytes one element of this type can take. */
static size_t min_elem_size(uint8_t t) {
    switch (t) {
    case PQ_TC_DOUBLE:
        return 8;
    case PQ_TC_UUID:
        return 16;
    default:
        return 1;
    }
}

static lake_rc check_count(pq_td *d, uint64_t n, size_t per, const char *what) {
    size_t left = (size_t)(d->end - d->p);
    if (n > left / per) {
        char msg[128];
        snprintf(msg, sizeof msg, "%llu %s elements, only %zu bytes left", (unsigned long long)n,
                 what, left);
        return pq_td_truncated(d, msg);
    }
    return LAKE_OK;
}

lake_rc pq_td_list(pq_td *d, uint8_t type, uint8_t *elem_type, uint32_t *n) {
    if (d->rc)
        return d->rc;
    if (type != PQ_TC_LIST && type != PQ_TC_SET)
        return wrong_type(d, type, "list");
    if (d->p >= d->end)
        return pq_td_truncated(d, "a list header");
    uint8_t h = *d->p++;
    uint8_t t = h & 0x0f;
    uint64_t count = h >> 4;
    if (t == PQ_TC_STOP || t > PQ_TC_UUID) {
        d->p--;
        return pq_td_fail(d, "list header 0x%02x has invalid element type %u", h, t);
    }
    if (count == 15 && read_varint(d, 32, "a list size", &count))
        return d->rc;
    if (count > INT32_MAX)
        return pq_td_fail(d, "list size %llu out of range", (unsigned long long)count);
    if (check_count(d, count, min_elem_size(t), pq_td_type_name(t)))
        return d->rc;
    *elem_type = t == PQ_TC_TRUE ? PQ_TC_FALSE : t; /* bool elements: both codes are in use */
    *n = (uint32_t)count;
    return LAKE_OK;
}

static lake_rc skip_value(pq_td *d, uint8_t type, bool in_list);

static lake_rc skip_struct(pq_td *d) {
    pq_td_struct s;
    if (pq_td_struct_begin(d, &s))
        return d->rc;
    for (;;) {
        int16_t id;
        uint8_t t;
        if (pq_td_field(d, &s, &id, &t))
            return d->rc;
        if (t == PQ_TC_STOP)
            return LAKE_OK;
        if (skip_value(d, t, false))
            return d->rc;
    }
}

static lake_rc skip_map(pq_td *d) {
    uint64_t count;
    if (read_varint(d, 32, "a map size", &count))
        return d->rc;
    if (count == 0)
        return LAKE_OK;
    if (count > INT32_MAX)
        return pq_td_fail(d, "map size %llu out of range", (unsigned long long)count);
    if (d->p >= d->end)
        return pq_td_truncated(d, "map key and value types");
    uint8_t kv = *d->p++;
    uint8_t kt = kv >> 4, vt = kv & 0x0f;
    if (kt == PQ_TC_STOP || kt > PQ_TC_UUID || vt == PQ_TC_STOP || vt > PQ_TC_UUID) {
        d->p--;
        return pq_td_fail(d, "map header 0x%02x has invalid key or value type", kv);
    }
    if (check_count(d, count, min_elem_size(kt) + min_elem_size(vt), "map"))
        return d->rc;
    for (uint64_t i = 0; i < count; i++)
        if (skip_value(d, kt, true) || skip_value(d, vt, true))
            return d->rc;
    return LAKE_OK;
}

static lake_rc skip_value(pq_td *d, uint8_t type, bool in_list) {
    if (d->rc)
        return d->rc;
    const uint8_t *p;
    size_t n;
    int64_t v;
    switch (type) {
    case PQ_TC_TRUE:
    case PQ_TC_FALSE: {
        bool b;
        return pq_td_bool(d, type, in_list, &b);
    }
    case PQ_TC_BYTE:
    case PQ_TC_I16:
    case PQ_TC_I32:
    case PQ_TC_I64:
        return read_int(d, type, 64, "an integer", &v);
    case PQ_TC_DOUBLE:
        if (need(d, 8, "a double"))
            return d->rc;
        d->p += 8;
        return LAKE_OK;
    case PQ_TC_UUID:
        if (need(d, 16, "a uuid"))
            return d->rc;
        d->p += 16;
        return LAKE_OK;
    case PQ_TC_BINARY:
        return pq_td_binary(d, type, &p, &n);
    case PQ_TC_STRUCT:
        return skip_struct(d);
    case PQ_TC_MAP:
    case PQ_TC_LIST:
    case PQ_TC_SET:
        break;
    default:
        return pq_td_fail(d, "cannot skip a value of type %u", type);
    }
    /* Containers count as a nesting level so list<list<...>> cannot exhaust the stack. */
    if (d->depth >= PQ_TD_MAX_DEPTH)
        return pq_td_fail(d, "values nested deeper than %d levels", PQ_TD_MAX_DEPTH);
    d->depth++;
    if (type == PQ_TC_MAP) {
        skip_map(d);
    } else {
        uint8_t et;
        uint32_t count;
        if (!pq_td_list(d, type, &et, &count))
            for (uint32_t i = 0; i < count && !d->rc; i++)
                skip_value(d, et, true);
    }
    d->depth--;
    return d->rc;
}

lake_rc pq_td_skip(pq_td *d, uint8_t type) {
    return skip_value(d, type, false);
}
