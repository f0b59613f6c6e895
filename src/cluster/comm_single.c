/* A cluster of one: every collective step is the process's own data. */
#include "cluster/comm.h"

#include <string.h>

static void single_bcast(cl_comm *c, int root, lake_buf *buf) {
    (void)c, (void)root, (void)buf;
}

static void single_allgather(cl_comm *c, const lake_buf *in, lake_buf *out, uint64_t *lens) {
    (void)c;
    out->len = 0;
    lake_buf_append(out, in->data, in->len);
    lens[0] = in->len;
}

static void single_alltoall(cl_comm *c, const lake_buf *out, lake_buf *in) {
    (void)c;
    in[0].len = 0;
    lake_buf_append(&in[0], out[0].data, out[0].len);
}

static void single_allreduce(cl_comm *c, uint64_t *v, size_t n, cl_op op) {
    (void)c, (void)v, (void)n, (void)op;
}

static const cl_comm_ops single_ops = {single_bcast, single_allgather, single_alltoall,
                                       single_allreduce};

cl_comm *cl_comm_single(void) {
    static cl_comm single = {0, 1, &single_ops, 0};
    return &single;
}
