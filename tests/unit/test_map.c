#include "base/map.h"
#include "base/pool.h"
#include "unit.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

UNIT_TEST(map_smap_upsert_and_get) {
    lake_smap m;
    lake_smap_init(&m);
    char keys[1000][8];
    for (uint32_t i = 0; i < 1000; i++) {
        snprintf(keys[i], sizeof keys[i], "k%u", i);
        uint32_t v = i;
        CHECK(!lake_smap_upsert(&m, keys[i], (uint32_t)strlen(keys[i]), &v));
    }
    uint32_t v = 12345;
    CHECK(lake_smap_upsert(&m, "k7", 2, &v));
    CHECK_EQ_INT(v, 7);
    CHECK(lake_smap_get(&m, "k999", 4, &v));
    CHECK_EQ_INT(v, 999);
    CHECK(!lake_smap_get(&m, "k1000", 5, &v));
    v = 5;
    CHECK(!lake_smap_upsert(&m, "", 0, &v)); /* the empty key is a key like any other */
    CHECK(lake_smap_get(&m, "", 0, &v));
    CHECK_EQ_INT(v, 5);
    CHECK_EQ_INT(m.n, 1001);
    lake_smap_free(&m);
}

UNIT_TEST(map_smap_reserve_keeps_keys_and_never_grows_after) {
    lake_smap m;
    lake_smap_init(&m);
    char keys[600][8];
    for (uint32_t i = 0; i < 600; i++)
        snprintf(keys[i], sizeof keys[i], "k%u", i);
    for (uint32_t i = 0; i < 10; i++) { /* keys present before the reserve survive its rehash */
        uint32_t v = i;
        CHECK(!lake_smap_upsert(&m, keys[i], (uint32_t)strlen(keys[i]), &v));
    }
    lake_smap_reserve(&m, 600);
    size_t cap = m.cap;
    CHECK(cap >= 1200);
    for (uint32_t i = 10; i < 600; i++) {
        uint32_t v = i;
        CHECK(!lake_smap_upsert(&m, keys[i], (uint32_t)strlen(keys[i]), &v));
    }
    CHECK_EQ_INT(m.cap, cap);
    for (uint32_t i = 0; i < 600; i++) {
        uint32_t v = 0;
        CHECK(lake_smap_get(&m, keys[i], (uint32_t)strlen(keys[i]), &v));
        CHECK_EQ_INT(v, i);
    }
    lake_smap_reserve(&m, 5); /* smaller than what it holds: nothing changes */
    CHECK_EQ_INT(m.cap, cap);
    lake_smap_free(&m);
}

UNIT_TEST(map_imap_negative_and_many) {
    lake_imap m;
    lake_imap_init(&m);
    for (int64_t k = -5000; k < 5000; k++) {
        uint32_t v = (uint32_t)(k + 5000);
        CHECK(!lake_imap_upsert(&m, k * 1000003, &v));
    }
    uint32_t v;
    CHECK(lake_imap_get(&m, -5000 * 1000003LL, &v));
    CHECK_EQ_INT(v, 0);
    CHECK(!lake_imap_get(&m, 1, &v));
    int64_t keys[10000];
    CHECK_EQ_INT(lake_imap_keys(&m, keys), 10000);
    lake_imap_free(&m);
}

static atomic_int visits[1000];

static int visit(void *ctx, size_t i, unsigned worker) {
    (void)ctx;
    (void)worker;
    atomic_fetch_add(&visits[i], 1);
    return i == 700 || i == 900 ? (int)i : 0;
}

UNIT_TEST(map_parallel_for_reports_lowest_failure) {
    int rc = lake_parallel_for(4, 1000, visit, NULL);
    CHECK_EQ_INT(rc, 700);
    for (int i = 0; i < 700; i++)
        CHECK_EQ_INT(atomic_load(&visits[i]), 1);
}

#include "base/sort.h"

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The radix sort against qsort: same multiset, same order, for the shapes it meets (timestamps
 * of a few weeks with repeats and descents, all equal, sorted, reversed) and sizes around the
 * insertion-sort cutoff. */
UNIT_TEST(sort_i64_radix_equals_qsort) {
    static int64_t a[20000], b[20000];
    const size_t sizes[] = {0, 1, 2, 47, 48, 49, 300, 20000};
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int shape = 0; shape < 5; shape++)
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
            size_t n = sizes[k];
            for (size_t i = 0; i < n; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                int64_t ts = 1541030400000LL + (int64_t)(x % 2592000000ULL); /* Nov 2018, ms */
                a[i] = shape == 0   ? ts - (int64_t)(x % 3 == 0 ? i : 0)
                       : shape == 1 ? 42
                       : shape == 2 ? (int64_t)i * 1000 - 7
                       : shape == 3 ? (int64_t)(n - i) * -3
                                    : (int64_t)x;
            }
            memcpy(b, a, n * sizeof *a);
            lake_sort_i64(a, n);
            if (n)
                qsort(b, n, sizeof *b, cmp_i64);
            CHECK(n == 0 || memcmp(a, b, n * sizeof *a) == 0);
        }
}

UNIT_TEST(sort_i64_radix_matches_order) {
    static int64_t a[5000];
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < 5000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        a[i] = (int64_t)x >> (i % 40); /* mixed magnitudes and signs */
    }
    a[0] = INT64_MIN;
    a[1] = INT64_MAX;
    a[2] = 0;
    a[3] = -1;
    lake_sort_i64(a, 5000);
    for (size_t i = 1; i < 5000; i++)
        CHECK(a[i - 1] <= a[i]);
    CHECK_EQ_INT(a[0], INT64_MIN);
    CHECK_EQ_INT(a[4999], INT64_MAX);
}
