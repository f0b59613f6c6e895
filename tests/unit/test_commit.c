/* Both commit protocols on a local store: the rename protocol as is, the direct (S3) protocol by
 * hiding the backend's rename. */
#include "lake/sparkify.h"
#include "lake/gen.h"
#include "store/store_impl.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

static lake_store_ops no_rename_ops;

static lake_store *open_dir(const char *path, bool direct) {
    lake_store *s = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_open(path, &s, &err), LAKE_OK);
    if (direct && s) {
        no_rename_ops = *s->ops;
        no_rename_ops.rename_prefix = NULL;
        s->ops = &no_rename_ops;
    }
    return s;
}

static size_t count(lake_store *s, const char *prefix, const char *needle) {
    lake_obj_list l = {0};
    lake_error err = {0};
    size_t n = 0;
    CHECK_EQ_INT(lake_store_list(s, prefix, &l, &err), LAKE_OK);
    for (size_t i = 0; i < l.n; i++) /* the output's control files (_lake/) are not data */
        n += strncmp(l.items[i].key, "_lake/", 6) &&
             (needle == NULL || strstr(l.items[i].key, needle) != NULL);
    lake_obj_list_free(&l);
    return n;
}

static lake_rc run_once(lake_store *in, lake_store *out, int64_t max_bad, lake_run_summary *sum) {
    lake_run_opts o;
    lake_error err = {0};
    lake_run_opts_default(&o);
    o.threads = 2;
    o.max_bad_records = max_bad;
    return lake_run(in, out, &o, sum, &err);
}

static void check_protocol(bool direct) {
    char tmpl[] = "/tmp/lake-commit-XXXXXX";
    char *root = mkdtemp(tmpl);
    CHECK(root != NULL);
    char *inpath = lake_xasprintf("%s/in", root), *outpath = lake_xasprintf("%s/out", root);
    lake_store *in = open_dir(inpath, false), *out = open_dir(outpath, direct);
    lake_gen_opts g;
    lake_error err = {0};
    lake_gen_opts_default(&g);
    g.songs = 40;
    g.events = 400;
    g.bad_records = true;
    CHECK_EQ_INT(lake_gen(in, &g, &err), LAKE_OK);
    lake_run_summary first, second, failed;
    CHECK_EQ_INT(run_once(in, out, -1, &first), LAKE_OK);
    size_t files = count(out, "songs/", ".parquet");
    CHECK(files > 0);
    CHECK_EQ_INT(count(out, "", first.run_id),
                 files + first.files[1] + first.files[2] + first.files[3] + first.files[4] + 1);
    CHECK_EQ_INT(run_once(in, out, -1, &second), LAKE_OK);
    /* every old file is gone, every table has its _SUCCESS, nothing staged is left */
    CHECK_EQ_INT(count(out, "", first.run_id), 0);
    CHECK_EQ_INT(count(out, "songs/", ".parquet"), files);
    CHECK_EQ_INT(count(out, "", "_SUCCESS"), 5);
    CHECK_EQ_INT(count(out, "_temporary/", NULL), 0);
    /* too many bad records: the run fails and the output is exactly the second run's */
    size_t before = count(out, "", NULL);
    CHECK_EQ_INT(run_once(in, out, 0, &failed), LAKE_ERR_BAD_RECORDS);
    CHECK_EQ_INT(count(out, "", NULL), before);
    CHECK_EQ_INT(count(out, "", failed.run_id), 0);
    CHECK_EQ_INT(count(out, "", second.run_id), before - 5);
    lake_store_delete_prefix(out, "songs/", NULL);
    lake_store_close(in);
    lake_store_close(out);
    unit_rm_tree(root);
    free(inpath);
    free(outpath);
}

UNIT_TEST(commit_rename_protocol_replaces_and_keeps_on_failure) {
    check_protocol(false);
}

UNIT_TEST(commit_direct_protocol_replaces_and_keeps_on_failure) {
    check_protocol(true);
}
