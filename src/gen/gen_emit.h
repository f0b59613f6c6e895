/* How the generator spells JSON text: its string escaping choices (the decoded value is the same
 * whatever the flags, which is the point: a reader must unescape every spelling to the same
 * bytes) and its fixed-point numbers. Plain escaping and integers come from json/emit.h; this
 * file adds only the generator's data policy. Deterministic: the same calls give the same bytes
 * on every platform. */
#ifndef LAKE_GEN_EMIT_H
#define LAKE_GEN_EMIT_H

#include "lake/common.h"

#include <stdint.h>

enum {
    GEN_ESC_SLASH = 1,   /* '/' as "\/" */
    GEN_ESC_UNICODE = 2, /* non-ASCII and DEL as \uXXXX (surrogate pairs above U+FFFF) */
    GEN_ESC_UPPER = 4    /* upper-case hex digits in \u escapes */
};

/* Appends s (valid UTF-8, NUL-terminated) as a JSON string literal spelt per flags (GEN_ESC_*);
 * NULL gives `null`. Newline, tab and carriage return always take their short escapes. */
void gen_put_str(lake_buf *b, const char *s, int flags);
/* Appends the decimal v / 10^5 (|v| scaled by 1e5) with trailing zeros dropped but at least one
 * fractional digit, e.g. 15292036 -> "152.92036", 24000000 -> "240.0". The correctly rounded
 * double of that text is exactly (double)v / 1e5. */
void gen_put_fixed5(lake_buf *b, int64_t v);
/* Appends a literal. */
static inline void gen_put(lake_buf *b, const char *s) {
    lake_buf_puts(b, s);
}

#endif
