/* The time table's row source (src/jobs/sparkify/facts.c): whatever the workers' timestamp vectors
 * hold (runs in order, out of order, repeats within and across workers, empty), it gives each
 * distinct timestamp once, ascending, and says how many up front. Checked against qsort + dedup. */
#include "jobs/sparkify/sparkify.h"
#include "unit.h"

#include <stdlib.h>

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The expected rows: every value of every vector, sorted, repeats dropped. */
static size_t expected(int64_t *const *vecs, const size_t *lens, unsigned n, int64_t **out) {
    size_t total = 0, k = 0;
    for (unsigned w = 0; w < n; w++)
        total += lens[w];
    int64_t *all = calloc(total + 1, sizeof *all);
    for (unsigned w = 0; w < n; w++)
        for (size_t i = 0; i < lens[w]; i++)
            all[k++] = vecs[w][i];
    qsort(all, total, sizeof *all, cmp_i64);
    size_t m = 0;
    for (size_t i = 0; i < total; i++)
        if (m == 0 || all[m - 1] != all[i])
            all[m++] = all[i];
    *out = all;
    return m;
}

/* Runs the source over n workers' vectors (copied into the states, which it takes over). */
static void check_source(int64_t *const *vecs, const size_t *lens, unsigned n) {
    event_state *states = calloc(n + 1, sizeof *states);
    for (unsigned w = 0; w < n; w++) {
        states[w].ts = malloc((lens[w] + 1) * sizeof *states[w].ts);
        if (lens[w])
            memcpy(states[w].ts, vecs[w], lens[w] * sizeof *states[w].ts);
        states[w].nts = states[w].capts = lens[w];
    }
    int64_t *want;
    size_t nwant = expected(vecs, lens, n, &want);
    eng_table t;
    eng_rowsrc src;
    spk_time_source(states, n, &t, &src);
    CHECK_EQ_INT(src.rows, nwant);
    int64_t part;
    while (src.peek(src.ud, &part))
        src.take(src.ud, &t);
    CHECK_EQ_INT(t.cols[0].len, nwant);
    size_t bad = 0;
    for (size_t i = 0; i < nwant && i < t.cols[0].len; i++)
        bad += t.cols[0].v.i64[i] != want[i] * 1000;
    CHECK_EQ_INT(bad, 0);
    src.free(src.ud);
    eng_table_free(&t);
    for (unsigned w = 0; w < n; w++)
        spk_event_state_free(&states[w]);
    free(states);
    free(want);
}

/* A vector of `runs` ascending runs of `len` values each, from a seeded generator; `dup` in 8
 * values repeat one from earlier in the same vector. */
static int64_t *runs_vector(unsigned seed, size_t runs, size_t len, unsigned dup, size_t *n) {
    int64_t *v = malloc((runs * len + 1) * sizeof *v);
    unsigned s = seed * 2654435761u + 1;
    size_t k = 0;
    for (size_t r = 0; r < runs; r++) {
        int64_t t = 1541030400000 + (int64_t)(s % 100000);
        for (size_t i = 0; i < len; i++) {
            s = s * 1103515245u + 12345u;
            t += 1 + (s >> 16) % 50;
            int64_t x = (k > 0 && (s >> 8) % 8 < dup) ? v[(s >> 4) % k] : t;
            v[k++] = x;
        }
    }
    *n = k;
    return v;
}

static void check_runs(unsigned n, size_t runs, size_t len, unsigned dup) {
    int64_t *vecs[64] = {0};
    size_t lens[64] = {0};
    for (unsigned w = 0; w < n; w++)
        vecs[w] = runs_vector(w + 1 + (unsigned)(runs * 7 + len), runs, len, dup, &lens[w]);
    check_source(vecs, lens, n);
    for (unsigned w = 0; w < n; w++)
        free(vecs[w]);
}

UNIT_TEST(time_source_no_workers_and_empty_vectors) {
    check_source(NULL, NULL, 0);
    int64_t one[] = {5};
    int64_t *vecs[] = {NULL, one, NULL};
    size_t lens[] = {0, 1, 0};
    check_source(vecs, lens, 3);
    check_source(vecs, lens, 1);
}

UNIT_TEST(time_source_repeats_across_workers) {
    int64_t a[] = {1, 3, 5, 7}, b[] = {3, 4, 5, 9}, c[] = {1, 9};
    int64_t *vecs[] = {a, b, c};
    size_t lens[] = {4, 4, 2};
    check_source(vecs, lens, 3);
}

UNIT_TEST(time_source_runs_merged_or_sorted) {
    check_runs(1, 1, 1000, 0); /* one run */
    check_runs(2, 3, 500, 0);  /* a few runs per worker: merged */
    check_runs(2, 40, 50, 1);  /* more than a worker's share (8): sorted, repeats dropped */
    check_runs(3, 5, 200, 2);  /* share 5: merged, repeats within a vector */
    check_runs(20, 2, 100, 1); /* more workers than TS_MERGE_RUNS: share 1 */
    check_runs(1, 2000, 1, 0); /* descending values: a run per value */
}
