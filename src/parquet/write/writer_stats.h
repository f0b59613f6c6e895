/* Statistics in the orders Parquet's TYPE_ORDER defines for lake's physical types: signed for
 * INT32/INT64, unsigned byte-wise for BYTE_ARRAY, numeric for DOUBLE with NaN left out and signed
 * zeros widened (min -0.0, max +0.0). INT96 gets only null_count: its TYPE_ORDER is undefined and
 * parquet-java writes no bounds for it either. Used per page and per column chunk; uses
 * writer_thrift.h to write the Statistics struct. */
#ifndef LAKE_PQ_WRITER_STATS_H
#define LAKE_PQ_WRITER_STATS_H

#include "lake/table.h"
#include "parquet/write/writer_thrift.h"

/* String bounds longer than this are not written into chunk statistics: a footer is read whole
 * by every reader. */
#define PQ_STATS_MAX_STR 4096

/* Parquet physical Type values (parquet.thrift) that lake writes. */
typedef enum {
    PQ_PHYS_INT32 = 1,
    PQ_PHYS_INT64 = 2,
    PQ_PHYS_INT96 = 3,
    PQ_PHYS_DOUBLE = 5,
    PQ_PHYS_BYTE_ARRAY = 6
} pq_phys;

typedef struct {
    pq_phys phys;
    int64_t null_count;
    int64_t nan_count;
    int64_t values; /* non-null values seen */
    int has_minmax; /* at least one non-null, non-NaN value was seen (never for INT96) */
    union {
        int64_t i;
        double f;
        lake_str s;
    } min, max;
} pq_stats;

void pq_stats_init(pq_stats *s, pq_phys phys);
void pq_stats_null(pq_stats *s);
/* Adds one non-null value given by its PLAIN bytes (byte arrays without the length prefix). The
 * bytes of a byte array must outlive the statistics: only the pointer is kept. */
void pq_stats_add(pq_stats *s, const uint8_t *v, uint32_t len);
/* Folds src into dst (same physical type). */
void pq_stats_merge(pq_stats *dst, const pq_stats *src);

/* Three-way comparison of two PLAIN-encoded bounds in the column order of phys. */
int pq_stats_cmp_bound(pq_phys phys, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* Appends the bound (is_max 0 or 1) as PLAIN bytes, zeros widened for doubles, to out, and
 * returns its length. Only valid when s->has_minmax. */
size_t pq_stats_bound(const pq_stats *s, int is_max, lake_buf *out);

/* Writes a Statistics struct as field `id` of the open struct. */
void pq_stats_write(const pq_stats *s, pq_tc *w, int16_t id);

#endif
