/* The figures of the run summary that the engine keeps in its own shapes: rejects per reason and
 * per-table partitions, copied into lake_run_summary. */
#include "jobs/sparkify/sparkify.h"

#include <stdio.h>

void sp_summary_reasons(const eng_reject_list *l, lake_run_summary *sum) {
    eng_reason_count rc[LAKE_SUMMARY_MAX_REASONS];
    sum->nreasons = eng_reject_reasons(l, rc, LAKE_SUMMARY_MAX_REASONS, &sum->reasons_other);
    for (size_t i = 0; i < sum->nreasons; i++) {
        lake_reason_summary *r = &sum->reasons[i];
        snprintf(r->reason, sizeof r->reason, "%s", rc[i].reason);
        r->count = rc[i].count;
    }
}

static lake_partition_summary part_copy(const eng_part_stats *p) {
    lake_partition_summary s = {.rows = p->rows, .bytes = p->bytes, .files = p->files};
    snprintf(s.dir, sizeof s.dir, "%s", p->dir);
    return s;
}

void sp_summary_tables(const eng_table_stats *tables, lake_run_summary *sum) {
    for (int t = 0; t < LAKE_TABLE_COUNT; t++) {
        lake_table_summary *s = &sum->tables[t];
        s->bytes = tables[t].bytes;
        s->partitions = tables[t].partitions;
        s->largest = part_copy(&tables[t].largest);
        s->smallest = part_copy(&tables[t].smallest);
    }
}
