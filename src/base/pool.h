/* Parallel loops over index ranges, and the first failure among their tasks. Uses pthreads only.
 */
#ifndef LAKE_POOL_H
#define LAKE_POOL_H

#include "lake/common.h"

#include <stdbool.h>

/* Runs fn(ctx, i, worker) for i in [0, n) on nthreads threads (worker in [0, nthreads)), handing
 * out indices in ascending order. Stops handing out work after the first non-zero return and
 * returns the non-zero code of the lowest index that failed, or 0. */
typedef int (*lake_task_fn)(void *ctx, size_t i, unsigned worker);
int lake_parallel_for(unsigned nthreads, size_t n, lake_task_fn fn, void *ctx);

/* The first failure of a parallel task, by lowest task index (so the message is deterministic). */
typedef struct {
    void *mu; /* pthread_mutex_t, hidden to keep this header light */
    size_t index;
    bool set;
    lake_error err;
} lake_first_error;

void lake_first_error_init(lake_first_error *f);
void lake_first_error_free(lake_first_error *f);
/* Keeps err when index is below every index offered so far. */
void lake_first_error_offer(lake_first_error *f, size_t index, const lake_error *err);
/* True when a failure below index has been offered. */
bool lake_first_error_before(lake_first_error *f, size_t index);

#endif
