// The environment of lake's ranks under mpirun in the tests (tests/e2e/mpi*.test.mjs).
// CI runs as root; Open MPI refuses root without these. Shared memory between the ranks without
// the single-copy mechanism, which needs ptrace rights a container may not grant. Under the ASan
// build (make asan-test), LeakSanitizer is told what Open MPI itself leaves allocated after
// MPI_Finalize: its plugins stay loaded and stacks are unwound slowly, so every such block shows
// a frame of Open MPI's libraries (lib/lsan_openmpi.supp); a leak of lake's own still fails.
export const MPI_ENV = {
  OMPI_ALLOW_RUN_AS_ROOT: '1',
  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1',
  OMPI_MCA_btl_vader_single_copy_mechanism: 'none',
  OMPI_MCA_mca_base_component_disable_dlclose: '1',
  LSAN_OPTIONS: `suppressions=${new URL('./lsan_openmpi.supp', import.meta.url).pathname}:fast_unwind_on_malloc=0`,
};

