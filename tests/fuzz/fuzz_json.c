/* libFuzzer target for JSON record extraction (json/json.h).
 *
 * Build and run (from the repository root; B sets tiny stream batches to force many restarts):
 *   mkdir -p build/fuzz
 *   S="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude -Isrc"
 *   S="$S -D_GNU_SOURCE -fsanitize=fuzzer-no-link"
 *   B="-DLJ_BATCH_MAX=256 -DLJ_BATCH_MIN=64 -DLJ_SLOW_TAIL=32"
 *   clang++ -std=c++17 $S $B -c src/json/extract.cc -o build/fuzz/extract.o
 *   for f in tests/fuzz/fuzz_json.c $(find src/base -name '*.c'); do
 *       clang -std=c11 $S -c $f -o build/fuzz/$(basename $f .c).o; done
 *   clang++ $S -fsanitize=fuzzer -o build/fuzz/fuzz_json build/fuzz/[a-z]*.o \
 *       -lsimdjson -lm -pthread
 *   mkdir -p build/fuzz/corpus
 *   build/fuzz/fuzz_json -max_total_time=300 build/fuzz/corpus tests/fuzz/corpus_json
 *
 * Besides memory safety it checks the extractor's promises: records come in input order without
 * overlapping, raw text lies inside the input, line numbers match the newlines before each record,
 * and every record delivered as good is also good (once) when extracted alone. */
#include "json/json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fields[] = {"a", "b", "ts", "userId", "", "song", "length", "page"};
#define NF (sizeof fields / sizeof fields[0])

typedef struct {
    const char *buf;
    size_t len;
    size_t last_end;
    size_t good, bad;
    unsigned sink;
    size_t kept, starts[64], lens[64]; /* the first good records, to re-extract alone */
} fuzz_state;

static void check_record(fuzz_state *st, const lj_record *rec) {
    if (rec->raw < st->buf || rec->raw + rec->raw_len > st->buf + st->len || rec->raw_len == 0)
        abort();
    size_t start = (size_t)(rec->raw - st->buf);
    if (start < st->last_end)
        abort(); /* out of order or overlapping */
    st->last_end = start + rec->raw_len;
    size_t line = 1;
    for (size_t i = 0; i < start; i++)
        line += st->buf[i] == '\n';
    if (line != rec->line)
        abort();
}

static int on_rec(void *ctx, const lj_record *rec, const lj_value *vals) {
    fuzz_state *st = ctx;
    check_record(st, rec);
    if (rec->raw[0] != '{' || rec->raw[rec->raw_len - 1] != '}')
        abort();
    for (size_t i = 0; i < NF; i++) {
        if (vals[i].kind > LJ_OBJECT)
            abort();
        if (vals[i].kind == LJ_STRING)
            for (size_t k = 0; k < vals[i].len; k++)
                st->sink += (unsigned char)vals[i].s[k]; /* lets ASan see every byte */
        if (vals[i].kind == LJ_INT && (double)vals[i].i != vals[i].d)
            abort();
    }
    if (st->kept < 64) {
        st->starts[st->kept] = (size_t)(rec->raw - st->buf);
        st->lens[st->kept++] = rec->raw_len;
    }
    st->good++;
    return 0;
}

static int on_err(void *ctx, const lj_record *rec, const char *reason) {
    fuzz_state *st = ctx;
    check_record(st, rec);
    if (!reason || !*reason || strchr(reason, '\n'))
        abort();
    st->bad++;
    return 0;
}

static lj_extractor *extractor;

static void extract(const char *buf, size_t len, fuzz_state *st) {
    memset(st, 0, sizeof *st);
    st->buf = buf;
    st->len = len;
    lake_error err;
    if (lj_extract(extractor, buf, len, on_rec, on_err, st, &err) != LAKE_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!extractor)
        extractor = lj_extractor_create(fields, NF);
    char *buf = malloc(size + LJ_PADDING);
    memcpy(buf, data, size);
    memset(buf + size, 0, LJ_PADDING);
    fuzz_state st;
    extract(buf, size, &st);

    /* Each good record, alone, is exactly one good record. */
    for (size_t n = 0; n < st.kept; n++) {
        char *one = malloc(st.lens[n] + LJ_PADDING);
        memcpy(one, buf + st.starts[n], st.lens[n]);
        memset(one + st.lens[n], 0, LJ_PADDING);
        fuzz_state alone;
        extract(one, st.lens[n], &alone);
        if (alone.good != 1 || alone.bad != 0)
            abort();
        free(one);
    }
    free(buf);
    return 0;
}
