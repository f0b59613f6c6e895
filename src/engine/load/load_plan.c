/* Load planning: one file per partition of each table held in memory (split at
 * max_rows_per_file), and the order the workers take the files in. */
#include "engine/load/load_job.h"
#include "engine/load/partition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void append_value(lake_buf *b, const lake_col *c, size_t row) {
    char num[32];
    if (!c->valid[row]) {
        lake_partition_append(b, c->name, NULL, 0);
        return;
    }
    switch (c->type) {
    case LAKE_T_STRING:
        lake_partition_append(b, c->name, c->v.str[row].ptr, c->v.str[row].len);
        return;
    case LAKE_T_INT32:
        snprintf(num, sizeof num, "%d", c->v.i32[row]);
        break;
    default:
        snprintf(num, sizeof num, "%lld", (long long)c->v.i64[row]);
        break;
    }
    lake_partition_append(b, c->name, num, strlen(num));
}

char *eng_partition_dir(const eng_table *t, size_t row) {
    lake_buf b;
    lake_buf_init(&b);
    for (size_t k = 0; k < t->npart; k++)
        append_value(&b, &t->cols[t->part_cols[k]], row);
    char *s = lake_xstrndup(b.data ? (const char *)b.data : "", b.len);
    lake_buf_free(&b);
    return s;
}

static bool same_partition(const eng_table *t, size_t a, size_t b) {
    for (size_t k = 0; k < t->npart; k++)
        if (lake_col_cmp(&t->cols[t->part_cols[k]], a, b) != 0)
            return false;
    return true;
}

/* One task per file: a partition's rows [start, end), split in files of at most
 * --max-rows-per-file rows (c000, c001, ... as Spark numbers them). */
static void add_task(load_job *j, eng_table *t, size_t start, size_t end) {
    uint64_t per_file = j->opts->max_rows_per_file;
    unsigned file_no = 0;
    do {
        size_t stop = per_file && end - start > per_file ? start + per_file : end;
        if (j->ntasks == j->cap) {
            j->cap = j->cap ? j->cap * 2 : 64;
            j->tasks = lake_xrealloc(j->tasks, j->cap * sizeof *j->tasks);
        }
        j->tasks[j->ntasks++] = (part_task){
            t, start, stop, eng_partition_dir(t, start), NULL, NULL, file_no, stop - start, 0};
        file_no++;
        start = stop;
    } while (start < end);
}

size_t eng_table_partitions(const eng_table *t, size_t **ends) {
    size_t n = t->ncols ? t->cols[0].len : 0, k = 0;
    *ends = lake_xcalloc(n + 1, sizeof **ends);
    if (t->npart == 0) {
        (*ends)[k++] = n;
        return k;
    }
    for (size_t i = 1; i <= n; i++)
        if (i == n || !same_partition(t, i - 1, i))
            (*ends)[k++] = i;
    return k;
}

/* One task per partition this process writes; an unpartitioned table is one task even when
 * empty, so its file still carries the schema. */
static void plan_table(load_job *j, eng_table *t) {
    size_t *ends = NULL, nparts = eng_table_partitions(t, &ends), start = 0;
    for (size_t k = 0; k < nparts; k++) {
        if (!t->part_writer || t->part_writer[k] == t->part_self)
            add_task(j, t, start, ends[k]);
        start = ends[k];
    }
    free(ends);
}

void eng_plan_all(load_job *j, eng_table *tables, eng_rowsrc *const *srcs, size_t ntables) {
    size_t maxrows = 0;
    j->streams = lake_xcalloc(ntables + 1, sizeof *j->streams);
    for (size_t t = 0; t < ntables; t++) {
        if (srcs && srcs[t]) {
            j->streams[j->nstreams++] = (stream_task){&tables[t], srcs[t], NULL, 0, 0};
            continue;
        }
        plan_table(j, &tables[t]);
        size_t n = tables[t].ncols ? tables[t].cols[0].len : 0;
        maxrows = n > maxrows ? n : maxrows;
    }
    j->identity = lake_xcalloc(maxrows + 1, sizeof *j->identity);
    for (size_t i = 0; i < maxrows; i++)
        j->identity[i] = (uint32_t)i;
}

/* Workers take tasks from `threads` different stripes of the (sorted) task list, so at any
 * moment they create directories under different parents instead of queueing on one parent's
 * lock (a table like songs has tens of thousands of artist_id= directories under year=0). */
void eng_stripe_order(load_job *j, unsigned threads) {
    size_t n = j->ntasks, stripes = threads ? threads : 1, len = (n + stripes - 1) / stripes, k = 0;
    j->order = lake_xcalloc(n + 1, sizeof *j->order);
    for (size_t pos = 0; pos < len; pos++)
        for (size_t st = 0; st < stripes; st++)
            if (st * len + pos < n)
                j->order[k++] = st * len + pos;
}
