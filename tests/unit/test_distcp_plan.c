/* The pure parts of lake distcp (src/jobs/distcp/dc_plan.c, dc_regex.c): group keys from
 * --groupBy's capture groups, S3DistCp's output names, and --targetSize packing. */
#include "jobs/distcp/dc_job.h"
#include "unit.h"

#include <stdlib.h>

static void check_name(const char *group, const char *dir, uint64_t uid, unsigned index,
                       const char *ext, const char *want) {
    char *got = dc_output_name(group, dir, uid, index, ext);
    CHECK_EQ_STR(got, want);
    free(got);
}

UNIT_TEST(distcp_output_names) {
    const uint64_t none = UINT64_MAX;
    check_name("2024-01-01", "a/", none, 0, "", "a/2024-01-01");
    check_name("2024-01-01", "a/", none, 1, "", "a/2024-01-011");
    check_name("2024-01-01", "", none, 0, "gz", "2024-01-01.gz");
    check_name("2024-01-01", "", none, 2, "gz", "2024-01-012.gz");
    /* The AWS documentation's example: myfile.gz broken into parts. */
    check_name("myfile.gz", "", none, 0, "gz", "myfile.gz");
    check_name("myfile.gz", "", none, 1, "gz", "myfile1.gz");
    /* A compression extension of the key is replaced, another one kept. */
    check_name("a.json", "d/", none, 0, "gz", "d/a.json.gz");
    check_name("a.json.gz", "d/", none, 0, "", "d/a.json");
    check_name("a.json.gz", "d/", none, 0, "zst", "d/a.json.zst");
    check_name("a.json.gz", "d/", none, 0, "json", "d/a.json");
    check_name("myfile.json.gz", "", none, 2, "json", "myfile2.json");
    check_name("a.json", "d/", none, 0, "json", "d/a.json");
    check_name("a.json", "d/", none, 3, "json", "d/a3.json");
    /* Only the key's last path component names the output; --numberFiles prefixes it. */
    check_name("x/y/day", "d/", 7, 0, "", "d/7day");
    check_name("x/y/day", "d/", 12, 1, "gz", "d/12day1.gz");
}

UNIT_TEST(distcp_codec_of_names) {
    CHECK_EQ_INT(dc_codec_of("a/b.json.gz"), LAKE_CODEC_GZIP);
    CHECK_EQ_INT(dc_codec_of("a/b.JSON.GZIP"), LAKE_CODEC_GZIP);
    CHECK_EQ_INT(dc_codec_of("b.zst"), LAKE_CODEC_ZSTD);
    CHECK_EQ_INT(dc_codec_of("b.zstd"), LAKE_CODEC_ZSTD);
    CHECK_EQ_INT(dc_codec_of("b.json"), LAKE_CODEC_NONE);
    CHECK_EQ_INT(dc_codec_of("dir.gz/b"), LAKE_CODEC_NONE);
    CHECK_EQ_STR(dc_codec_ext(LAKE_CODEC_GZIP), "gz");
    CHECK_EQ_STR(dc_codec_ext(LAKE_CODEC_ZSTD), "zst");
    CHECK_EQ_STR(dc_codec_ext(LAKE_CODEC_NONE), "");
}

UNIT_TEST(distcp_group_keys_java_style) {
    dc_regex *r = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(dc_regex_compile("--groupBy", ".*/(\\w+)/.*(\\d{4}-\\d{2}-\\d{2}).*", &r, &err),
                 LAKE_OK);
    CHECK_EQ_INT(dc_regex_groups(r), 2);
    lake_buf key;
    lake_buf_init(&key);
    const char *p = "s3://b/logs/events/x-2024-01-02.json";
    CHECK(dc_regex_match(r, p, strlen(p), &key));
    CHECK_EQ_MEM(key.data, key.len, "events2024-01-02", 16);
    key.len = 0;
    CHECK(!dc_regex_match(r, "events/2024-01-02", 17, &key)); /* the whole path must match */
    dc_regex_free(r);
    /* An optional group that took no part adds nothing. */
    CHECK_EQ_INT(dc_regex_compile("--groupBy", "(a)?(b)", &r, &err), LAKE_OK);
    key.len = 0;
    CHECK(dc_regex_match(r, "b", 1, &key));
    CHECK_EQ_INT(key.len, 1);
    dc_regex_free(r);
    lake_buf_free(&key);
    CHECK_EQ_INT(dc_regex_compile("--srcPattern", "a(b", &r, &err), LAKE_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "at position 3") != NULL);
    CHECK(r == NULL);
}

static void add(lake_obj_list *l, const char *key, uint64_t size) {
    lake_obj_list_add(l, key, size);
}

UNIT_TEST(distcp_plan_groups_and_target_size) {
    lake_obj_list objs = {0};
    add(&objs, "a/2024-01-01/o1.json", 400);
    add(&objs, "a/2024-01-01/o2.json", 400);
    add(&objs, "a/2024-01-01/o3.json", 400);
    add(&objs, "a/2024-01-02/o4.json", 10);
    add(&objs, "b/2024-01-01/o5.json", 300);
    add(&objs, "b/x/other.json", 5);
    dc_regex *r = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(dc_regex_compile("--groupBy", ".*/(\\d{4}-\\d{2}-\\d{2})/.*", &r, &err), LAKE_OK);
    lake_smap taken;
    lake_smap_init(&taken);
    uint32_t v = 0;
    lake_smap_upsert(&taken, "a/2024-01-02/2024-01-02.json", 28, &v); /* an earlier output */
    dc_plan_opts o = {r, "s3://b/src", 1000, LAKE_DISTCP_NONE, false, 0, &taken, false};
    dc_plan plan;
    CHECK_EQ_INT(dc_plan_make(&objs, &o, &plan, &err), LAKE_OK);
    CHECK_EQ_INT(plan.groups, 2);
    CHECK_EQ_INT(plan.unmatched, 1);
    /* 2024-01-01: 400+400+400 reaches 1000 at the third object; o5 makes a second part. */
    CHECK_EQ_INT(plan.n, 3);
    CHECK_EQ_STR(plan.parts[0].name, "a/2024-01-01/2024-01-01.json");
    CHECK_EQ_INT(plan.parts[0].n, 3);
    CHECK_EQ_INT(plan.parts[0].bytes, 1200);
    CHECK_EQ_STR(plan.parts[1].name, "b/2024-01-01/2024-01-011.json");
    CHECK_EQ_INT(plan.parts[1].n, 1);
    CHECK_EQ_INT(plan.parts[1].order[0], 4);
    /* The taken name is skipped: the next free index. */
    CHECK_EQ_STR(plan.parts[2].name, "a/2024-01-02/2024-01-021.json");
    dc_plan_free(&plan);
    /* keep with mixed compression in one group is an error naming both objects. */
    add(&objs, "c/2024-01-02/o6.json.gz", 7);
    o.codec = LAKE_DISTCP_KEEP;
    CHECK_EQ_INT(dc_plan_make(&objs, &o, &plan, &err), LAKE_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "a/2024-01-02/o4.json") && strstr(err.msg, "o6.json.gz"));
    lake_smap_free(&taken);
    dc_regex_free(r);
    lake_obj_list_free(&objs);
}

UNIT_TEST(distcp_plan_ungrouped_collision) {
    lake_obj_list objs = {0};
    add(&objs, "d/a.json", 1);
    add(&objs, "d/a.json.gz", 1);
    dc_plan_opts o = {NULL, "/src", 0, LAKE_DISTCP_NONE, false, 0, NULL, false};
    dc_plan plan;
    lake_error err = {0};
    CHECK_EQ_INT(dc_plan_make(&objs, &o, &plan, &err), LAKE_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "would both be copied to d/a.json") != NULL);
    o.codec = LAKE_DISTCP_GZIP; /* a.json.gz and a.json.gz again */
    CHECK_EQ_INT(dc_plan_make(&objs, &o, &plan, &err), LAKE_ERR_INVALID_ARG);
    o.codec = LAKE_DISTCP_KEEP;
    o.number_files = true;
    o.starting_index = 3;
    CHECK_EQ_INT(dc_plan_make(&objs, &o, &plan, &err), LAKE_OK);
    CHECK_EQ_STR(plan.parts[0].name, "d/3a.json");
    CHECK_EQ_STR(plan.parts[1].name, "d/4a.json.gz");
    dc_plan_free(&plan);
    /* A group key that gives no file name ("" or "..") is an error naming the object. */
    dc_regex *r = NULL;
    CHECK_EQ_INT(dc_regex_compile("--groupBy", ".*/(x?)a.*", &r, &err), LAKE_OK);
    o.group_by = r;
    o.number_files = false;
    o.codec = LAKE_DISTCP_NONE;
    objs.items[1].key[strlen(objs.items[1].key) - 3] = '\0';     /* d/a.json: one extension */
    CHECK_EQ_INT(dc_plan_make(&objs, &o, &plan, &err), LAKE_OK); /* "" + ".json" */
    CHECK_EQ_STR(plan.parts[0].name, "d/.json");
    dc_plan_free(&plan);
    o.codec = LAKE_DISTCP_KEEP;
    CHECK_EQ_INT(dc_plan_make(&objs, &o, &plan, &err), LAKE_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "gives its output no file name") != NULL);
    dc_regex_free(r);
    lake_obj_list_free(&objs);
}

/* keep_order (lake run --compact): runs of consecutive objects, named after their first. */
UNIT_TEST(distcp_plan_keep_order) {
    lake_obj_list objs = {0};
    add(&objs, "d/a.json", 1);
    add(&objs, "d/b/c.json", 1);
    add(&objs, "d/b/e.json.zst", 1);
    add(&objs, "d/d.json.gz", 1);
    add(&objs, "d/e.json", 1);
    dc_regex *r = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(dc_regex_compile("--groupBy", "/src/(.*)/[^/]+", &r, &err), LAKE_OK);
    dc_plan_opts o = {r, "/src", 0, LAKE_DISTCP_NONE, false, 0, NULL, true};
    dc_plan plan;
    CHECK_EQ_INT(dc_plan_make(&objs, &o, &plan, &err), LAKE_OK);
    CHECK_EQ_INT(plan.n, 3); /* d/ is cut in two by d/b/ */
    CHECK_EQ_STR(plan.parts[0].name, "d/a.json");
    CHECK_EQ_STR(plan.parts[1].name, "d/b/c.json");
    CHECK_EQ_INT(plan.parts[1].n, 2);
    CHECK_EQ_STR(plan.parts[2].name, "d/d.json");
    CHECK_EQ_INT(plan.parts[2].n, 2);
    dc_plan_free(&plan);
    char *n = dc_order_name("a/x.gz", "json");
    CHECK_EQ_STR(n, "a/x.json");
    free(n);
    /* A name that would be read before an object listed ahead of it: an error, not a reorder. */
    lake_obj_list odd = {0};
    add(&odd, "d/a.json-x/f.json", 1);
    add(&odd, "d/a.json.gz", 1);
    CHECK_EQ_INT(dc_plan_make(&odd, &o, &plan, &err), LAKE_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "would be read after d/a.json.gz (copied to d/a.json)") != NULL);
    CHECK(strstr(err.msg, "against the order of their names") != NULL);
    dc_regex_free(r);
    lake_obj_list_free(&odd);
    lake_obj_list_free(&objs);
}
