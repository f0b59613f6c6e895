/* Input decompression chosen by object name: ".gz" (gzip, zlib) and ".zst" (zstd).
 *
 * The caller holds the compressed bytes and receives the plain bytes in a lake_buf, whose zeroed
 * padding lets them go straight to the JSON extractor: whole, or a chunk at a time through a
 * callback (lake_inflate_auto_stream). */
#ifndef LAKE_INFLATE_H
#define LAKE_INFLATE_H

#include "lake/common.h"

#include <stdbool.h>

/* Hard cap on the decompressed size of one object. */
#define LAKE_INFLATE_MAX ((size_t)4 << 30)

/* If name ends in ".gz" (gzip; several concatenated members are read as one stream, trailing zero
 * bytes are ignored) or ".zst" (zstd; any number of frames, content size not needed), decompresses
 * in[0..len) and appends the result to out, sets *did = 1 and returns LAKE_OK. The suffix is
 * matched case-insensitively. For any other name sets *did = 0 and leaves out untouched.
 * On failure returns LAKE_ERR_CODEC ("<name>: truncated gzip stream", "<name>: corrupt zstd
 * stream: ...") or LAKE_ERR_LIMIT (output would exceed LAKE_INFLATE_MAX), with out restored to its
 * length before the call; *did is 1 whenever the name asked for decompression. */
lake_rc lake_inflate_auto(const char *name, const uint8_t *in, size_t len, lake_buf *out, int *did,
                          lake_error *err);

/* True when lake_inflate_auto would decompress an object of this name (".gz", ".zst", any case). */
bool lake_inflate_named(const char *name);

/* As lake_inflate_auto with a caller-chosen cap on the output size (max_out bytes). */
lake_rc lake_inflate_auto_max(const char *name, const uint8_t *in, size_t len, lake_buf *out,
                              int *did, size_t max_out, lake_error *err);

/* lake_inflate_auto for objects too large to hold decompressed: bytes are appended to out as
 * they are decoded, and each time out holds at least `chunk` bytes after where it started, and
 * once more at the end with last = true, fn(ud, out, start, last, err) is called. fn may consume
 * a prefix of out[start..] (moving the rest down to start and shortening out, padding kept); what
 * it leaves stays for the next call. fn's error stops decoding and is returned. The
 * LAKE_INFLATE_MAX cap counts every byte decoded. */
typedef lake_rc (*lake_inflate_fn)(void *ud, lake_buf *out, size_t start, bool last,
                                   lake_error *err);
lake_rc lake_inflate_auto_stream(const char *name, const uint8_t *in, size_t len, lake_buf *out,
                                 int *did, size_t chunk, lake_inflate_fn fn, void *ud,
                                 lake_error *err);

#endif
