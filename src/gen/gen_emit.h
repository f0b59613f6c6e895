/* Internal helpers of the generator: a seeded PRNG and fast JSON text emitters. Everything here is
 * deterministic: the same calls give the same bytes on every platform. */
#ifndef LAKE_GEN_EMIT_H
#define LAKE_GEN_EMIT_H

#include "lake/common.h"

#include <stdbool.h>
#include <stdint.h>

/* splitmix64: small, fast, good enough for test data, and identical everywhere. */
typedef struct {
    uint64_t s;
} gen_rng;

void gen_rng_seed(gen_rng *r, uint64_t seed, uint64_t stream);
uint64_t gen_rng_next(gen_rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t gen_rng_below(gen_rng *r, uint64_t n);
/* True with probability pct/1000. */
bool gen_rng_permille(gen_rng *r, unsigned pct);

/* String escaping choices: the decoded value is the same whatever the flags, which is the point
 * (the reader must unescape to the same bytes). */
enum {
    GEN_ESC_SLASH = 1,   /* '/' as "\/" */
    GEN_ESC_UNICODE = 2, /* non-ASCII and DEL as \uXXXX (surrogate pairs above U+FFFF) */
    GEN_ESC_UPPER = 4    /* upper-case hex digits in \u escapes */
};

/* Appends s (UTF-8, NUL-terminated) as a JSON string literal; NULL gives `null`. */
void gen_put_str(lake_buf *b, const char *s, int flags);
void gen_put_u64(lake_buf *b, uint64_t v);
void gen_put_i64(lake_buf *b, int64_t v);
/* Appends the decimal v / 10^5 (|v| scaled by 1e5) with trailing zeros dropped but at least one
 * fractional digit, e.g. 15292036 -> "152.92036", 24000000 -> "240.0". The correctly rounded
 * double of that text is exactly (double)v / 1e5. */
void gen_put_fixed5(lake_buf *b, int64_t v);
/* Appends a double in the shortest form that reads back as the same double. */
void gen_put_double(lake_buf *b, double d);
/* Appends a literal. */
static inline void gen_put(lake_buf *b, const char *s) {
    lake_buf_puts(b, s);
}

#endif
