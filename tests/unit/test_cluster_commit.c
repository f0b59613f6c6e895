/* The commit interface driven the way a job drives it, through the cluster layer (a cluster of
 * one): a run that wrote everything is committed, a run where any write failed leaves the
 * previous output as it was, for both protocols (direct by hiding the local backend's rename). */
#include "cluster/cluster_commit.h"
#include "store/store_impl.h"
#include "unit.h"

#include <stdlib.h>

static lake_store_ops plain_ops;

static lake_store *open_out(const char *path, bool direct) {
    lake_store *s = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_open(path, &s, &err), LAKE_OK);
    if (direct && s) {
        plain_ops = *s->ops;
        plain_ops.rename_prefix = NULL;
        s->ops = &plain_ops;
    }
    return s;
}

static bool exists(lake_store *s, const char *key) {
    lake_buf b;
    lake_buf_init(&b);
    bool ok = lake_store_get(s, key, &b, NULL) == LAKE_OK;
    lake_buf_free(&b);
    return ok;
}

static const eng_commit_table tables[] = {{"t", false, true, false},
                                          {"_side", false, false, false}};

/* One run: writes t/part-<run>.txt (and _side/x-<run>.txt) under the staging prefix, then lets
 * the cluster decide with `written` as this rank's outcome. */
static lake_rc one_run(lake_store *out, const char *run, lake_rc written, lake_error *err) {
    eng_commit_opts o = {run, false, 1, tables, 2, NULL};
    eng_commit *c = NULL;
    lake_rc rc = eng_commit_prepare(out, &o, &c, err);
    CHECK_EQ_INT(rc, LAKE_OK);
    char *k1 = lake_xconcat(eng_commit_staging(c), "t/part-", run, ".txt");
    char *k2 = lake_xconcat(eng_commit_staging(c), "_side/x-", run, ".txt");
    CHECK_EQ_INT(lake_store_put(out, k1, run, strlen(run), err), LAKE_OK);
    CHECK_EQ_INT(lake_store_put(out, k2, "x", 1, err), LAKE_OK);
    /* put, not a pending writer: on a store that cannot pend, a pending file's token is "" */
    const char *pend = eng_commit_write_flags(c) & LAKE_STORE_WRITE_PENDING ? "" : NULL;
    eng_commit_file files[] = {{0, "", k1, 0, pend}, {1, "", k2, 0, pend}};
    if (written)
        lake_error_set(err, written, "rank 0: writing failed");
    rc = cl_commit(cl_comm_single(), c, written, files, 2, err);
    if (!rc) /* as the loader does: the previous versions go after the commit */
        rc = eng_commit_cleanup(c, err);
    eng_commit_free(c);
    free(k1);
    free(k2);
    return rc;
}

static void check_protocol(bool direct) {
    char tmpl[] = "/tmp/lake-clcommit-XXXXXX";
    char *root = mkdtemp(tmpl);
    CHECK(root != NULL);
    lake_store *out = open_out(root, direct);
    CHECK_EQ_INT(lake_store_can_rename(out), !direct);
    lake_error err = {0};
    CHECK_EQ_INT(one_run(out, "run1", LAKE_OK, &err), LAKE_OK);
    CHECK(exists(out, "t/part-run1.txt"));
    CHECK(exists(out, "t/_SUCCESS"));
    CHECK(exists(out, "_side/x-run1.txt"));
    CHECK(!exists(out, "_side/_SUCCESS"));
    /* A failed write: the error comes back and nothing of run2 is visible. */
    CHECK_EQ_INT(one_run(out, "run2", LAKE_ERR_IO, &err), LAKE_ERR_IO);
    CHECK(strstr(err.msg, "writing failed") != NULL);
    CHECK(exists(out, "t/part-run1.txt"));
    CHECK(!exists(out, "t/part-run2.txt"));
    CHECK(!exists(out, "_side/x-run2.txt"));
    lake_obj_list l = {0};
    CHECK_EQ_INT(lake_store_list(out, "_temporary/", &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, 0);
    lake_obj_list_free(&l);
    /* A committed second run replaces the first whole. */
    CHECK_EQ_INT(one_run(out, "run3", LAKE_OK, &err), LAKE_OK);
    CHECK(!exists(out, "t/part-run1.txt"));
    CHECK(exists(out, "t/part-run3.txt"));
    CHECK(!exists(out, "_side/x-run1.txt"));
    CHECK(exists(out, "t/_SUCCESS"));
    lake_store_close(out);
    unit_rm_tree(root);
}

UNIT_TEST(cluster_commit_rename_protocol) {
    check_protocol(false);
}

UNIT_TEST(cluster_commit_direct_protocol) {
    check_protocol(true);
}

UNIT_TEST(cluster_single_agrees_with_itself) {
    cl_comm *c = cl_comm_single();
    CHECK_EQ_INT(c->rank, 0);
    CHECK_EQ_INT(c->size, 1);
    lake_error err = {0};
    CHECK_EQ_INT(cl_agree(c, LAKE_OK, &err), LAKE_OK);
    lake_error_set(&err, LAKE_ERR_PARSE, "x.json line 3: expected an integer");
    CHECK_EQ_INT(cl_agree(c, LAKE_ERR_PARSE, &err), LAKE_ERR_PARSE);
    CHECK_EQ_STR(err.msg, "x.json line 3: expected an integer");
}
