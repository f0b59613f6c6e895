/* Who commits: every rank writes its files, then one rank (0) runs the commit's finish step once
 * all ranks agree that every write succeeded, and every rank learns the outcome. Uses
 * cluster/comm.h and engine/commit. */
#ifndef LAKE_CLUSTER_COMMIT_H
#define LAKE_CLUSTER_COMMIT_H

#include "cluster/comm.h"
#include "engine/commit/commit.h"

/* An eng_commit_fn (engine/load/load.h) with ud = the cl_comm: agrees on written, lets rank 0
 * finish (or, when any rank failed or the finish failed, abort), and returns the job's outcome
 * on every rank, with the error of the lowest failing rank in err. files must be every file of
 * the job where rank 0 runs (a cluster of one has them all). */
lake_rc cl_commit(void *comm, eng_commit *c, lake_rc written, const eng_commit_file *files,
                  size_t nfiles, lake_error *err);

#endif
