/** @file
 * lake common definitions: error convention, allocation, growing buffers, arenas.
 *
 * Error convention (one for the whole library): a function that can fail returns lake_rc;
 * LAKE_OK (0) is success. The human detail goes into a caller-supplied lake_error, which names
 * the object, line and expectation where there is one. Allocation failure is not an error code:
 * lake_xmalloc() and friends print "lake: out of memory" and exit, so no caller handles it. */
#ifndef LAKE_COMMON_H
#define LAKE_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** The library's version, as `lake --version` prints it. */
#define LAKE_VERSION "0.1.0"

/** What a call that can fail returns: LAKE_OK (0) or the kind of failure. */
typedef enum {
    LAKE_OK = 0,          /**< success */
    LAKE_ERR_IO,          /**< a file or object could not be read or written */
    LAKE_ERR_NOT_FOUND,   /**< a file, object or bucket does not exist */
    LAKE_ERR_PARSE,       /**< malformed input (JSON, Parquet, options) */
    LAKE_ERR_INVALID_ARG, /**< a caller or user supplied a value out of range */
    LAKE_ERR_BAD_RECORDS, /**< more bad records than --max-bad-records allows */
    LAKE_ERR_UNSUPPORTED, /**< a feature this build or backend does not have */
    LAKE_ERR_CODEC,       /**< compression or decompression failed */
    LAKE_ERR_LIMIT,       /**< a hard size limit was exceeded */
    LAKE_ERR_NETWORK,     /**< a remote endpoint could not be reached */
    LAKE_ERR_AUTH,        /**< credentials were refused */
    LAKE_ERR_INTERNAL,    /**< a bug in lake */
    LAKE_ERR_LOCKED       /**< another run holds the output */
} lake_rc;

/** Returns a static, one-phrase description of rc; never NULL. */
const char *lake_strerror(lake_rc rc);

/** Error detail filled by a failing call: rc plus a one-line message. */
typedef struct {
    lake_rc rc;     /**< the failure's code (LAKE_OK when nothing failed) */
    char msg[1024]; /**< one line naming the object, line and expectation; NUL-terminated */
} lake_error;

/** Records rc and a printf-style message in err (err may be NULL); returns rc so callers can write
 * `return lake_error_set(err, LAKE_ERR_IO, "...", ...);`. A message longer than msg keeps its
 * literal text and its end: the %s values in it (keys, paths, other messages) are shortened in
 * their middle to "first third[...N bytes...]last two thirds", longest first, so the reason at
 * the end of a message always shows. */
lake_rc lake_error_set(lake_error *err, lake_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Prefixes err->msg with a printf-style context ("reading x: " + old message); returns err->rc.
 * When the two do not fit, the context's %s values and the old message are shortened in their
 * middle as lake_error_set does, so the old message's reason still shows. */
lake_rc lake_error_prefix(lake_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** @{ */
/** Allocation in one place: malloc, calloc, zeroed malloc, realloc, strdup and strndup that
 * never return NULL (they print "lake: out of memory" and exit). */
void *lake_xmalloc(size_t n);
void *lake_xcalloc(size_t count, size_t size);
void *lake_xzalloc(size_t n);
void *lake_xrealloc(void *p, size_t n);
char *lake_xstrdup(const char *s);
char *lake_xstrndup(const char *s, size_t n);
/** @} */
/** The strings joined into a freshly allocated one: lake_xconcat("a", b, "/c"). Several times
 * cheaper than lake_xasprintf for the paths built per output file. */
char *lake_xconcat_(const char *first, ...) __attribute__((sentinel));
/** lake_xconcat_ with the terminating NULL added: lake_xconcat("a", b, "/c"). */
#define lake_xconcat(...) lake_xconcat_(__VA_ARGS__, (const char *)NULL)

/** True when s ends with suffix (bytes compared exactly). */
static inline bool lake_ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !memcmp(s + n - m, suffix, m);
}
/** printf into a freshly allocated string. */
char *lake_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Zeroed bytes a lake_buf keeps readable after its data. */
#define LAKE_BUF_PADDING 64
/** Growing byte buffer. Always keeps LAKE_BUF_PADDING zeroed bytes readable after data[len], so a
 * buffer can be handed to parsers that read past the end (simdjson) without a copy. */
typedef struct {
    uint8_t *data; /**< the bytes (NULL while nothing was reserved) */
    size_t len;    /**< bytes in use */
    size_t cap;    /**< bytes allocated, padding included */
} lake_buf;

/** Makes b an empty buffer (allocates nothing). */
void lake_buf_init(lake_buf *b);
/** Frees b's bytes; accepts a zeroed buffer; leaves b empty and reusable. */
void lake_buf_free(lake_buf *b);
/** Makes room for extra more bytes (and the padding) after len. */
void lake_buf_reserve(lake_buf *b, size_t extra);

/** Appending is inline: the Parquet footer and page headers are built a byte or a varint at a
 * time, once per file of a partitioned table. Writing n bytes moves the padding window by n,
 * so the last min(n, padding) bytes of the new window are zeroed. */
static inline void lake_buf_append(lake_buf *b, const void *p, size_t n) {
    if (b->len + n + LAKE_BUF_PADDING > b->cap)
        lake_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    size_t z = n < LAKE_BUF_PADDING ? n : LAKE_BUF_PADDING;
    if (b->data)
        memset(b->data + b->len + LAKE_BUF_PADDING - z, 0, z);
}

/** Appends one byte. */
static inline void lake_buf_putc(lake_buf *b, uint8_t c) {
    if (b->len + 1 + LAKE_BUF_PADDING > b->cap)
        lake_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len + LAKE_BUF_PADDING - 1] = 0;
}
/** Appends the string s without its NUL. */
void lake_buf_puts(lake_buf *b, const char *s);
/** Appends printf-style formatted text (without a NUL). */
void lake_buf_printf(lake_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Makes the buffer exactly n bytes long (growing with zero bytes or truncating). */
void lake_buf_resize(lake_buf *b, size_t n);

/** Arena: many small allocations freed at once. Pointers stay valid until lake_arena_free. */
typedef struct lake_arena lake_arena;
/** A new arena that reserves memory in blocks of block_size bytes (0 picks 1 MiB). */
lake_arena *lake_arena_create(size_t block_size);
/** Frees every allocation of a at once; accepts NULL. */
void lake_arena_free(lake_arena *a);
/** n bytes from the arena, 8-byte aligned; never NULL. */
void *lake_arena_alloc(lake_arena *a, size_t n);
/** Copies n bytes and a terminating NUL into the arena. */
char *lake_arena_strndup(lake_arena *a, const char *s, size_t n);
/** Bytes the arena has reserved from the system. */
size_t lake_arena_bytes(const lake_arena *a);

#endif
