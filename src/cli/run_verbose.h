/* lake run --verbose (run_verbose.c): the run's settings before it starts and the detail of what
 * it did after it ends, for stderr. The stdout summary is cmd_run.c's and does not change. */
#ifndef LAKE_CLI_RUN_VERBOSE_H
#define LAKE_CLI_RUN_VERBOSE_H

#include "lake/sparkify.h"

#include <stdio.h>

/* Where the run reads and writes, its threads, Parquet settings and limits, one per line. */
void cli_run_print_settings(FILE *f, const char *input, const char *output, const lake_run_opts *o);
/* Per stage its wall and CPU time and what it handled (listing counts, records, files); per
 * table rows, files, bytes, partitions and the largest and smallest partition; rejects per
 * reason. For a failed run, the figures it reached. */
void cli_run_print_detail(FILE *f, const lake_run_summary *s);

#endif
