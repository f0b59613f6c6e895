/* The processes of one job and the collective steps they take together. A job started alone is
 * a cluster of one (cl_comm_single), which pays nothing for this layer; a job started by Open
 * MPI's mpirun is one rank of several (comm_mpi.c, libmpi loaded on demand), and cl_comm_world
 * picks which. Every collective must be called by every rank in the same order: a rank that
 * failed keeps taking part (with nothing to send) until the next cl_agree tells all to stop.
 * Owns the communicator's state. Uses base only. */
#ifndef LAKE_COMM_H
#define LAKE_COMM_H

#include "lake/common.h"

#include <stdbool.h>

typedef struct cl_comm cl_comm;

typedef enum { CL_SUM, CL_MAX, CL_MIN } cl_op;

typedef struct {
    /* Root's bytes in buf replace every other rank's buf. */
    void (*bcast)(cl_comm *c, int root, lake_buf *buf);
    /* Every rank's bytes of in, concatenated in rank order, into out on every rank; lens[r]
     * (size entries) gets rank r's length. */
    void (*allgather)(cl_comm *c, const lake_buf *in, lake_buf *out, uint64_t *lens);
    /* Sends out[d] to rank d for every d (size entries each) and receives rank s's bytes into
     * in[s] (replacing what in[s] held). Each out[d] must be below 1 GiB. */
    void (*alltoall)(cl_comm *c, const lake_buf *out, lake_buf *in);
    /* v[0..n) becomes the element-wise op of every rank's v. */
    void (*allreduce)(cl_comm *c, uint64_t *v, size_t n, cl_op op);
} cl_comm_ops;

struct cl_comm {
    int rank; /* 0 .. size - 1 */
    int size;
    const cl_comm_ops *ops;
    uint64_t sent; /* bytes this rank sent to others in collectives */
};

/* The communicator of a process that runs alone: rank 0 of 1. Static; never freed. */
cl_comm *cl_comm_single(void);

/* This process's job: a cluster of one, unless started by Open MPI's mpirun (the environment
 * has OMPI_COMM_WORLD_SIZE), in which case libmpi is loaded and initialised once (finalised at
 * exit). Fails when mpirun started the process but libmpi cannot be loaded or initialised. */
lake_rc cl_comm_world(cl_comm **c, lake_error *err);

/* Every rank passes its outcome; every rank gets LAKE_OK when all passed LAKE_OK, else the
 * error of the lowest failing rank (its rc and message, prefixed "rank N: " in a cluster of
 * several, into err). */
lake_rc cl_agree(cl_comm *c, lake_rc mine, lake_error *err);

/* See cl_comm_ops. */
void cl_bcast(cl_comm *c, int root, lake_buf *buf);
void cl_allgather(cl_comm *c, const lake_buf *in, lake_buf *out, uint64_t *lens);
void cl_allreduce(cl_comm *c, uint64_t *v, size_t n, cl_op op);

/* Every rank's bytes of in, concatenated in rank order, into out on rank 0 (out is left empty
 * elsewhere); sent in cl_exchange's bounded rounds. */
void cl_gather(cl_comm *c, const lake_buf *in, lake_buf *out);

/* The sum of v over the ranks below this one (0 on rank 0). */
uint64_t cl_exscan(cl_comm *c, uint64_t v);

/* A keyed exchange in bounded rounds (MPI_Alltoallv underneath): produce fills out[d] (size
 * buffers, empty at each call) with the next rows for rank d, stopping once about `chunk` bytes
 * are queued in all, and returns true while it has rows left; consume gets each round's bytes
 * from rank `from` (ranks in order; a rank's own rows too), rounds in order. Rounds go on until
 * no rank has rows left, so memory per rank is about chunk * 3 whatever the volume. A consume
 * error is kept and the rounds continue (every rank must take part); the exchange then returns
 * it. Counts the bytes sent to other ranks into c->sent.
 *
 * With `overlap`, which says produce and consume share no state, the exchange consumes each
 * round on a second thread while the next one is produced and sent: a rank that mostly
 * receives then decodes while the one that mostly sends encodes, instead of taking turns. */
typedef struct {
    bool (*produce)(void *ud, lake_buf *out, size_t chunk);
    lake_rc (*consume)(void *ud, int from, const uint8_t *data, size_t len, lake_error *err);
    void *ud;
    bool overlap;
} cl_exchange_fns;

lake_rc cl_exchange(cl_comm *c, size_t chunk, const cl_exchange_fns *f, lake_error *err);

/* The bytes per round cl_exchange is given by the jobs: 8 MiB per rank. */
#define CL_EXCHANGE_CHUNK ((size_t)8 << 20)

#endif
