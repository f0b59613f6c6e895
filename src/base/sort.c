/* LSD radix sort of int64: the distinct-timestamp set at 3M events sorts in tens of
 * milliseconds instead of the few hundred qsort needs. */
#include "base/sort.h"
#include "lake/common.h"

#include <stdlib.h>
#include <string.h>

/* Flipping the sign bit makes unsigned byte order equal signed order. */
static uint64_t key_of(int64_t v) {
    return (uint64_t)v ^ 0x8000000000000000ULL;
}

void lake_sort_i64(int64_t *a, size_t n) {
    if (n < 2)
        return;
    int64_t *tmp = lake_xmalloc(n * sizeof *tmp), *src = a, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((key_of(src[i]) >> shift) & 0xff) + 1]++;
        if (count[((key_of(src[0]) >> shift) & 0xff) + 1] == n)
            continue; /* every key has the same byte here: nothing to move */
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            dst[count[(key_of(src[i]) >> shift) & 0xff]++] = src[i];
        int64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
    free(tmp);
}
