/* Random (version 4) UUIDs: the run id a job puts in its file names, as Spark puts its job's
 * uuid. Uses getrandom, and the clock and pid only when the kernel has no randomness to give. */
#ifndef LAKE_UUID_H
#define LAKE_UUID_H

/* Writes a fresh UUID as 36 lower-case characters and a NUL. */
void lake_uuid_v4(char out[37]);

#endif
