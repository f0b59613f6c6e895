/* The commit decision of a cluster (cluster_commit.h). */
#include "cluster/cluster_commit.h"

lake_rc cl_commit(void *comm, eng_commit *c, lake_rc written, const eng_commit_file *files,
                  size_t nfiles, lake_error *err) {
    cl_comm *cc = comm;
    lake_rc rc = cl_agree(cc, written, err);
    if (cc->rank == 0) {
        if (!rc)
            rc = eng_commit_finish(c, files, nfiles, err);
        /* Only rank 0 knows whether the finish passed its commit point; abort checks. */
        if (rc)
            eng_commit_abort(c, files, nfiles);
    }
    return cl_agree(cc, rc, err);
}
