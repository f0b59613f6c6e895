/* Progress counters (lake/progress.h): relaxed atomic additions by the workers; the stage name is
 * published with release order after its counters are zeroed, and read with acquire order. */
#include "lake/progress.h"

#include <stddef.h>

#define RELAXED memory_order_relaxed

void lake_progress_stage(lake_progress *p, const char *stage) {
    if (!p)
        return;
    atomic_store_explicit(&p->objects_done, 0, RELAXED);
    atomic_store_explicit(&p->objects_total, 0, RELAXED);
    atomic_store_explicit(&p->bytes_done, 0, RELAXED);
    atomic_store_explicit(&p->bytes_total, 0, RELAXED);
    atomic_store_explicit(&p->rows_done, 0, RELAXED);
    atomic_store_explicit(&p->rows_total, 0, RELAXED);
    atomic_store_explicit(&p->stage, stage, memory_order_release);
}

void lake_progress_plan(lake_progress *p, uint64_t objects, uint64_t bytes, uint64_t rows) {
    if (!p)
        return;
    atomic_fetch_add_explicit(&p->objects_total, objects, RELAXED);
    atomic_fetch_add_explicit(&p->bytes_total, bytes, RELAXED);
    atomic_fetch_add_explicit(&p->rows_total, rows, RELAXED);
}

void lake_progress_add(lake_progress *p, uint64_t objects, uint64_t bytes, uint64_t rows,
                       uint64_t files) {
    if (!p)
        return;
    if (objects)
        atomic_fetch_add_explicit(&p->objects_done, objects, RELAXED);
    if (bytes)
        atomic_fetch_add_explicit(&p->bytes_done, bytes, RELAXED);
    if (rows)
        atomic_fetch_add_explicit(&p->rows_done, rows, RELAXED);
    if (files)
        atomic_fetch_add_explicit(&p->files_written, files, RELAXED);
}

void lake_progress_where(lake_progress *p, unsigned rank, unsigned ranks) {
    if (!p)
        return;
    atomic_store_explicit(&p->rank, rank, RELAXED);
    atomic_store_explicit(&p->ranks, ranks, RELAXED);
}

void lake_progress_read(const lake_progress *p, lake_progress_view *v) {
    *v = (lake_progress_view){0};
    if (!p)
        return;
    /* C11's atomic_load takes a pointer to non-const (C17 relaxed that); nothing here writes. */
    lake_progress *q = (lake_progress *)p;
    v->stage = atomic_load_explicit(&q->stage, memory_order_acquire);
    v->objects_done = atomic_load_explicit(&q->objects_done, RELAXED);
    v->objects_total = atomic_load_explicit(&q->objects_total, RELAXED);
    v->bytes_done = atomic_load_explicit(&q->bytes_done, RELAXED);
    v->bytes_total = atomic_load_explicit(&q->bytes_total, RELAXED);
    v->rows_done = atomic_load_explicit(&q->rows_done, RELAXED);
    v->rows_total = atomic_load_explicit(&q->rows_total, RELAXED);
    v->files_written = atomic_load_explicit(&q->files_written, RELAXED);
    v->rank = atomic_load_explicit(&q->rank, RELAXED);
    v->ranks = atomic_load_explicit(&q->ranks, RELAXED);
}
