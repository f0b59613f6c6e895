/* The figures of the run summary that the engine keeps in its own shapes: rejects per reason and
 * the first bad records, and per-table partitions, copied into lake_run_summary. */
#include "jobs/sparkify/sparkify.h"

#include <stdio.h>
#include <string.h>

_Static_assert(ENG_PART_CLASSES == LAKE_PARTITION_CLASSES, "one partition size class scale");

/* The index in sum->reasons of a reason, or -1 (the reasons past the kept ones). */
static int reason_index(const lake_run_summary *sum, const char *reason) {
    for (size_t i = 0; i < sum->nreasons; i++)
        if (!strncmp(sum->reasons[i].reason, reason, sizeof sum->reasons[i].reason - 1))
            return (int)i;
    return -1;
}

/* The first bad records (l is in input order), and where each kept reason was met first: one pass
 * that stops once every reason has its first. */
static void first_rejects(const eng_reject_list *l, lake_run_summary *sum) {
    bool seen[LAKE_SUMMARY_MAX_REASONS] = {false};
    size_t found = 0;
    for (size_t i = 0; i < l->n && (found < sum->nreasons || i < LAKE_SUMMARY_MAX_EXAMPLES); i++) {
        const eng_reject *r = &l->items[i];
        if (i < LAKE_SUMMARY_MAX_EXAMPLES) {
            lake_reject_example *e = &sum->examples[sum->nexamples++];
            snprintf(e->object, sizeof e->object, "%s", r->source);
            snprintf(e->reason, sizeof e->reason, "%s", r->reason);
            e->line = r->line;
        }
        int k = reason_index(sum, r->reason);
        if (k < 0 || seen[k])
            continue;
        seen[k] = true;
        snprintf(sum->reasons[k].first_object, sizeof sum->reasons[k].first_object, "%s",
                 r->source);
        sum->reasons[k].first_line = r->line;
        found++;
    }
}

void sp_summary_reasons(const eng_reject_list *l, lake_run_summary *sum) {
    eng_reason_count rc[LAKE_SUMMARY_MAX_REASONS];
    sum->nreasons = eng_reject_reasons(l, rc, LAKE_SUMMARY_MAX_REASONS, &sum->reasons_other);
    for (size_t i = 0; i < sum->nreasons; i++) {
        lake_reason_summary *r = &sum->reasons[i];
        snprintf(r->reason, sizeof r->reason, "%s", rc[i].reason);
        r->count = rc[i].count;
        r->first_object[0] = '\0';
        r->first_line = 0;
    }
    sum->nexamples = 0;
    first_rejects(l, sum);
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
        memcpy(s->partition_classes, tables[t].classes, sizeof s->partition_classes);
    }
}
