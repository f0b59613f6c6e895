/* lake run's JSON summary (docs/summary-json.md): the document (summary_json.c), the run report
 * page that embeds it (summary_html.c), and their atomic write to a local file (summary_file.c).
 * Uses json/emit for every string. */
#ifndef LAKE_SP_SUMMARY_JSON_H
#define LAKE_SP_SUMMARY_JSON_H

#include "lake/sparkify.h"

/* Appends the summary document (one JSON object and a newline) to b. */
void sp_summary_json(lake_buf *b, const lake_run_summary *s, const lake_run_report *rep);

/* Writes b to the local file path atomically: a temporary file beside it (PATH.tmp-PID), flushed
 * to disk, then renamed over it. what names the file in errors ("summary", "report"). Returns
 * LAKE_OK, or LAKE_ERR_IO with err naming the file. */
lake_rc sp_write_file_atomic(const char *path, const lake_buf *b, const char *what,
                             lake_error *err);

#endif
