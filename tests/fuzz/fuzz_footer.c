/* libFuzzer target for the Parquet footer reader (lake/pqread.h).
 *
 * tests/fuzz/run.sh builds and runs it against the whole library; alone (from the repository
 * root), the reader needs only src/parquet/read/ and a few base files:
 *   mkdir -p build/fuzz
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *       -Iinclude -Isrc -D_GNU_SOURCE -o build/fuzz/fuzz_footer tests/fuzz/fuzz_footer.c \
 *       src/parquet/read/reader_*.c src/base/alloc.c src/base/arena.c src/base/buf.c \
 *       src/base/civil.c src/base/error.c -lz -lm
 *   mkdir -p build/fuzz/corpus_footer
 *   build/fuzz/fuzz_footer -max_total_time=300 -max_len=8192 build/fuzz/corpus_footer \
 *       tests/fuzz/corpus_footer
 *
 * Each input is tried twice: as a whole file, and wrapped as a footer ("PAR1" input length
 * "PAR1"), so mutations explore the Thrift structures without having to keep the footer length
 * right. Besides memory safety it checks the reader's promises: an error always carries a
 * message, and accepted metadata is self-consistent (leaves inside the schema, chunks per leaf,
 * strings NUL-terminated at their length, offsets inside the file). */
#include "lake/pqread.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_str(const pq_str *s) {
    if (s->ptr && s->ptr[s->len] != 0)
        abort();
}

static void check_value(const pq_schema_elem *leaf, const pq_str *s) {
    if (!s->ptr)
        return;
    check_str(s);
    pq_value v;
    pq_value_decode(leaf, (const uint8_t *)s->ptr, s->len, &v);
    if (memchr(v.text, 0, sizeof v.text) == NULL)
        abort();
}

static void check_meta(const uint8_t *data, size_t len, const pq_file_meta *m) {
    char buf[128];
    if (m->footer_offset + m->footer_len + 8 != len || m->nschema == 0)
        abort();
    for (size_t i = 0; i < m->nschema; i++) {
        const pq_schema_elem *e = &m->schema[i];
        check_str(&e->name);
        check_str(&e->path);
        pq_logical_format(&e->logical, buf, sizeof buf);
        (void)pq_converted_type_name(e->converted_type);
    }
    for (size_t c = 0; c < m->nleaves; c++)
        if (m->leaves[c] == 0 || m->leaves[c] >= m->nschema ||
            m->schema[m->leaves[c]].leaf_index != (int32_t)c)
            abort();
    for (size_t g = 0; g < m->nrow_groups; g++) {
        const pq_row_group *rg = &m->row_groups[g];
        if (rg->ncolumns != m->nleaves)
            abort();
        for (size_t c = 0; c < rg->ncolumns; c++) {
            const pq_column_chunk *cc = &rg->columns[c];
            const pq_schema_elem *leaf = &m->schema[m->leaves[c]];
            if (!cc->file_path.ptr &&
                (cc->data_page_offset < 4 || (uint64_t)cc->data_page_offset >= m->footer_offset))
                abort();
            for (size_t i = 0; i < cc->nencodings; i++)
                (void)pq_encoding_name(cc->encodings[i]);
            (void)pq_codec_name(cc->codec);
            check_value(leaf, &cc->stats.min);
            check_value(leaf, &cc->stats.max);
            check_value(leaf, &cc->stats.min_value);
            check_value(leaf, &cc->stats.max_value);
            pq_chunk_scan sc;
            lake_error err = {0};
            if (!cc->file_path.ptr && pq_scan_chunk(data, len, cc, &sc, &err) && !err.msg[0])
                abort();
        }
    }
}

static void try_file(const uint8_t *data, size_t len) {
    pq_file_meta *m = NULL;
    lake_error err = {0};
    lake_rc rc = pq_read_footer(data, len, &m, &err);
    if (rc) {
        if (m || !err.msg[0] || err.rc != rc)
            abort();
        return;
    }
    check_meta(data, len, m);
    pq_file_meta_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    try_file(data, size);
    /* The input as a footer, behind four bytes of "data" so offsets >= 4 can be valid. */
    size_t n = 8 + size + 8;
    uint8_t *f = malloc(n);
    memcpy(f, "PAR1\0\0\0\0", 8);
    memcpy(f + 8, data, size);
    uint32_t fl = (uint32_t)size;
    for (int i = 0; i < 4; i++)
        f[8 + size + i] = (uint8_t)(fl >> (8 * i));
    memcpy(f + n - 4, "PAR1", 4);
    try_file(f, n);
    free(f);
    return 0;
}
