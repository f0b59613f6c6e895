/** @file
 * The job a process belongs to: alone, or one rank of several started by Open MPI's mpirun.
 * lake_run finds this out itself; the command line uses it to print once per job. */
#ifndef LAKE_CLUSTER_PUBLIC_H
#define LAKE_CLUSTER_PUBLIC_H

/** This process's rank as the launcher set it (mpirun's OMPI_COMM_WORLD_RANK), before any MPI
 * is loaded: 0 for a process alone. */
int lake_launch_rank(void);

/** The number of processes of the job as the launcher set it (mpirun's OMPI_COMM_WORLD_SIZE),
 * before any MPI is loaded: 1 for a process alone. */
int lake_launch_size(void);

#endif
