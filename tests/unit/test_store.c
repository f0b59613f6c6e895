#include "lake/store.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *temp_root(void) {
    char tmpl[] = "/tmp/lake-store-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? lake_xstrdup(d) : NULL;
}

static void put_str(lake_store *s, const char *key, const char *text) {
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_put(s, key, text, strlen(text), &err), LAKE_OK);
}

UNIT_TEST(store_local_put_get_list_sorted) {
    char *root = temp_root();
    lake_store *s = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_open(root, &s, &err), LAKE_OK);
    put_str(s, "song_data/B/x.json", "b");
    put_str(s, "song_data/A/z.json", "a-z");
    put_str(s, "song_data/A/Z.json", "A-Z");
    put_str(s, "log_data/2018/e.json", "e");
    lake_obj_list l = {0};
    CHECK_EQ_INT(lake_store_list(s, "song_data/", &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, 3);
    if (l.n == 3) {
        CHECK_EQ_STR(l.items[0].key, "song_data/A/Z.json"); /* byte-wise: 'Z' < 'z' */
        CHECK_EQ_STR(l.items[1].key, "song_data/A/z.json");
        CHECK_EQ_STR(l.items[2].key, "song_data/B/x.json");
        CHECK_EQ_INT(l.items[1].size, 3);
    }
    lake_obj_list_free(&l);
    lake_buf b;
    lake_buf_init(&b);
    CHECK_EQ_INT(lake_store_get(s, "song_data/A/z.json", &b, &err), LAKE_OK);
    CHECK_EQ_MEM(b.data, b.len, "a-z", 3);
    CHECK_EQ_INT(b.data[b.len], 0); /* padding */
    CHECK_EQ_INT(lake_store_get(s, "nope.json", &b, &err), LAKE_ERR_NOT_FOUND);
    CHECK(strstr(err.msg, "nope.json") != NULL);
    lake_buf_free(&b);
    CHECK_EQ_INT(lake_store_delete_prefix(s, "song_data/", &err), LAKE_OK);
    CHECK_EQ_INT(lake_store_list(s, "", &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, 1);
    lake_obj_list_free(&l);
    CHECK_EQ_INT(lake_store_delete_prefix(s, "log_data/", &err), LAKE_OK);
    lake_store_close(s);
    rmdir(root);
    free(root);
}

UNIT_TEST(store_local_rename_prefix_and_missing) {
    char *root = temp_root();
    lake_store *s = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_open(root, &s, &err), LAKE_OK);
    put_str(s, "stage/t/a.parquet", "1");
    CHECK_EQ_INT(lake_store_rename_prefix(s, "stage/t/", "t/", &err), LAKE_OK);
    lake_obj_list l = {0};
    CHECK_EQ_INT(lake_store_list(s, "t/", &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, 1);
    lake_obj_list_free(&l);
    CHECK_EQ_INT(lake_store_rename_prefix(s, "missing/", "x/", &err), LAKE_ERR_NOT_FOUND);
    CHECK_EQ_INT(lake_store_list(s, "nothing-here/", &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, 0);
    CHECK_EQ_INT(lake_store_delete_prefix(s, "", &err), LAKE_ERR_INVALID_ARG);
    CHECK_EQ_INT(lake_store_delete_prefix(s, "t/", &err), LAKE_OK);
    CHECK_EQ_INT(lake_store_delete_prefix(s, "stage/", &err), LAKE_OK);
    lake_store_close(s);
    rmdir(root);
    free(root);
}

UNIT_TEST(store_open_rejects_unknown_scheme) {
    lake_store *s = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_open("ftp://x/y", &s, &err), LAKE_ERR_INVALID_ARG);
    CHECK(s == NULL);
    CHECK(strstr(err.msg, "ftp://x/y") != NULL);
}
