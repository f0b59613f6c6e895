/* JSON record extraction: the only place that parses JSON. A C API over simdjson.
 *
 * Input is a buffer holding JSON objects one after another: one per line (NDJSON), concatenated
 * (`{..}{..}`), pretty-printed over several lines, or a single object. For each object the caller
 * asks for a fixed list of top-level fields and receives their typed values. */
#ifndef LAKE_JSON_H
#define LAKE_JSON_H

#include "lake/common.h"

#include <stdbool.h>

/* The buffer handed to lj_extract must have this many readable bytes after its end (lake_buf
 * guarantees it). */
#define LJ_PADDING 64

typedef enum {
    LJ_MISSING = 0, /* the field is absent */
    LJ_NULL,
    LJ_BOOL,
    LJ_INT,    /* an integer literal that fits int64: i holds it, d its double value */
    LJ_DOUBLE, /* any other number: d holds the correctly rounded double */
    LJ_STRING, /* s/len: the unescaped UTF-8 bytes (not NUL-terminated) */
    LJ_ARRAY,
    LJ_OBJECT
} lj_kind;

typedef struct {
    lj_kind kind;
    bool b;
    bool dup; /* the key appears more than once in the object; the fields hold the first value */
    int64_t i;
    double d;
    const char *s; /* valid only during the callback */
    size_t len;
} lj_value;

typedef struct {
    size_t line;     /* 1-based line number where the record starts */
    const char *raw; /* the record's text exactly as in the input (points into the buffer) */
    size_t raw_len;
    /* The first requested field whose key appears more than once in the object (its vals[i].dup
     * is set), or NULL. JSON leaves duplicate keys undefined and readers disagree (Spark takes
     * the last, simdjson and DuckDB the first), so the caller decides; unrequested keys are not
     * looked at. */
    const char *dup_key;
} lj_record;

/* Called for each well-formed object with vals[i] for fields[i]. A non-zero return stops
 * extraction and lj_extract returns it (as lake_rc). */
typedef int (*lj_on_record)(void *ctx, const lj_record *rec, const lj_value *vals);
/* Called for each malformed record (invalid JSON, invalid UTF-8, a top-level value that is not
 * an object) with a one-line reason. Extraction resumes at the next line. Non-zero stops. */
typedef int (*lj_on_error)(void *ctx, const lj_record *rec, const char *reason);

typedef struct lj_extractor lj_extractor;

/* Creates an extractor for the given top-level field names (copied). Not thread-safe: use one
 * per thread. Returns NULL only on invalid arguments. */
lj_extractor *lj_extractor_create(const char *const *fields, size_t nfields);
void lj_extractor_free(lj_extractor *x); /* accepts NULL */

/* Extracts every record of buf[0..len) (which must be followed by LJ_PADDING readable bytes).
 * Blank lines and whitespace between records are skipped. Returns LAKE_OK, a callback's
 * non-zero return, or an error code with detail in err. */
lake_rc lj_extract(lj_extractor *x, const char *buf, size_t len, lj_on_record on_record,
                   lj_on_error on_error, void *ctx, lake_error *err);

#endif
