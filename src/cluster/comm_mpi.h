/* Private to cluster/: the Open MPI communicator (comm_mpi.c), which cl_comm_world picks when
 * mpirun started the process. */
#ifndef LAKE_COMM_MPI_H
#define LAKE_COMM_MPI_H

#include "cluster/comm.h"

/* Loads libmpi, initialises it (finalised at exit) and returns MPI_COMM_WORLD as a cl_comm. */
lake_rc cl_comm_mpi(cl_comm **c, lake_error *err);

#endif
