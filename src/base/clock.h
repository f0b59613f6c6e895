/* Wall and CPU clocks for stage timings. */
#ifndef LAKE_CLOCK_H
#define LAKE_CLOCK_H

#include "lake/common.h"

/* Monotonic seconds, for stage timings. */
double lake_now(void);
/* CPU seconds (user + system) the process has used so far, all threads together. */
double lake_cpu_now(void);

#endif
