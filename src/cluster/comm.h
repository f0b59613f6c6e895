/* The processes of one job and the collective steps they take together. A job started alone is
 * a cluster of one (cl_comm_single), which pays nothing for this layer; a job of several ranks
 * (Open MPI, behind this same interface) shares out the input, exchanges keyed rows and lets one
 * rank commit. Owns the communicator's state. Uses base only. */
#ifndef LAKE_COMM_H
#define LAKE_COMM_H

#include "lake/common.h"

typedef struct cl_comm cl_comm;

typedef struct {
    /* Every rank passes its outcome; every rank gets LAKE_OK when all passed LAKE_OK, else the
     * error of the lowest failing rank (rc and message, into err). */
    lake_rc (*agree)(cl_comm *c, lake_rc mine, lake_error *err);
} cl_comm_ops;

struct cl_comm {
    int rank; /* 0 .. size - 1 */
    int size;
    const cl_comm_ops *ops;
    void *impl;
};

/* The communicator of a process that runs alone: rank 0 of 1. Static; never freed. */
cl_comm *cl_comm_single(void);

/* See cl_comm_ops.agree. */
lake_rc cl_agree(cl_comm *c, lake_rc mine, lake_error *err);

#endif
