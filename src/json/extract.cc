// JSON record extraction over simdjson, exposed as the C API of json/json.h.
//
// Two paths share one contract:
//  - fast: simdjson's DOM document stream (parse_many) over the rest of the buffer. The DOM parse
//    validates each record fully (structure, UTF-8, escapes, numbers), which on-demand parsing
//    would not do for the fields we skip. Each delivered record is also checked to be an object
//    with only whitespace before it and whitespace, a newline or the next '{' after it.
//  - slow: used from the first place the fast path cannot vouch for (a stream error, a non-object,
//    stray bytes, a stage-1 failure somewhere in a batch). A scalar scanner finds where the record
//    at hand ends and the record is parsed alone. A record whose brackets balance but which is
//    invalid is reported whole; one that never closes (truncated line, unterminated string)
//    costs its first line only and extraction resumes at the next line, so a broken
//    pretty-printed record is reported line by line. The slow path runs until no bad record has
//    been seen for SLOW_TAIL bytes (or a whole batch when it finds none), then a new stream
//    starts, with small batches after a bad record. A stream cannot resync after an error.
// Numbers the DOM parser rejects (integers beyond 64 bits, overflowing exponents) are re-read by a
// third, rarely used walker (simdjson on-demand plus strtod) so big integers become doubles.
//
// Known gaps: "-0" as an integer gives d == +0.0; numbers that overflow a double (1e400) are
// malformed records. Duplicate keys: the first occurrence of a requested key fills its value and
// later ones set its dup flag and the record's dup_key (json.h); the caller decides. No exception
// leaves this file: simdjson is used through its error-code API and memory comes from lake_xmalloc.
#define SIMDJSON_THREADS_ENABLED 1 // the Debian library is built with it; layouts must match
#include <simdjson.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <locale.h>
#include <new>

extern "C" {
#include "json/json.h"
}

using namespace simdjson;

namespace {

// Stream batch sizes. A batch bounds the largest record the fast path takes (bigger ones go to the
// slow path) and the stage-1 work wasted when a stream stops at a bad record, so after a bad
// record the next stream starts small; batches this size run as fast as bigger ones.
// The fuzz target builds with tiny sizes (-DLJ_BATCH_MAX=...) to exercise many batches.
#ifndef LJ_BATCH_MAX
#define LJ_BATCH_MAX (256 << 10)
#define LJ_BATCH_MIN (32 << 10)
#define LJ_SLOW_TAIL (4 << 10)
#endif
constexpr size_t BATCH_MAX = LJ_BATCH_MAX;
constexpr size_t BATCH_MIN = LJ_BATCH_MIN;
constexpr size_t ONE_RECORD_MAX = 64 << 10; // buffers tried as one record (one_record)
constexpr size_t SLOW_TAIL = LJ_SLOW_TAIL;  // the slow path stays on while bad records are close
constexpr size_t KEY_SLOTS_MIN = 64;        // field lookup table size (power of two)
constexpr size_t NUM_STACK = 128;           // numbers longer than this are copied to the heap

} // namespace

struct lj_extractor {
    size_t nfields;
    char **names;
    size_t *name_lens;
    size_t *alias_of; // alias_of[i] == i unless names[i] repeats an earlier name
    bool has_aliases;
    uint16_t *slots; // open addressing: 0 empty, else field index + 1
    size_t slot_mask;
    lj_value *vals;
    long dup; // first requested field seen twice in the current record, or -1
    dom::parser stream_parser;
    dom::parser single_parser;
    ondemand::parser od_parser;
};

namespace {

struct run_state {
    lj_extractor *x;
    const char *buf;
    size_t len;
    lj_on_record on_record;
    lj_on_error on_error;
    void *ctx;
    lake_error *err;
    size_t line_pos; // newlines before line_pos have been counted
    size_t line_no;  // 1-based line number at line_pos
    size_t batch;    // batch size of the next stream
};

inline bool is_ws(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

inline uint32_t key_hash(const char *s, size_t n) {
    uint32_t h = (uint32_t)n * 0x9E3779B1u;
    if (n)
        h ^= (uint8_t)s[0] * 0x85EBCA6Bu ^ (uint8_t)s[n - 1] * 0xC2B2AE35u ^
             (uint8_t)s[n / 2] * 0x27D4EB2Fu;
    return h ^ (h >> 15);
}

// Keys are short: an inline loop beats a call to memcmp here.
inline bool same_bytes(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

// Returns the requested field index for key, or -1.
inline long key_lookup(const lj_extractor *x, const char *s, size_t n) {
    for (size_t i = key_hash(s, n) & x->slot_mask;; i = (i + 1) & x->slot_mask) {
        unsigned v = x->slots[i];
        if (!v)
            return -1;
        size_t f = v - 1;
        if (x->name_lens[f] == n && same_bytes(x->names[f], s, n))
            return (long)f;
    }
}

size_t line_of(run_state *st, size_t pos) {
    const char *p = st->buf + st->line_pos, *end = st->buf + pos;
    while (p < end && (p = (const char *)memchr(p, '\n', (size_t)(end - p)))) {
        st->line_no++;
        p++;
    }
    st->line_pos = pos;
    return st->line_no;
}

size_t end_of_line(const run_state *st, size_t pos) {
    const void *nl = memchr(st->buf + pos, '\n', st->len - pos);
    return nl ? (size_t)((const char *)nl - st->buf) : st->len;
}

const char *reason_for(error_code e) {
    switch (e) {
    case UTF8_ERROR:
        return "invalid UTF-8";
    case UNCLOSED_STRING:
        return "invalid JSON: unterminated string";
    case UNESCAPED_CHARS:
        return "invalid JSON: control character inside a string";
    case STRING_ERROR:
        return "invalid JSON: bad escape sequence in a string";
    case NUMBER_ERROR:
        return "invalid JSON: malformed or out-of-range number";
    case T_ATOM_ERROR:
    case F_ATOM_ERROR:
    case N_ATOM_ERROR:
        return "invalid JSON: bad literal (expected true, false or null)";
    case TAPE_ERROR:
    case INCORRECT_TYPE:
        return "invalid JSON: bad structure (a missing or extra comma, colon, brace, bracket or "
               "key)";
    case DEPTH_ERROR:
        return "invalid JSON: nesting too deep";
    case CAPACITY:
        return "record too large";
    case EMPTY:
        return "invalid JSON: empty record";
    default:
        return "invalid JSON";
    }
}

inline int hex4(const char *p) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

// The first bad escape in the string whose body is s[0..n) (between its quotes): writes what is
// wrong into what ("lone surrogate \ud800") and returns true; false when every escape is valid.
bool bad_escape(const char *s, size_t n, char *what, size_t cap) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\')
            continue;
        if (i + 1 >= n) {
            snprintf(what, cap, "a backslash at the end of a string");
            return true;
        }
        char c = s[i + 1];
        if (c != 'u') {
            if (!c || !strchr("\\\"/bfnrt", c)) {
                snprintf(what, cap, "bad escape \\%c", c);
                return true;
            }
            i++;
            continue;
        }
        int cp = i + 6 <= n ? hex4(s + i + 2) : -1;
        if (cp < 0) {
            snprintf(what, cap, "bad escape \\u%.*s", (int)(n - i - 2 < 4 ? n - i - 2 : 4),
                     s + i + 2);
            return true;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            int lo = i + 12 <= n && s[i + 6] == '\\' && s[i + 7] == 'u' ? hex4(s + i + 8) : -1;
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                i += 11;
                continue;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            snprintf(what, cap, "lone surrogate \\%.5s", s + i + 1);
            return true;
        }
        i += 5;
    }
    return false;
}

// For a record simdjson refused with STRING_ERROR: names the bad escape and the key whose string
// holds it ("invalid JSON: lone surrogate \ud800 in the value of 'firstName'"), so the reason of
// a rejected record says where to look. Returns false when no bad escape is found.
bool describe_string_error(const char *s, size_t n, char *out, size_t cap) {
    const char *key = nullptr;
    size_t key_len = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '"')
            continue;
        size_t b = ++i;
        while (i < n && s[i] != '"')
            i += s[i] == '\\' ? 2 : 1;
        size_t e = i < n ? i : n;
        size_t t = e + 1;
        while (t < n && is_ws(s[t]))
            t++;
        bool is_key = t < n && s[t] == ':';
        char what[64];
        if (bad_escape(s + b, e - b, what, sizeof what)) {
            if (is_key)
                snprintf(out, cap, "invalid JSON: %s in a key", what);
            else if (key)
                snprintf(out, cap, "invalid JSON: %s in the value of '%.*s'", what,
                         (int)(key_len > 64 ? 64 : key_len), key);
            else
                snprintf(out, cap, "invalid JSON: %s in a string", what);
            return true;
        }
        if (is_key) {
            key = s + b;
            key_len = e - b;
        }
    }
    return false;
}

[[noreturn]] void out_of_memory() {
    fputs("lake: out of memory\n", stderr);
    exit(1);
}

int report(run_state *st, size_t start, size_t end, const char *reason) {
    while (end > start && (st->buf[end - 1] == '\r' || st->buf[end - 1] == '\n'))
        end--;
    lj_record rec;
    rec.line = line_of(st, start);
    rec.raw = st->buf + start;
    rec.raw_len = end - start;
    rec.dup_key = nullptr;
    if (!st->on_error)
        return lake_error_set(st->err, LAKE_ERR_PARSE, "line %zu: %s", rec.line, reason);
    return st->on_error(st->ctx, &rec, reason);
}

void set_from_element(lj_value *v, dom::element e) {
    switch (e.type()) {
    case dom::element_type::OBJECT:
        v->kind = LJ_OBJECT;
        break;
    case dom::element_type::ARRAY:
        v->kind = LJ_ARRAY;
        break;
    case dom::element_type::STRING: {
        std::string_view s = e.get_string().value_unsafe();
        v->kind = LJ_STRING;
        v->s = s.data();
        v->len = s.size();
        break;
    }
    case dom::element_type::INT64:
        v->kind = LJ_INT;
        v->i = e.get_int64().value_unsafe();
        v->d = (double)v->i; // int64 -> double conversion rounds to nearest
        break;
    case dom::element_type::UINT64:
        v->kind = LJ_DOUBLE;
        v->d = (double)e.get_uint64().value_unsafe();
        break;
    case dom::element_type::DOUBLE:
        v->kind = LJ_DOUBLE;
        v->d = e.get_double().value_unsafe();
        break;
    case dom::element_type::BOOL:
        v->kind = LJ_BOOL;
        v->b = e.get_bool().value_unsafe();
        break;
    case dom::element_type::NULL_VALUE:
        v->kind = LJ_NULL;
        break;
    }
}

void clear_vals(lj_extractor *x) {
    memset(x->vals, 0, x->nfields * sizeof *x->vals);
    x->dup = -1;
}

// A requested key met again in the same object: the first value stays, the repeat is flagged.
inline void mark_dup(lj_extractor *x, long f) {
    x->vals[f].dup = true;
    if (x->dup < 0)
        x->dup = f;
}

// The record passed to on_record: its extent, line and first duplicated requested key.
lj_record make_record(run_state *st, size_t start, size_t end) {
    lj_record rec;
    rec.line = line_of(st, start);
    rec.raw = st->buf + start;
    rec.raw_len = end - start;
    rec.dup_key = st->x->dup >= 0 ? st->x->names[st->x->dup] : nullptr;
    return rec;
}

void fill_aliases(lj_extractor *x) {
    if (!x->has_aliases)
        return;
    for (size_t i = 0; i < x->nfields; i++)
        if (x->alias_of[i] != i)
            x->vals[i] = x->vals[x->alias_of[i]];
}

int deliver_dom(run_state *st, dom::object obj, size_t start, size_t end) {
    lj_extractor *x = st->x;
    clear_vals(x);
    for (dom::key_value_pair kv : obj) {
        long f = key_lookup(x, kv.key.data(), kv.key.size());
        if (f < 0)
            continue;
        if (x->vals[f].kind == LJ_MISSING)
            set_from_element(&x->vals[f], kv.value);
        else
            mark_dup(x, f);
    }
    fill_aliases(x);
    if (!st->on_record)
        return 0;
    lj_record rec = make_record(st, start, end);
    return st->on_record(st->ctx, &rec, x->vals);
}

// ---- on-demand walker: full validation, numbers by hand (only for records DOM refused) ----

locale_t c_locale() {
    static locale_t loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    return loc;
}

// Parses a JSON number token (already trimmed) into v; false if it is not a valid JSON number or
// overflows a double.
bool parse_number_token(const char *s, size_t n, lj_value *v) {
    size_t i = 0;
    bool neg = i < n && s[i] == '-';
    i += neg;
    if (i >= n)
        return false;
    if (s[i] == '0')
        i++;
    else if (s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return false;
    size_t int_end = i;
    bool integral = true;
    if (i < n && s[i] == '.') {
        integral = false;
        size_t d0 = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d0)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        integral = false;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d0 = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d0)
            return false;
    }
    if (i != n)
        return false;
    if (integral) {
        uint64_t u = 0;
        bool over = false;
        for (size_t k = neg; k < int_end; k++) {
            unsigned dgt = (unsigned)(s[k] - '0');
            if (u > (UINT64_MAX - dgt) / 10)
                over = true;
            u = u * 10 + dgt;
            if (over)
                break;
        }
        if (!over && (neg ? u <= (uint64_t)INT64_MAX + 1 : u <= (uint64_t)INT64_MAX)) {
            v->kind = LJ_INT;
            v->i = neg ? (int64_t)(0 - u) : (int64_t)u;
            v->d = (double)v->i;
            if (neg && u == 0)
                v->d = -0.0;
            return true;
        }
    }
    char stackbuf[NUM_STACK];
    char *tmp = n < sizeof stackbuf ? stackbuf : (char *)lake_xmalloc(n + 1);
    memcpy(tmp, s, n);
    tmp[n] = 0;
    double d = strtod_l(tmp, nullptr, c_locale()); // glibc rounds correctly
    if (tmp != stackbuf)
        free(tmp);
    if (std::isinf(d))
        return false;
    v->kind = LJ_DOUBLE;
    v->d = d;
    return true;
}

error_code walk_value(ondemand::value val, lj_value *out);

error_code walk_object(ondemand::object obj, lj_extractor *top) {
    for (auto field_r : obj) {
        ondemand::field field;
        error_code e = std::move(field_r).get(field);
        if (e)
            return e;
        std::string_view key;
        if ((e = field.unescaped_key().get(key)))
            return e;
        lj_value *slot = nullptr;
        if (top) {
            long f = key_lookup(top, key.data(), key.size());
            if (f >= 0 && top->vals[f].kind == LJ_MISSING)
                slot = &top->vals[f];
            else if (f >= 0)
                mark_dup(top, f);
        }
        if ((e = walk_value(field.value(), slot)))
            return e;
    }
    return SUCCESS;
}

error_code walk_value(ondemand::value val, lj_value *out) {
    lj_value tmp;
    if (!out)
        out = &tmp;
    ondemand::json_type t;
    error_code e = val.type().get(t);
    if (e)
        return e;
    switch (t) {
    case ondemand::json_type::object: {
        ondemand::object o;
        if ((e = val.get_object().get(o)) || (e = walk_object(o, nullptr)))
            return e;
        out->kind = LJ_OBJECT;
        return SUCCESS;
    }
    case ondemand::json_type::array: {
        ondemand::array a;
        if ((e = val.get_array().get(a)))
            return e;
        for (auto elem_r : a) {
            ondemand::value elem;
            if ((e = std::move(elem_r).get(elem)) || (e = walk_value(elem, nullptr)))
                return e;
        }
        out->kind = LJ_ARRAY;
        return SUCCESS;
    }
    case ondemand::json_type::string: {
        std::string_view s;
        if ((e = val.get_string().get(s)))
            return e;
        out->kind = LJ_STRING;
        out->s = s.data();
        out->len = s.size();
        return SUCCESS;
    }
    case ondemand::json_type::number: {
        std::string_view tok = val.raw_json_token();
        while (!tok.empty() && is_ws(tok.back()))
            tok.remove_suffix(1);
        return parse_number_token(tok.data(), tok.size(), out) ? SUCCESS : NUMBER_ERROR;
    }
    case ondemand::json_type::boolean: {
        bool b;
        if ((e = val.get_bool().get(b)))
            return e;
        out->kind = LJ_BOOL;
        out->b = b;
        return SUCCESS;
    }
    case ondemand::json_type::null: {
        bool is_null;
        if ((e = val.is_null().get(is_null)))
            return e;
        if (!is_null)
            return N_ATOM_ERROR;
        out->kind = LJ_NULL;
        return SUCCESS;
    }
    }
    return TAPE_ERROR;
}

// Re-reads one object record with the on-demand walker; fills x->vals.
error_code walk_record(run_state *st, size_t start, size_t end) {
    lj_extractor *x = st->x;
    ondemand::document doc;
    size_t cap = st->len + LJ_PADDING - start;
    error_code e = x->od_parser.iterate(st->buf + start, end - start, cap).get(doc);
    if (e)
        return e;
    ondemand::object obj;
    if ((e = doc.get_object().get(obj)))
        return e;
    clear_vals(x);
    return walk_object(obj, x); // the extent ends at the object's closing brace
}

// ---- slow path ----

enum scan_result { SCAN_COMPLETE, SCAN_BROKEN, SCAN_UNTERMINATED_STRING };

// Finds the end of the object or array starting at buf[start] by bracket matching. Stops early
// (SCAN_BROKEN) at the first sign that the record cannot be one JSON value: a mismatched closer,
// two values with no separator between them (as when a truncated NDJSON line runs into the next
// record), or, inside a string, a raw newline (SCAN_UNTERMINATED_STRING).
scan_result scan_extent(const run_state *st, size_t start, size_t *end) {
    char stack[64];
    size_t depth = 0, deep = 0; // brackets beyond the stack are counted in deep, unchecked
    char last = 0;              // last significant char outside strings ('"' for a string)
    const char *b = st->buf;
    for (size_t i = start; i < st->len; i++) {
        char c = b[i];
        switch (c) {
        case ' ':
        case '\t':
        case '\r':
        case '\n':
            continue;
        case '"': {
            if (last && !strchr("{[,:", last))
                return SCAN_BROKEN;
            for (i++; i < st->len; i++) {
                if (b[i] == '\\') {
                    i++;
                    if (i < st->len && b[i] == '\n')
                        return SCAN_UNTERMINATED_STRING;
                } else if (b[i] == '"')
                    break;
                else if (b[i] == '\n')
                    return SCAN_UNTERMINATED_STRING;
            }
            if (i >= st->len)
                return SCAN_UNTERMINATED_STRING;
            last = '"';
            continue;
        }
        case '{':
        case '[':
            if (last && !strchr("{[,:", last))
                return SCAN_BROKEN;
            if (depth < sizeof stack)
                stack[depth++] = c;
            else
                deep++;
            break;
        case '}':
        case ']':
            if (deep)
                deep--;
            else if (depth && stack[depth - 1] == (c == '}' ? '{' : '['))
                depth--;
            else
                return SCAN_BROKEN;
            if (!depth && !deep) {
                *end = i + 1;
                return SCAN_COMPLETE;
            }
            break;
        case ',':
        case ':':
            break;
        default:
            // An atom (number, literal, or garbage) may not directly follow a value.
            if (last == '"' || last == '}' || last == ']')
                return SCAN_BROKEN;
            break;
        }
        last = c;
    }
    return SCAN_BROKEN;
}

// Handles the record starting at buf[*pos] (non-whitespace) on the slow path. Sets *pos past it and
// *bad when it was reported as malformed. Returns a callback's stop code or 0.
int slow_record(run_state *st, size_t *pos, bool *bad) {
    lj_extractor *x = st->x;
    size_t start = *pos, end = 0;
    char c = st->buf[start];
    *bad = true;
    if (c != '{') {
        size_t eol = end_of_line(st, start);
        *pos = eol;
        const char *why =
            c == '[' ? "top-level value is an array, not an object" : "record is not a JSON object";
        return report(st, start, eol, why);
    }
    scan_result sr = scan_extent(st, start, &end);
    if (sr != SCAN_COMPLETE) {
        size_t eol = end_of_line(st, start);
        *pos = eol;
        if (sr == SCAN_UNTERMINATED_STRING)
            return report(st, start, eol, reason_for(UNCLOSED_STRING));
        // Let simdjson name what is wrong with the first line.
        dom::element ignored;
        error_code e = x->single_parser.parse(st->buf + start, eol - start, false).get(ignored);
        return report(st, start, eol, reason_for(e ? e : TAPE_ERROR));
    }
    // Anything after the object on its line must be whitespace or the next object.
    size_t t = end;
    while (t < st->len && (st->buf[t] == ' ' || st->buf[t] == '\t' || st->buf[t] == '\r'))
        t++;
    if (t < st->len && st->buf[t] != '\n' && st->buf[t] != '{') {
        size_t eol = end_of_line(st, t);
        *pos = eol;
        return report(st, start, eol, "invalid JSON: unexpected content after the object");
    }
    *pos = end;
    dom::element doc;
    error_code e = x->single_parser.parse(st->buf + start, end - start, false).get(doc);
    if (!e) {
        *bad = false;
        return deliver_dom(st, doc.get_object().value_unsafe(), start, end);
    }
    if (e == MEMALLOC)
        out_of_memory();
    if (e == NUMBER_ERROR) {
        error_code e2 = walk_record(st, start, end);
        if (e2 == MEMALLOC)
            out_of_memory();
        if (!e2) {
            *bad = false;
            fill_aliases(x);
            if (!st->on_record)
                return 0;
            lj_record rec = make_record(st, start, end);
            return st->on_record(st->ctx, &rec, x->vals);
        }
        e = e2;
    }
    char why[160];
    if (e == STRING_ERROR && describe_string_error(st->buf + start, end - start, why, sizeof why))
        return report(st, start, end, why);
    return report(st, start, end, reason_for(e));
}

// Runs the slow path from *pos; returns when it is time to retry the fast path (or at the end),
// with *saw_bad telling whether it reported a malformed record.
int slow_run(run_state *st, size_t *pos, bool *saw_bad) {
    // Without an error found here, hand back to the fast path past the batch that failed; after
    // an error, SLOW_TAIL later (so runs of bad records do not each restart a stream).
    size_t limit = *pos + st->batch;
    *saw_bad = false;
    while (*pos < st->len) {
        while (*pos < st->len && is_ws(st->buf[*pos]))
            (*pos)++;
        if (*pos >= st->len || *pos >= limit)
            break;
        bool bad;
        int rc = slow_record(st, pos, &bad);
        if (rc)
            return rc;
        if (bad) {
            limit = *pos + SLOW_TAIL;
            *saw_bad = true;
        }
    }
    return 0;
}

// ---- fast path ----

// Streams records from *pos. Returns a callback's stop code, or 0 with *pos at the end of the
// last record delivered; *need_slow says whether something after it needs the slow path.
int fast_run(run_state *st, size_t *pos, bool *need_slow) {
    lj_extractor *x = st->x;
    *need_slow = true;
    size_t base = *pos;
    dom::document_stream stream;
    error_code e =
        x->stream_parser.parse_many(st->buf + base, st->len - base, st->batch).get(stream);
    if (e == MEMALLOC)
        out_of_memory();
    if (e)
        return 0;
    for (auto it = stream.begin(); it != stream.end(); ++it) {
        dom::element doc;
        e = (*it).get(doc);
        if (e == MEMALLOC)
            out_of_memory();
        if (e || doc.type() != dom::element_type::OBJECT)
            return 0;
        std::string_view src = it.source();
        size_t start = base + it.current_index(), end = start + src.size();
        if (end > st->len || st->buf[start] != '{' || st->buf[end - 1] != '}')
            return 0;
        for (size_t g = *pos; g < start; g++)
            if (!is_ws(st->buf[g]))
                return 0;
        size_t t = end;
        while (t < st->len && (st->buf[t] == ' ' || st->buf[t] == '\t' || st->buf[t] == '\r'))
            t++;
        if (t < st->len && st->buf[t] != '\n' && st->buf[t] != '{')
            return 0;
        int rc = deliver_dom(st, doc.get_object().value_unsafe(), start, end);
        *pos = end;
        if (rc)
            return rc;
    }
    size_t t = *pos;
    while (t < st->len && is_ws(st->buf[t]))
        t++;
    *need_slow = t < st->len; // the stream drops an incomplete last record silently
    return 0;
}

// ---- one-record buffers ----

// A song file is one object on one line. A document stream costs several times a plain parse
// for such a buffer (at M, 14,303 song files: 1,900 fewer instructions per file), so a
// buffer whose only newlines are in its trailing whitespace is parsed as one document first.
// Returns true when that parse delivered the record (*rc is then the callback's code); false
// leaves the buffer untouched to the usual paths, which also name any error.
bool one_record(run_state *st, size_t pos, int *rc) {
    size_t start = pos, end = st->len;
    while (start < end && is_ws(st->buf[start]))
        start++;
    while (end > start && is_ws(st->buf[end - 1]))
        end--;
    if (end - start < 2 || st->buf[start] != '{' || st->buf[end - 1] != '}' ||
        memchr(st->buf + start, '\n', end - start) != nullptr)
        return false;
    dom::element doc;
    error_code e = st->x->single_parser.parse(st->buf + start, end - start, false).get(doc);
    if (e == MEMALLOC)
        out_of_memory();
    if (e || doc.type() != dom::element_type::OBJECT)
        return false;
    *rc = deliver_dom(st, doc.get_object().value_unsafe(), start, end);
    return true;
}

} // namespace

extern "C" lj_extractor *lj_extractor_create(const char *const *fields, size_t nfields) {
    if (!fields || nfields == 0 || nfields > 4096)
        return nullptr;
    for (size_t i = 0; i < nfields; i++)
        if (!fields[i])
            return nullptr;
    void *mem = lake_xmalloc(sizeof(lj_extractor));
    lj_extractor *x = new (mem) lj_extractor();
    x->stream_parser.threaded = false; // callers parallelise across objects themselves
    x->nfields = nfields;
    x->names = (char **)lake_xcalloc(nfields, sizeof *x->names);
    x->name_lens = (size_t *)lake_xcalloc(nfields, sizeof *x->name_lens);
    x->alias_of = (size_t *)lake_xcalloc(nfields, sizeof *x->alias_of);
    x->vals = (lj_value *)lake_xcalloc(nfields, sizeof *x->vals);
    size_t nslots = KEY_SLOTS_MIN;
    while (nslots < 4 * nfields)
        nslots *= 2;
    x->slots = (uint16_t *)lake_xcalloc(nslots, sizeof *x->slots);
    x->slot_mask = nslots - 1;
    for (size_t i = 0; i < nfields; i++) {
        x->names[i] = lake_xstrdup(fields[i]);
        x->name_lens[i] = strlen(fields[i]);
        long prev = key_lookup(x, x->names[i], x->name_lens[i]);
        x->alias_of[i] = prev >= 0 ? (size_t)prev : i;
        if (prev >= 0) {
            x->has_aliases = true;
            continue;
        }
        size_t s = key_hash(x->names[i], x->name_lens[i]) & x->slot_mask;
        while (x->slots[s])
            s = (s + 1) & x->slot_mask;
        x->slots[s] = (uint16_t)(i + 1);
    }
    return x;
}

extern "C" void lj_extractor_free(lj_extractor *x) {
    if (!x)
        return;
    for (size_t i = 0; i < x->nfields; i++)
        free(x->names[i]);
    free(x->names);
    free(x->name_lens);
    free(x->alias_of);
    free(x->vals);
    free(x->slots);
    x->~lj_extractor();
    free(x);
}

extern "C" lake_rc lj_extract(lj_extractor *x, const char *buf, size_t len, lj_on_record on_record,
                              lj_on_error on_error, void *ctx, lake_error *err) {
    if (!x || (!buf && len))
        return lake_error_set(err, LAKE_ERR_INVALID_ARG, "lj_extract: no extractor or buffer");
    run_state st = {x, buf, len, on_record, on_error, ctx, err, 0, 1, BATCH_MAX};
    size_t pos = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; // a UTF-8 byte order mark
    int one_rc;
    if (len - pos <= ONE_RECORD_MAX && one_record(&st, pos, &one_rc))
        return (lake_rc)one_rc;
    while (pos < len) {
        bool need_slow;
        int rc = fast_run(&st, &pos, &need_slow);
        if (rc)
            return (lake_rc)rc;
        if (!need_slow)
            break;
        bool saw_bad;
        if ((rc = slow_run(&st, &pos, &saw_bad)))
            return (lake_rc)rc;
        st.batch = saw_bad ? BATCH_MIN : BATCH_MAX;
    }
    return LAKE_OK;
}
