/* The progress line of a long command: a thread samples the command's counters (lake/progress.h)
 * every 100 ms and redraws one line on a terminal (carriage return, text, clear to the end of the
 * line), and clears it when stopped, before the summary is printed. Uses the public headers. */
#ifndef LAKE_CLI_PROGRESS_LINE_H
#define LAKE_CLI_PROGRESS_LINE_H

#include "lake/progress.h"

#include <stdbool.h>

typedef struct cli_progress cli_progress;

/* Should progress be drawn on fd? Forced: yes. Quiet: no. Otherwise when fd is a terminal that
 * understands the clear-to-end-of-line sequence (TERM is not "dumb"). */
bool cli_progress_wanted(int fd, bool forced, bool quiet);

/* Starts drawing p on fd (labelled "rank 0 of N" in a cluster, where only rank 0 draws). p must
 * outlive cli_progress_stop. Returns NULL if the thread could not be started (then nothing is
 * drawn). */
cli_progress *cli_progress_start(const lake_progress *p, int fd);

/* Stops the thread and clears the line if anything was drawn. Accepts NULL. */
void cli_progress_stop(cli_progress *c);

#endif
