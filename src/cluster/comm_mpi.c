/* The Open MPI communicator: MPI_COMM_WORLD behind cl_comm_ops. libmpi is loaded with dlopen
 * only when mpirun started the process, so a run alone neither loads nor initialises it (and the
 * binary does not need Open MPI installed). mpi.h gives the function types; the predefined
 * handles (MPI_COMM_WORLD, MPI_BYTE, MPI_SUM ...) are Open MPI's global objects, looked up by
 * name as its mpi.h macros would take their addresses. Every call is made by the main thread
 * (MPI_THREAD_FUNNELED); errors are fatal to the job (MPI_ERRORS_ARE_FATAL), which mpirun then
 * ends on every rank.
 *
 * Collectives are started non-blocking and waited for by polling MPI_Test, sleeping between
 * polls once a wait lasts: a blocking collective spins, and a rank that waits (for a slower rank
 * to finish writing its partitions) then burns a core its neighbours on the same machine need.
 * Measured on 2 cores at L, -np 2 --threads 1: see bench/RESULTS.md, "MPI case". */
#include <mpi.h>

#include "cluster/comm_mpi.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MPI_LIB "libmpi.so.40" /* Open MPI 3 and 4 (Debian 12: 4.1) */

typedef struct {
    __typeof__(MPI_Init_thread) *init_thread;
    __typeof__(MPI_Finalize) *finalize;
    __typeof__(MPI_Comm_rank) *comm_rank;
    __typeof__(MPI_Comm_size) *comm_size;
    __typeof__(MPI_Ibcast) *bcast;
    __typeof__(MPI_Iallgather) *allgather;
    __typeof__(MPI_Ialltoall) *alltoall;
    __typeof__(MPI_Ialltoallv) *alltoallv;
    __typeof__(MPI_Iallreduce) *allreduce;
    __typeof__(MPI_Test) *test;
    MPI_Comm world;
    MPI_Datatype byte, u64, i32;
    MPI_Op sum, max, min;
} mpi_api;

static mpi_api api;

static bool bind(void *lib, const char *name, void *slot, lake_error *err) {
    void *p = dlsym(lib, name);
    if (!p) {
        lake_error_set(err, LAKE_ERR_UNSUPPORTED, "%s has no %s: lake needs Open MPI 3 or 4",
                       MPI_LIB, name);
        return false;
    }
    *(void **)slot = p;
    return true;
}

static bool bind_all(void *lib, lake_error *err) {
    mpi_api *a = &api;
    return bind(lib, "MPI_Init_thread", &a->init_thread, err) &&
           bind(lib, "MPI_Finalize", &a->finalize, err) &&
           bind(lib, "MPI_Comm_rank", &a->comm_rank, err) &&
           bind(lib, "MPI_Comm_size", &a->comm_size, err) &&
           bind(lib, "MPI_Ibcast", &a->bcast, err) &&
           bind(lib, "MPI_Iallgather", &a->allgather, err) &&
           bind(lib, "MPI_Ialltoall", &a->alltoall, err) &&
           bind(lib, "MPI_Ialltoallv", &a->alltoallv, err) &&
           bind(lib, "MPI_Iallreduce", &a->allreduce, err) &&
           bind(lib, "MPI_Test", &a->test, err) &&
           bind(lib, "ompi_mpi_comm_world", &a->world, err) &&
           bind(lib, "ompi_mpi_byte", &a->byte, err) &&
           bind(lib, "ompi_mpi_uint64_t", &a->u64, err) &&
           bind(lib, "ompi_mpi_int", &a->i32, err) && bind(lib, "ompi_mpi_op_sum", &a->sum, err) &&
           bind(lib, "ompi_mpi_op_max", &a->max, err) && bind(lib, "ompi_mpi_op_min", &a->min, err);
}

/* Polls req until it completes. A wait that may be long (a rank waiting for the others to reach
 * the collective: small messages that agree, count or announce lengths) spins for SPIN_NS, then
 * naps between polls, from 50 us growing to 2 ms. A bulk transfer among ranks that are all there
 * (after such a step) only spins: Open MPI moves its fragments only inside MPI calls, and naps
 * slowed the shuffle of L's songplays fourfold. */
#define SPIN_NS 2000000L

static long elapsed_ns(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000000000L + (t.tv_nsec - t0->tv_nsec);
}

static void wait_for(MPI_Request *req, bool may_nap) {
    struct timespec t0, nap = {0, 50000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int done = 0;
    for (;;) {
        api.test(req, &done, MPI_STATUS_IGNORE);
        if (done)
            return;
        if (!may_nap || elapsed_ns(&t0) < SPIN_NS)
            continue;
        nanosleep(&nap, NULL);
        if (nap.tv_nsec < 2000000L)
            nap.tv_nsec *= 2;
    }
}

/* Messages go in pieces below MPI's int counts. */
#define PIECE ((size_t)1 << 30)

static void bcast_bytes(void *data, size_t len, int root) {
    for (size_t off = 0; off < len; off += PIECE) {
        size_t n = len - off < PIECE ? len - off : PIECE;
        MPI_Request req;
        api.bcast((char *)data + off, (int)n, api.byte, root, api.world, &req);
        wait_for(&req, false); /* the length went first: every rank is here */
    }
}

static void mpi_bcast(cl_comm *c, int root, lake_buf *buf) {
    uint64_t len = buf->len;
    MPI_Request req;
    api.bcast(&len, 1, api.u64, root, api.world, &req);
    wait_for(&req, true);
    if (c->rank != root)
        lake_buf_resize(buf, (size_t)len);
    else
        c->sent += len * (uint64_t)(c->size - 1);
    bcast_bytes(buf->data, (size_t)len, root);
}

static void mpi_allgather(cl_comm *c, const lake_buf *in, lake_buf *out, uint64_t *lens) {
    uint64_t mine = in->len, total = 0;
    MPI_Request req;
    api.allgather(&mine, 1, api.u64, lens, 1, api.u64, api.world, &req);
    wait_for(&req, true);
    for (int r = 0; r < c->size; r++)
        total += lens[r];
    lake_buf_resize(out, (size_t)total);
    size_t off = 0;
    for (int r = 0; r < c->size; r++) {
        if (r == c->rank && in->len)
            memcpy(out->data + off, in->data, in->len);
        bcast_bytes(out->data + off, (size_t)lens[r], r);
        off += (size_t)lens[r];
    }
    c->sent += mine * (uint64_t)(c->size - 1);
}

static void mpi_alltoall(cl_comm *c, const lake_buf *out, lake_buf *in) {
    size_t n = (size_t)c->size;
    int *counts = lake_xcalloc(4 * n, sizeof *counts), *rcounts = counts + n;
    int *sdispl = counts + 2 * n, *rdispl = counts + 3 * n;
    size_t stotal = 0, rtotal = 0;
    for (size_t d = 0; d < n; d++) {
        if (out[d].len >= PIECE || stotal + out[d].len > INT_MAX)
            abort(); /* a caller's bug: exchanges go in bounded chunks */
        counts[d] = (int)out[d].len;
        sdispl[d] = (int)stotal;
        stotal += out[d].len;
    }
    MPI_Request req;
    api.alltoall(counts, 1, api.i32, rcounts, 1, api.i32, api.world, &req);
    wait_for(&req, true);
    for (size_t s = 0; s < n; s++) {
        rdispl[s] = (int)rtotal;
        rtotal += (size_t)rcounts[s];
    }
    lake_buf send, recv;
    lake_buf_init(&send);
    lake_buf_init(&recv);
    for (size_t d = 0; d < n; d++)
        lake_buf_append(&send, out[d].data, out[d].len);
    lake_buf_resize(&recv, rtotal);
    api.alltoallv(send.data, counts, sdispl, api.byte, recv.data, rcounts, rdispl, api.byte,
                  api.world, &req);
    wait_for(&req, false); /* the counts went first: every rank is here */
    for (size_t s = 0; s < n; s++) {
        in[s].len = 0;
        lake_buf_append(&in[s], recv.data + rdispl[s], (size_t)rcounts[s]);
    }
    lake_buf_free(&send);
    lake_buf_free(&recv);
    free(counts);
}

static void mpi_allreduce(cl_comm *c, uint64_t *v, size_t n, cl_op op) {
    (void)c;
    MPI_Op o = op == CL_SUM ? api.sum : op == CL_MAX ? api.max : api.min;
    MPI_Request req;
    api.allreduce(MPI_IN_PLACE, v, (int)n, api.u64, o, api.world, &req);
    wait_for(&req, true);
}

static const cl_comm_ops mpi_ops = {mpi_bcast, mpi_allgather, mpi_alltoall, mpi_allreduce};

static void finalize(void) {
    api.finalize();
}

lake_rc cl_comm_mpi(cl_comm **c, lake_error *err) {
    /* RTLD_GLOBAL: Open MPI's components are plugins that resolve libmpi's symbols. */
    void *lib = dlopen(MPI_LIB, RTLD_NOW | RTLD_GLOBAL);
    if (!lib)
        return lake_error_set(err, LAKE_ERR_UNSUPPORTED,
                              "started by mpirun, but Open MPI cannot be loaded (Debian package "
                              "libopenmpi3): %s",
                              dlerror());
    if (!bind_all(lib, err))
        return err->rc;
    int provided = 0, rank = 0, size = 1;
    if (api.init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return lake_error_set(err, LAKE_ERR_IO, "MPI_Init_thread failed");
    atexit(finalize);
    api.comm_rank(api.world, &rank);
    api.comm_size(api.world, &size);
    static cl_comm world;
    world = (cl_comm){rank, size, &mpi_ops, 0};
    *c = &world;
    return LAKE_OK;
}
