/* MPI check of the multi-host test harness (tests/e2e/mpi_multihost.test.mjs), compiled by the
 * test with mpicc: every rank passes its host name around a ring (MPI_Sendrecv to the next rank,
 * from the previous one), then sums rank+1 with MPI_Allreduce, and sums a 4 MiB vector too (well
 * past the TCP transport's eager limit, so the rendezvous protocol carries it). Each rank prints
 * one line, "rank R of N on HOST prev PREVHOST sum S big OK" (BAD instead of OK when the vector
 * sum is wrong), and exits 1 on a wrong result. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIG (1 << 19) /* doubles: 4 MiB */

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 0, len = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    char host[MPI_MAX_PROCESSOR_NAME] = {0}, prev[MPI_MAX_PROCESSOR_NAME] = {0};
    MPI_Get_processor_name(host, &len);

    MPI_Sendrecv(host, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, (rank + 1) % size, 0, prev,
                 MPI_MAX_PROCESSOR_NAME, MPI_CHAR, (rank + size - 1) % size, 0, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);

    long mine = rank + 1, sum = 0;
    MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);

    double *in = malloc(BIG * sizeof(double)), *out = malloc(BIG * sizeof(double));
    if (!in || !out) {
        fprintf(stderr, "rank %d: out of memory\n", rank);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    for (int i = 0; i < BIG; i++)
        in[i] = (double)(rank + 1) * (i % 1000);
    MPI_Allreduce(in, out, BIG, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    /* Small integers: the sum is exact whatever order the reduction takes. */
    double factor = (double)size * (size + 1) / 2;
    int ok = 1;
    for (int i = 0; i < BIG; i++)
        if (out[i] != factor * (i % 1000))
            ok = 0;

    printf("rank %d of %d on %s prev %s sum %ld big %s\n", rank, size, host, prev, sum,
           ok ? "OK" : "BAD");
    fflush(stdout);
    free(in);
    free(out);
    MPI_Finalize();
    return ok && sum == (long)size * (size + 1) / 2 ? 0 : 1;
}
