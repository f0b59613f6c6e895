/* The order check of a plan that keeps the order (dc_plan_opts.keep_order): a reader that lists
 * the outputs and reads them in key order must meet the objects in the order their own keys
 * give, so everything that depends on input order (lake run's tie-breaks) is unchanged. The
 * plan's runs and names make this hold for every listing but odd neighbours (a.json beside
 * a.json-x.json and a.json.gz); this check turns those into an error instead of a quiet
 * reordering. */
#include "jobs/distcp/dc_job.h"

#include <stdlib.h>
#include <string.h>

static int by_name(const void *a, const void *b, void *ud) {
    const dc_plan *p = ud;
    return strcmp(p->parts[*(const size_t *)a].name, p->parts[*(const size_t *)b].name);
}

lake_rc dc_plan_check_order(const lake_obj_list *objs, const dc_plan *plan, lake_error *err) {
    size_t *idx = lake_xcalloc(plan->n + 1, sizeof *idx);
    for (size_t i = 0; i < plan->n; i++)
        idx[i] = i;
    qsort_r(idx, plan->n, sizeof *idx, by_name, (void *)plan);
    lake_rc rc = LAKE_OK;
    const dc_part *prev_part = NULL;
    size_t prev = 0;
    for (size_t i = 0; i < plan->n && !rc; i++) {
        const dc_part *p = &plan->parts[idx[i]];
        for (size_t k = 0; k < p->n && !rc; k++) {
            if (prev_part && p->order[k] <= prev)
                rc = lake_error_set(err, LAKE_ERR_INVALID_ARG,
                                    "%s (copied to %s) would be read after %s (copied to %s), "
                                    "against the order of their names",
                                    objs->items[p->order[k]].key, p->name, objs->items[prev].key,
                                    prev_part->name);
            prev_part = p;
            prev = p->order[k];
        }
    }
    free(idx);
    return rc;
}
