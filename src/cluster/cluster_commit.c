/* The commit decision of a cluster (cluster_commit.h). */
#include "cluster/cluster_commit.h"
#include "cluster/strtab.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A rank's files, in the order it wrote them: partition after partition, so each string is sent
 * as its difference to the same field of the file before (81,000 songs files: 4 MB, not 18). */
static void put_files(lake_buf *b, const eng_commit_file *files, size_t n) {
    const char *prev[3] = {NULL, NULL, NULL};
    for (size_t i = 0; i < n; i++) {
        cl_put_varint(b, files[i].table);
        cl_put_varint(b, files[i].file_no);
        cl_put_str_near(b, &prev[0], files[i].dir);
        cl_put_str_near(b, &prev[1], files[i].key);
        cl_put_str_near(b, &prev[2], files[i].pending);
    }
}

/* The files of every rank, their strings in a. */
static eng_commit_file *get_files(const lake_buf *all, lake_arena *a, size_t *n) {
    cl_reader r = {all->data, all->data + all->len, false};
    const char *prev[3] = {NULL, NULL, NULL};
    size_t cap = 64, k = 0;
    eng_commit_file *f = lake_xcalloc(cap, sizeof *f);
    while (cl_more(&r)) {
        if (k == cap)
            f = lake_xrealloc(f, (cap *= 2) * sizeof *f);
        f[k].table = (size_t)cl_get_varint(&r);
        f[k].file_no = (unsigned)cl_get_varint(&r);
        f[k].dir = cl_get_str_near(&r, &prev[0], a);
        f[k].key = cl_get_str_near(&r, &prev[1], a);
        f[k].pending = cl_get_str_near(&r, &prev[2], a);
        k += !r.bad;
    }
    *n = k;
    return f;
}

/* Rank 0 decides with every rank's files: finish when all wrote theirs, else abort them all. */
static lake_rc decide(cl_comm *cc, eng_commit *c, lake_rc rc, const eng_commit_file *files,
                      size_t nfiles, lake_error *err) {
    if (cc->size == 1)
        return eng_commit_end(c, rc, files, nfiles, err);
    lake_buf mine, all;
    lake_buf_init(&mine);
    lake_buf_init(&all);
    put_files(&mine, files, nfiles);
    cl_gather(cc, &mine, &all);
    if (cc->rank == 0) {
        size_t n = 0;
        lake_arena *a = lake_arena_create(1 << 20);
        eng_commit_file *every = get_files(&all, a, &n);
        rc = eng_commit_end(c, rc, every, n, err);
        free(every);
        lake_arena_free(a);
    }
    lake_buf_free(&mine);
    lake_buf_free(&all);
    return rc;
}

/* The test switch LAKE_TEST_RANK_PAUSE=r: rank r stops here, with every file of its share
 * staged, says so on stderr and waits to be killed (tests/e2e/mpi.test.mjs kills it with -9). */
static void test_pause(const cl_comm *cc) {
    const char *r = getenv("LAKE_TEST_RANK_PAUSE");
    if (!r || atoi(r) != cc->rank)
        return;
    fprintf(stderr, "lake: rank %d paused before the commit (LAKE_TEST_RANK_PAUSE), pid %ld\n",
            cc->rank, (long)getpid());
    for (;;)
        pause();
}

lake_rc cl_commit(void *comm, eng_commit *c, lake_rc written, const eng_commit_file *files,
                  size_t nfiles, lake_error *err) {
    cl_comm *cc = comm;
    test_pause(cc);
    lake_rc rc = cl_agree(cc, written, err);
    lake_rc decided = decide(cc, c, rc, files, nfiles, err);
    if (rc)
        return rc; /* every rank has the failing rank's error already */
    return cl_agree(cc, decided, err);
}
