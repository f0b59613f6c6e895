/* JSON text emitting: the one place that spells JSON strings and numbers into a lake_buf.
 *
 * Owns the escaping of string literals and the text of integers and doubles; uses only base
 * (lake_buf). Output depends on the input bytes and the flags alone (no locale, no state), so
 * writers that promise byte-identical output (rejects, `lake inspect`, `lake gen`) can share it.
 * A caller that wants a spelling of its own for some characters (the generator's "\/" and
 * \uXXXX edge cases) writes those itself and passes the runs in between to lj_emit_escaped. */
#ifndef LAKE_JSON_EMIT_H
#define LAKE_JSON_EMIT_H

#include "lake/common.h"

#include <stdint.h>

/* Escaping choices. With no flag: `"` and `\` are escaped, every other byte below 0x20 is written
 * as \u00xx, DEL and '/' stay as they are, valid UTF-8 is copied, and each byte that does not
 * start a valid UTF-8 sequence (overlong, surrogate, past U+10FFFF, cut short) becomes U+FFFD, so
 * the output is always valid JSON. */
enum {
    LJ_EMIT_NL_TAB = 1, /* newline and tab as "\n" and "\t" instead of \u000a and \u0009 */
    LJ_EMIT_CR = 2,     /* carriage return as "\r" instead of \u000d */
    LJ_EMIT_DEL = 4,    /* DEL (0x7f) as \u007f */
    LJ_EMIT_UPPER = 8,  /* upper-case hex digits in \u escapes */
    /* Input that is not valid UTF-8 as a whole is read as Latin-1: every byte >= 0x80 becomes
     * \u00XX (instead of U+FFFD for each bad byte), which keeps every byte visible. */
    LJ_EMIT_LATIN1 = 16
};

/* Appends s[0..n) escaped per flags (LJ_EMIT_*), without the surrounding quotes. */
void lj_emit_escaped(lake_buf *b, const void *s, size_t n, unsigned flags);

/* Appends s[0..n) as a quoted JSON string literal, escaped as lj_emit_escaped does. */
void lj_emit_string(lake_buf *b, const void *s, size_t n, unsigned flags);

/* Appends v in decimal. */
void lj_emit_u64(lake_buf *b, uint64_t v);
void lj_emit_i64(lake_buf *b, int64_t v);

/* Appends d in the shortest of %.15g, %.16g and %.17g that reads back as the same double (%.17g
 * always does). NaN and infinities come out as printf spells them ("nan", "-inf"), which is not
 * JSON: callers that may meet them decide how to write them. */
void lj_emit_double(lake_buf *b, double d);

#endif
