/* Column chunk statistics in the orders Parquet's TYPE_ORDER defines for lake's types: signed for
 * INT32/INT64/TIMESTAMP, unsigned byte-wise for strings, numeric for doubles with NaN left out
 * and signed zeros widened (min -0.0, max +0.0). */
#ifndef LAKE_PQ_STATS_H
#define LAKE_PQ_STATS_H

#include "lake/table.h"
#include "parquet/thrift.h"

/* String bounds longer than this are not written: a footer is read whole by every reader, and a
 * truncated bound would need care to stay valid UTF-8. */
#define PQ_STATS_MAX_STR 4096

typedef struct {
    lake_type type;
    int64_t null_count;
    int64_t nan_count;
    int has_minmax; /* at least one non-null, non-NaN value was seen */
    union {
        int64_t i;
        double f;
        lake_str s;
    } min, max;
} pq_stats;

void pq_stats_init(pq_stats *s, lake_type type);
void pq_stats_null(pq_stats *s);
/* Adds value slot `row` of column c (which must be valid there). */
void pq_stats_add(pq_stats *s, const lake_col *c, size_t row);
/* Writes a Statistics struct as field `id` of the open struct. */
void pq_stats_write(const pq_stats *s, pq_tc *w, int16_t id);

#endif
