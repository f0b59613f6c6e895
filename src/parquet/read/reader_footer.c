/* pq_read_footer: finds the footer of a Parquet file (magic at both ends, length), then decodes
 * it (reader_decode.c) and validates it (reader_check.c). */
#include "lake/pqread.h"

#include "parquet/read/reader_check.h"
#include "parquet/read/reader_decode.h"

#include <stdlib.h>
#include <string.h>

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

lake_rc pq_read_footer(const uint8_t *file, size_t len, pq_file_meta **out, lake_error *err) {
    *out = NULL;
    if (len < 12)
        return lake_error_set(err, LAKE_ERR_PARSE,
                              "file is %zu bytes, too short for Parquet (at least 12)", len);
    /* An encrypted footer: PARE at both ends (a plaintext footer of an encrypted file has PAR1,
     * and pq_meta_decode tells it by its encryption_algorithm). */
    if (memcmp(file, "PARE", 4) == 0 || memcmp(file + len - 4, "PARE", 4) == 0)
        return lake_error_set(err, LAKE_ERR_UNSUPPORTED,
                              "encrypted Parquet is not supported: the footer is encrypted "
                              "(magic PARE)");
    if (memcmp(file, "PAR1", 4) != 0)
        return lake_error_set(err, LAKE_ERR_PARSE,
                              "not a Parquet file: no magic PAR1 at the start");
    if (memcmp(file + len - 4, "PAR1", 4) != 0)
        return lake_error_set(err, LAKE_ERR_PARSE,
                              "no magic PAR1 at the end (truncated or not a Parquet file)");
    uint32_t flen = le32(file + len - 8);
    if ((uint64_t)flen > len - 12)
        return lake_error_set(err, LAKE_ERR_PARSE,
                              "footer length %u exceeds file size %zu (at most %zu fits)", flen,
                              len, len - 12);
    pq_file_meta *m = lake_xcalloc(1, sizeof *m);
    m->arena = lake_arena_create(64 * 1024);
    m->file_size = len;
    m->footer_len = flen;
    m->footer_offset = len - 8 - flen;
    pq_meta_reader r = {.arena = m->arena};
    pq_td_init(&r.d, file + m->footer_offset, flen, m->footer_offset, "footer", err);
    lake_rc rc = pq_meta_decode(&r, m);
    if (!rc)
        rc = pq_meta_check(&r, m);
    if (rc) {
        pq_file_meta_free(m);
        return rc;
    }
    *out = m;
    return LAKE_OK;
}

void pq_file_meta_free(pq_file_meta *m) {
    if (!m)
        return;
    lake_arena_free(m->arena);
    free(m);
}
