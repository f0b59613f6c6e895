/* Sorting helpers for the hot paths of the transforms. */
#ifndef LAKE_SORT_H
#define LAKE_SORT_H

#include <stddef.h>
#include <stdint.h>

/* Sorts a[0..n) ascending (LSD radix sort, 8 passes of 8 bits; linear time, stable). */
void lake_sort_i64(int64_t *a, size_t n);

#endif
