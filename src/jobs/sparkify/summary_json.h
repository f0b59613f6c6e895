/* lake run's JSON summary (docs/summary-json.md): the document (summary_json.c) and its atomic
 * write to a local file (summary_file.c). Uses json/emit for every string. */
#ifndef LAKE_SP_SUMMARY_JSON_H
#define LAKE_SP_SUMMARY_JSON_H

#include "lake/sparkify.h"

/* Appends the summary document (one JSON object and a newline) to b. */
void sp_summary_json(lake_buf *b, const lake_run_summary *s, const lake_run_report *rep);

#endif
