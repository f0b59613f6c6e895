/* Names of Parquet enum values and decoding of statistics values for display (pqread.h). */
#include "lake/pqread.h"

#include "base/civil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *name_of(const char *const *names, size_t n, int32_t v) {
    return v >= 0 && (size_t)v < n && names[v] ? names[v] : "UNKNOWN";
}
#define NAME_OF(arr, v) name_of(arr, sizeof arr / sizeof arr[0], v)

const char *pq_type_name(int32_t t) {
    static const char *const names[] = {"BOOLEAN", "INT32",  "INT64",      "INT96",
                                        "FLOAT",   "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
    return NAME_OF(names, t);
}

const char *pq_codec_name(int32_t c) {
    static const char *const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                        "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
    return NAME_OF(names, c);
}

const char *pq_encoding_name(int32_t e) {
    static const char *const names[] = {
        "PLAIN",          "GROUP_VAR_INT",       "PLAIN_DICTIONARY",        "RLE",
        "BIT_PACKED",     "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
        "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};
    return NAME_OF(names, e);
}

const char *pq_repetition_name(int32_t r) {
    static const char *const names[] = {"REQUIRED", "OPTIONAL", "REPEATED", "VECTOR"};
    return NAME_OF(names, r);
}

const char *pq_converted_type_name(int32_t c) {
    static const char *const names[] = {"UTF8",
                                        "MAP",
                                        "MAP_KEY_VALUE",
                                        "LIST",
                                        "ENUM",
                                        "DECIMAL",
                                        "DATE",
                                        "TIME_MILLIS",
                                        "TIME_MICROS",
                                        "TIMESTAMP_MILLIS",
                                        "TIMESTAMP_MICROS",
                                        "UINT_8",
                                        "UINT_16",
                                        "UINT_32",
                                        "UINT_64",
                                        "INT_8",
                                        "INT_16",
                                        "INT_32",
                                        "INT_64",
                                        "JSON",
                                        "BSON",
                                        "INTERVAL"};
    return NAME_OF(names, c);
}

const char *pq_page_type_name(int32_t t) {
    static const char *const names[] = {"DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE",
                                        "DATA_PAGE_V2"};
    return NAME_OF(names, t);
}

static const char *unit_name(int unit) {
    return unit == PQ_UNIT_MILLIS   ? "MILLIS"
           : unit == PQ_UNIT_MICROS ? "MICROS"
           : unit == PQ_UNIT_NANOS  ? "NANOS"
                                    : "UNKNOWN";
}

const char *pq_logical_format(const pq_logical *lt, char *buf, size_t size) {
    static const char *const names[] = {NULL,      "STRING",  "MAP",      "LIST",      "ENUM",
                                        "DECIMAL", "DATE",    "TIME",     "TIMESTAMP", NULL,
                                        "INTEGER", "UNKNOWN", "JSON",     "BSON",      "UUID",
                                        "FLOAT16", "VARIANT", "GEOMETRY", "GEOGRAPHY", "VECTOR"};
    switch (lt->kind) {
    case PQ_LT_NONE:
        snprintf(buf, size, "%s", "");
        break;
    case PQ_LT_DECIMAL:
        snprintf(buf, size, "DECIMAL(precision=%d, scale=%d)", lt->precision, lt->scale);
        break;
    case PQ_LT_TIME:
    case PQ_LT_TIMESTAMP:
        snprintf(buf, size, "%s(isAdjustedToUTC=%s, unit=%s)", names[lt->kind],
                 lt->adjusted_to_utc ? "true" : "false", unit_name(lt->unit));
        break;
    case PQ_LT_INTEGER:
        snprintf(buf, size, "INTEGER(bitWidth=%d, isSigned=%s)", lt->bit_width,
                 lt->is_signed ? "true" : "false");
        break;
    case PQ_LT_OTHER:
        snprintf(buf, size, "LOGICAL_TYPE_%d", lt->other_id);
        break;
    default:
        snprintf(buf, size, "%s", NAME_OF(names, (int32_t)lt->kind));
    }
    return buf;
}

/* ---- value decoding ---- */

static uint64_t le_bytes(const uint8_t *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static int64_t floor_div(int64_t a, int64_t b, int64_t *rem) {
    int64_t q = a / b, r = a % b;
    if (r < 0) {
        r += b;
        q--;
    }
    *rem = r;
    return q;
}

static void format_date(char *buf, size_t size, int64_t days) {
    int64_t y;
    int m, d;
    lake_civil_from_days(days, &y, &m, &d);
    snprintf(buf, size, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* Seconds-of-day plus a fraction of `digits` digits. */
static size_t format_clock(char *buf, size_t size, int64_t sod, int64_t frac, int digits) {
    int n = snprintf(buf, size, "%02d:%02d:%02d", (int)(sod / 3600), (int)(sod / 60 % 60),
                     (int)(sod % 60));
    if (digits > 0 && n > 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, ".%0*lld", digits, (long long)frac);
    return n > 0 ? (size_t)n : 0;
}

static int64_t unit_per_second(int unit, int *digits) {
    *digits = unit == PQ_UNIT_MILLIS ? 3 : unit == PQ_UNIT_NANOS ? 9 : 6;
    return unit == PQ_UNIT_MILLIS ? 1000 : unit == PQ_UNIT_NANOS ? 1000000000 : 1000000;
}

static void format_timestamp(pq_value *v, int64_t raw, int unit, bool utc) {
    int digits;
    int64_t per = unit_per_second(unit, &digits), frac, sod;
    int64_t secs = floor_div(raw, per, &frac);
    int64_t days = floor_div(secs, 86400, &sod);
    format_date(v->text, sizeof v->text, days);
    size_t n = strlen(v->text);
    v->text[n++] = 'T';
    n += format_clock(v->text + n, sizeof v->text - n, sod, frac, digits);
    if (utc && n + 1 < sizeof v->text) {
        v->text[n++] = 'Z';
        v->text[n] = 0;
    }
    v->kind = PQ_VAL_TIMESTAMP;
    v->i = raw;
    v->has_raw = true;
}

/* INT96: 8 bytes of nanoseconds in the day, then a 4-byte Julian day number (Spark, Impala). */
static void format_int96(pq_value *v, const uint8_t *p) {
    int64_t nanos = (int64_t)le_bytes(p, 8);
    int64_t jday = (int32_t)(uint32_t)le_bytes(p + 8, 4);
    int64_t rem, extra_days = floor_div(nanos, 86400000000000LL, &rem);
    int64_t days = jday - 2440588 + extra_days;
    format_date(v->text, sizeof v->text, days);
    size_t n = strlen(v->text);
    v->text[n++] = 'T';
    n += format_clock(v->text + n, sizeof v->text - n, rem / 1000000000, rem % 1000000000, 9);
    if (n + 1 < sizeof v->text) {
        v->text[n++] = 'Z';
        v->text[n] = 0;
    }
    v->kind = PQ_VAL_TIMESTAMP;
    /* raw nanoseconds since the epoch when they fit in an int64 (years 1677 to 2262) */
    __int128 total = (__int128)days * 86400000000000LL + rem;
    v->has_raw = total >= INT64_MIN && total <= INT64_MAX;
    v->i = v->has_raw ? (int64_t)total : 0;
}

static bool format_time(pq_value *v, int64_t raw, int unit) {
    int digits;
    int64_t per = unit_per_second(unit, &digits);
    if (raw < 0 || raw / per >= 86400)
        return false;
    format_clock(v->text, sizeof v->text, raw / per, raw % per, digits);
    v->kind = PQ_VAL_TIME;
    v->i = raw;
    v->has_raw = true;
    return true;
}

static void format_decimal(pq_value *v, __int128 x, int scale) {
    char digits[48];
    int n = 0;
    bool neg = x < 0;
    unsigned __int128 u = neg ? -(unsigned __int128)x : (unsigned __int128)x;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (n <= scale)
        digits[n++] = '0';
    size_t k = 0;
    if (neg)
        v->text[k++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        v->text[k++] = digits[i];
        if (i == scale && scale > 0)
            v->text[k++] = '.';
    }
    v->text[k] = 0;
    v->kind = PQ_VAL_DECIMAL;
}

bool pq_utf8_valid(const void *p, size_t n) {
    const uint8_t *s = p;
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if ((c & 0xe0) == 0xc0) {
            len = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

static double half_to_double(uint16_t h) {
    int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    double v;
    if (exp == 0)
        v = mant / 1024.0 / 16384.0; /* subnormal: mant * 2^-24 */
    else if (exp == 31)
        v = mant ? (double)NAN : (double)INFINITY;
    else
        v = (1.0 + mant / 1024.0) *
            ((exp >= 15) ? (double)(1 << (exp - 15)) : 1.0 / (double)(1 << (15 - exp)));
    return sign ? -v : v;
}

static int decimal_scale(const pq_schema_elem *e) {
    if (e->logical.kind == PQ_LT_DECIMAL)
        return e->logical.scale;
    if (e->converted_type == 5)
        return e->scale;
    return -1;
}

static void decode_bytes(const pq_schema_elem *e, const uint8_t *p, size_t n, pq_value *v) {
    int scale = decimal_scale(e);
    if (scale >= 0 && scale <= 38 && n >= 1 && n <= 16) {
        unsigned __int128 u = (p[0] & 0x80) ? ~(unsigned __int128)0 : 0;
        for (size_t i = 0; i < n; i++)
            u = u << 8 | p[i];
        format_decimal(v, (__int128)u, scale);
        return;
    }
    if (e->logical.kind == PQ_LT_UUID && n == 16) {
        size_t k = 0;
        for (size_t i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10)
                v->text[k++] = '-';
            k += (size_t)snprintf(v->text + k, sizeof v->text - k, "%02x", p[i]);
        }
        v->kind = PQ_VAL_UUID;
        return;
    }
    if (e->logical.kind == PQ_LT_FLOAT16 && n == 2) {
        v->kind = PQ_VAL_DOUBLE;
        v->d = half_to_double((uint16_t)le_bytes(p, 2));
        return;
    }
    v->kind = pq_utf8_valid(p, n) ? PQ_VAL_STRING : PQ_VAL_BYTES;
}

static bool is_unsigned(const pq_schema_elem *e) {
    if (e->logical.kind == PQ_LT_INTEGER)
        return !e->logical.is_signed;
    return e->converted_type >= 11 && e->converted_type <= 14;
}

static void decode_int(const pq_schema_elem *e, int64_t x, uint64_t ux, pq_value *v) {
    const pq_logical *lt = &e->logical;
    int ct = e->converted_type;
    int scale = decimal_scale(e);
    if (e->type == PQ_TYPE_INT64 && (lt->kind == PQ_LT_TIMESTAMP || ct == 9 || ct == 10)) {
        int unit = lt->kind == PQ_LT_TIMESTAMP ? lt->unit
                   : ct == 9                   ? PQ_UNIT_MILLIS
                                               : PQ_UNIT_MICROS;
        format_timestamp(v, x, unit, lt->kind == PQ_LT_TIMESTAMP ? lt->adjusted_to_utc : true);
        return;
    }
    if (e->type == PQ_TYPE_INT32 && (lt->kind == PQ_LT_DATE || ct == 6)) {
        format_date(v->text, sizeof v->text, x);
        v->kind = PQ_VAL_DATE;
        v->i = x;
        v->has_raw = true;
        return;
    }
    if (lt->kind == PQ_LT_TIME || ct == 7 || ct == 8) {
        int unit = lt->kind == PQ_LT_TIME ? lt->unit : ct == 7 ? PQ_UNIT_MILLIS : PQ_UNIT_MICROS;
        if (format_time(v, x, unit))
            return;
    }
    if (scale >= 0 && scale <= 38) {
        format_decimal(v, x, scale);
        return;
    }
    if (is_unsigned(e)) {
        v->kind = PQ_VAL_UINT;
        v->u = ux;
        return;
    }
    v->kind = PQ_VAL_INT;
    v->i = x;
}

void pq_value_decode(const pq_schema_elem *e, const uint8_t *p, size_t n, pq_value *v) {
    memset(v, 0, sizeof *v);
    v->p = p;
    v->n = n;
    v->kind = PQ_VAL_BYTES;
    switch (e->type) {
    case PQ_TYPE_BOOLEAN:
        if (n == 1) {
            v->kind = PQ_VAL_BOOL;
            v->i = p[0] != 0;
        }
        break;
    case PQ_TYPE_INT32:
        if (n == 4) {
            uint32_t u = (uint32_t)le_bytes(p, 4);
            decode_int(e, (int32_t)u, u, v);
        }
        break;
    case PQ_TYPE_INT64:
        if (n == 8) {
            uint64_t u = le_bytes(p, 8);
            decode_int(e, (int64_t)u, u, v);
        }
        break;
    case PQ_TYPE_INT96:
        if (n == 12)
            format_int96(v, p);
        break;
    case PQ_TYPE_FLOAT:
        if (n == 4) {
            uint32_t u = (uint32_t)le_bytes(p, 4);
            float f;
            memcpy(&f, &u, sizeof f);
            v->kind = PQ_VAL_DOUBLE;
            v->d = f;
        }
        break;
    case PQ_TYPE_DOUBLE:
        if (n == 8) {
            uint64_t u = le_bytes(p, 8);
            v->kind = PQ_VAL_DOUBLE;
            memcpy(&v->d, &u, sizeof v->d);
        }
        break;
    case PQ_TYPE_BYTE_ARRAY:
    case PQ_TYPE_FIXED_LEN_BYTE_ARRAY:
        decode_bytes(e, p, n, v);
        break;
    default:
        break;
    }
}
