/* The job's summary from its ranks' (dist.h): counts summed, wall times of the slowest rank, CPU
 * times summed, each table's largest and smallest partition over all ranks, and one entry per
 * rank. Rank 0's rejects and reasons are the job's already (spk_dist_rejects). */
#include "cluster/wire.h"
#include "jobs/sparkify/dist.h"

#include <stdlib.h>
#include <string.h>

/* Figures that are per rank and add up: records read, rows and files written, bytes. */
static void sum_counts(cl_comm *c, lake_run_summary *s) {
    uint64_t v[7 + 3 * LAKE_TABLE_COUNT];
    size_t k = 0;
    v[k++] = s->bad_records; /* rank 0's: it has them all */
    v[k++] = s->song_records;
    v[k++] = s->event_records;
    v[k++] = s->nextsong_events;
    v[k++] = s->bytes_written;
    v[k++] = s->spilled_runs;
    v[k++] = s->spilled_bytes;
    for (int t = 0; t < LAKE_TABLE_COUNT; t++) {
        v[k++] = s->files[t];
        v[k++] = s->tables[t].bytes;
        v[k++] = s->tables[t].partitions;
    }
    cl_allreduce(c, v, k, CL_SUM);
    k = 0;
    s->bad_records = v[k++];
    s->song_records = v[k++];
    s->event_records = v[k++];
    s->nextsong_events = v[k++];
    s->bytes_written = v[k++];
    s->spilled_runs = v[k++];
    s->spilled_bytes = v[k++];
    for (int t = 0; t < LAKE_TABLE_COUNT; t++) {
        s->files[t] = v[k++];
        s->tables[t].bytes = v[k++];
        s->tables[t].partitions = v[k++];
    }
}

/* Seconds as microseconds, for an integer all-reduce. */
static void reduce_times(cl_comm *c, double *t[8], cl_op op) {
    uint64_t v[8];
    for (int i = 0; i < 8; i++)
        v[i] = (uint64_t)(*t[i] * 1e6 + 0.5);
    cl_allreduce(c, v, 8, op);
    for (int i = 0; i < 8; i++)
        *t[i] = (double)v[i] / 1e6;
}

static void reduce_stage_times(cl_comm *c, lake_run_summary *s) {
    double *wall[8] = {&s->t_list,  &s->t_songs,  &s->t_events,  &s->t_transform,
                       &s->t_write, &s->t_commit, &s->t_cleanup, &s->t_total};
    double *cpu[8] = {&s->c_list,  &s->c_songs,  &s->c_events,  &s->c_transform,
                      &s->c_write, &s->c_commit, &s->c_cleanup, &s->c_total};
    reduce_times(c, wall, CL_MAX);
    reduce_times(c, cpu, CL_SUM);
}

/* Every rank's rows written (per table), largest and smallest partition, in rank order (ties:
 * the lower rank), and partitions per size class. */
static void merge_partitions(cl_comm *c, lake_run_summary *s, const uint64_t *rows) {
    lake_buf mine, all;
    lake_buf_init(&mine);
    lake_buf_init(&all);
    lake_buf_append(&mine, rows, LAKE_TABLE_COUNT * sizeof *rows);
    lake_buf_append(&mine, s->tables, sizeof s->tables);
    uint64_t *lens = lake_xcalloc((size_t)c->size, sizeof *lens);
    cl_allgather(c, &mine, &all, lens);
    memset(s->rows, 0, sizeof s->rows);
    for (int t = 0; t < LAKE_TABLE_COUNT; t++) {
        memset(&s->tables[t].largest, 0, sizeof s->tables[t].largest);
        memset(&s->tables[t].smallest, 0, sizeof s->tables[t].smallest);
        memset(s->tables[t].partition_classes, 0, sizeof s->tables[t].partition_classes);
    }
    size_t per = mine.len;
    for (int r = 0; r < c->size; r++) {
        const uint8_t *p = all.data + (size_t)r * per;
        uint64_t their_rows[LAKE_TABLE_COUNT];
        lake_table_summary their[LAKE_TABLE_COUNT];
        memcpy(their_rows, p, sizeof their_rows);
        memcpy(their, p + sizeof their_rows, sizeof their);
        for (int t = 0; t < LAKE_TABLE_COUNT; t++) {
            s->rows[t] += their_rows[t];
            lake_table_summary *ts = &s->tables[t];
            for (int k = 0; k < LAKE_PARTITION_CLASSES; k++)
                ts->partition_classes[k] += their[t].partition_classes[k];
            if (!their[t].largest.files)
                continue; /* that rank wrote no partition of t */
            if (!ts->largest.files || their[t].largest.rows > ts->largest.rows)
                ts->largest = their[t].largest;
            if (!ts->smallest.files || their[t].smallest.rows < ts->smallest.rows)
                ts->smallest = their[t].smallest;
        }
    }
    free(lens);
    lake_buf_free(&mine);
    lake_buf_free(&all);
}

void spk_dist_summary(cl_comm *c, lake_run_summary *s, const lake_rank_summary *mine) {
    uint64_t rows[LAKE_TABLE_COUNT];
    memcpy(rows, s->rows, sizeof rows);
    lake_buf in, all;
    lake_buf_init(&in);
    lake_buf_init(&all);
    lake_buf_append(&in, mine, sizeof *mine);
    uint64_t *lens = lake_xcalloc((size_t)c->size, sizeof *lens);
    cl_allgather(c, &in, &all, lens);
    for (int r = 0; r < c->size && r < LAKE_SUMMARY_MAX_RANKS; r++)
        memcpy(&s->per_rank[r], all.data + (size_t)r * sizeof *mine, sizeof *mine);
    free(lens);
    lake_buf_free(&in);
    lake_buf_free(&all);
    sum_counts(c, s);
    reduce_stage_times(c, s);
    merge_partitions(c, s, rows);
}
