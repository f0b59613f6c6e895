/* Rejects counted per reason, for the run summary. */
#include "engine/ingest/reject.h"

#include <stdlib.h>
#include <string.h>

static int by_text(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int by_count(const void *a, const void *b) {
    const eng_reason_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->reason, y->reason);
}

/* Run-length counts of the sorted reasons into rc; returns how many distinct. */
static size_t count_runs(const char **r, size_t n, eng_reason_count *rc) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && !strcmp(rc[k - 1].reason, r[i]))
            rc[k - 1].count++;
        else
            rc[k++] = (eng_reason_count){r[i], 1};
    }
    return k;
}

size_t eng_reject_reasons(const eng_reject_list *l, eng_reason_count *out, size_t max,
                          uint64_t *other) {
    *other = 0;
    if (!l->n)
        return 0;
    const char **r = lake_xcalloc(l->n, sizeof *r);
    eng_reason_count *rc = lake_xcalloc(l->n, sizeof *rc);
    for (size_t i = 0; i < l->n; i++)
        r[i] = l->items[i].reason;
    qsort(r, l->n, sizeof *r, by_text);
    size_t k = count_runs(r, l->n, rc);
    qsort(rc, k, sizeof *rc, by_count);
    size_t kept = k < max ? k : max;
    memcpy(out, rc, kept * sizeof *rc);
    for (size_t i = kept; i < k; i++)
        *other += rc[i].count;
    free(r);
    free(rc);
    return kept;
}
