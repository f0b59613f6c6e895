/* The per-table figures of a load for the run summary: bytes, partitions, the largest and
 * smallest partition by rows and how many partitions of each size, from the files the load wrote
 * (load_job.tasks). */
#include "engine/load/load_job.h"

#include <stdio.h>
#include <string.h>

/* The files of one partition are consecutive tasks of the same table and directory. */
static size_t partition_end(const load_job *j, size_t i) {
    size_t k = i + 1;
    while (k < j->ntasks && j->tasks[k].table == j->tasks[i].table &&
           !strcmp(j->tasks[k].dir, j->tasks[i].dir))
        k++;
    return k;
}

static eng_part_stats partition_of(const load_job *j, size_t i, size_t end) {
    eng_part_stats p = {.files = end - i};
    size_t n = strlen(j->tasks[i].dir);
    if (n && j->tasks[i].dir[n - 1] == '/')
        n--;
    snprintf(p.dir, sizeof p.dir, "%.*s", (int)n, j->tasks[i].dir);
    for (size_t k = i; k < end; k++) {
        p.rows += j->tasks[k].rows;
        p.bytes += j->tasks[k].bytes;
    }
    return p;
}

unsigned eng_part_class(uint64_t rows) {
    unsigned k = 0;
    while (rows && k < ENG_PART_CLASSES - 1) {
        rows >>= 1;
        k++;
    }
    return k;
}

static void add_partition(eng_table_stats *ts, const eng_part_stats *p) {
    ts->classes[eng_part_class(p->rows)]++;
    if (!ts->partitions || p->rows > ts->largest.rows)
        ts->largest = *p;
    if (!ts->partitions || p->rows < ts->smallest.rows)
        ts->smallest = *p;
    ts->partitions++;
    ts->rows += p->rows;
    ts->bytes += p->bytes;
}

void eng_table_stats_fill(load_job *j, const eng_table *tables, size_t ntables) {
    eng_table_stats *st = j->stats->tables;
    if (!st)
        return;
    memset(st, 0, ntables * sizeof *st);
    for (size_t i = 0; i < j->ntasks;) {
        size_t end = partition_end(j, i);
        for (size_t t = 0; t < ntables; t++)
            if (j->tasks[i].table == &tables[t]) {
                eng_part_stats p = partition_of(j, i, end);
                add_partition(&st[t], &p);
            }
        i = end;
    }
}
