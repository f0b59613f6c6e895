/* The local backend's read side: mapped views (padding after the last byte even when a file ends
 * on a page boundary), the parallel listing (same keys, sizes and order as a plain walk) and the
 * listing that reads small files as it goes. */
#include "lake/store.h"
#include "store/view.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

static char *temp_root(void) {
    char tmpl[] = "/tmp/lake-read-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? lake_xstrdup(d) : NULL;
}

static lake_store *open_root(const char *root) {
    lake_store *s = NULL;
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_open(root, &s, &err), LAKE_OK);
    return s;
}

static void put_bytes(lake_store *s, const char *key, size_t len, uint8_t fill) {
    uint8_t *p = lake_xmalloc(len + 1);
    memset(p, fill, len);
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_put(s, key, p, len, &err), LAKE_OK);
    free(p);
}

/* A view holds the file's bytes and then LAKE_BUF_PADDING zeros. */
static void check_view(lake_store *s, const char *key, size_t len, uint8_t fill) {
    lake_view v;
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_map(s, key, &v, &err), LAKE_OK);
    CHECK_EQ_INT(v.len, len);
    size_t bad = 0;
    for (size_t i = 0; i < len; i++)
        bad += v.data[i] != fill;
    for (size_t i = 0; i < LAKE_BUF_PADDING; i++)
        bad += v.data[len + i] != 0;
    CHECK_EQ_INT(bad, 0);
    lake_view_release(&v);
    CHECK(v.data == NULL && v.map == NULL);
}

UNIT_TEST(local_view_padding_at_page_boundaries) {
    char *root = temp_root();
    lake_store *s = open_root(root);
    CHECK(lake_store_can_map(s));
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t sizes[] = {0, 1, page - 1, page, page + 1, 2 * page - 10, 3 * page};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        char key[64];
        snprintf(key, sizeof key, "log_data/f%zu.json", i);
        put_bytes(s, key, sizes[i], (uint8_t)('a' + i));
        check_view(s, key, sizes[i], (uint8_t)('a' + i));
    }
    lake_view v;
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_map(s, "log_data/missing.json", &v, &err), LAKE_ERR_NOT_FOUND);
    CHECK(strstr(err.msg, "log_data/missing.json") != NULL);
    CHECK_EQ_INT(lake_store_map(s, "log_data", &v, &err), LAKE_ERR_IO); /* a directory */
    CHECK(strstr(err.msg, "not a regular file") != NULL);
    lake_view_release(&v);
    CHECK_EQ_INT(lake_store_delete_prefix(s, "log_data/", &err), LAKE_OK);
    lake_store_close(s);
    rmdir(root);
    free(root);
}

/* Many first-level directories (walked in parallel), files directly under the prefix, deeper
 * trees and a sibling outside the prefix: the listing is the sorted set of keys under the
 * prefix, with sizes. */
UNIT_TEST(local_list_parallel_matches_tree) {
    char *root = temp_root();
    lake_store *s = open_root(root);
    size_t expect = 0;
    for (int a = 0; a < 20; a++)
        for (int b = 0; b < 5; b++) {
            char key[96];
            snprintf(key, sizeof key, "song_data/%c/%c/%c/TR%02d%d.json", 'A' + (a * 7) % 20,
                     'A' + b, 'A' + (a + b) % 3, a, b);
            put_bytes(s, key, (size_t)(a * 5 + b), 'x');
            expect++;
        }
    put_bytes(s, "song_data/top.json", 7, 'x');
    put_bytes(s, "song_dataX/outside.json", 1, 'x');
    put_bytes(s, "log_data/e.json", 1, 'x');
    expect++;
    lake_obj_list l = {0};
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_list(s, "song_data/", &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, expect);
    size_t unsorted = 0, outside = 0, top = 0;
    for (size_t i = 0; i < l.n; i++) {
        unsorted += i && strcmp(l.items[i - 1].key, l.items[i].key) >= 0;
        outside += strncmp(l.items[i].key, "song_data/", 10) != 0;
        top += !strcmp(l.items[i].key, "song_data/top.json") && l.items[i].size == 7;
    }
    CHECK_EQ_INT(unsorted, 0);
    CHECK_EQ_INT(outside, 0);
    CHECK_EQ_INT(top, 1);
    lake_obj_list_free(&l);
    CHECK_EQ_INT(lake_store_list(s, "song_data/Z/", &l, &err), LAKE_OK); /* absent: empty */
    CHECK_EQ_INT(l.n, 0);
    CHECK_EQ_INT(lake_store_list(s, "song_data/Q/", &l, &err), LAKE_OK); /* one subtree */
    CHECK_EQ_INT(l.n, 5);
    lake_obj_list_free(&l);
    CHECK_EQ_INT(lake_store_list(s, "", &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, expect + 2);
    lake_obj_list_free(&l);
    const char *dirs[] = {"song_data/", "song_dataX/", "log_data/"};
    for (int i = 0; i < 3; i++)
        CHECK_EQ_INT(lake_store_delete_prefix(s, dirs[i], &err), LAKE_OK);
    lake_store_close(s);
    rmdir(root);
    free(root);
}

/* Bytes of l's object key, or NULL when the listing did not read it (CHECK fails if absent). */
static const lake_obj *find_obj(const lake_obj_list *l, const char *key) {
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i].key, key))
            return &l->items[i];
    CHECK(!"key listed");
    return NULL;
}

/* lake_store_list_read: the same keys and sizes as a plain listing; files up to max_bytes carry
 * their bytes and zero padding, larger ones do not, and the budget caps what is read in all. */
UNIT_TEST(local_list_read_reads_small_files) {
    char *root = temp_root();
    lake_store *s = open_root(root);
    for (int i = 0; i < 12; i++) {
        char key[64];
        snprintf(key, sizeof key, "song_data/%c/TR%02d.json", 'A' + i % 3, i);
        put_bytes(s, key, (size_t)(10 + i), (uint8_t)('a' + i));
    }
    put_bytes(s, "song_data/big.json", 5000, 'z');
    put_bytes(s, "song_data/empty.json", 0, 'z');
    lake_obj_list plain = {0}, l = {0};
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_list(s, "song_data/", &plain, &err), LAKE_OK);
    CHECK_EQ_INT(lake_store_list_read(s, "song_data/", 4096, 1 << 20, 0, &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, plain.n);
    CHECK_EQ_INT(l.n, 14);
    size_t differ = 0, bad = 0;
    for (size_t i = 0; i < l.n; i++) {
        differ += strcmp(l.items[i].key, plain.items[i].key) != 0;
        differ += l.items[i].size != plain.items[i].size;
        CHECK(plain.items[i].data == NULL);
    }
    CHECK_EQ_INT(differ, 0);
    const lake_obj *o = find_obj(&l, "song_data/B/TR04.json");
    CHECK(o && o->data && o->size == 14);
    for (size_t k = 0; o && o->data && k < o->size + LAKE_BUF_PADDING; k++)
        bad += o->data[k] != (k < o->size ? 'a' + 4 : 0);
    CHECK_EQ_INT(bad, 0);
    o = find_obj(&l, "song_data/empty.json");
    CHECK(o && o->data && o->size == 0 && o->data[0] == 0);
    o = find_obj(&l, "song_data/big.json");
    CHECK(o && o->data == NULL && o->size == 5000); /* above max_bytes: left to a get or a map */
    lake_obj_drop_data(&l, 0);
    CHECK(l.items[0].data == NULL);
    lake_obj_list_free(&l);
    /* A budget of 40 bytes: the files read while listing total at most 40 bytes. */
    CHECK_EQ_INT(lake_store_list_read(s, "song_data/", 4096, 40, 0, &l, &err), LAKE_OK);
    size_t held = 0, with = 0;
    for (size_t i = 0; i < l.n; i++)
        if (l.items[i].data)
            held += l.items[i].size, with++;
    CHECK(held <= 40);
    CHECK(with >= 1 && with < 14);
    lake_obj_list_free(&l);
    lake_obj_list_free(&plain);
    CHECK_EQ_INT(lake_store_delete_prefix(s, "song_data/", &err), LAKE_OK);
    lake_store_close(s);
    rmdir(root);
    free(root);
}

/* Keys of l joined by spaces, for comparing a whole listing at once. */
static char *keys_of(const lake_obj_list *l) {
    lake_buf b;
    lake_buf_init(&b);
    for (size_t i = 0; i < l->n; i++)
        lake_buf_printf(&b, "%s%s", i ? " " : "", l->items[i].key);
    char *s = lake_xasprintf("%.*s", (int)b.len, (const char *)b.data);
    lake_buf_free(&b);
    return s;
}

/* A symbolic link back to an ancestor directory fails the listing, naming the link, where it
 * points and the ancestor; links to files and to directories that are no ancestor are followed,
 * in the first (serial) level of the walk and in the parallel one alike. */
UNIT_TEST(local_list_symlink_loop) {
    char *root = temp_root();
    CHECK(root != NULL);
    lake_store *s = open_root(root);
    put_bytes(s, "d/a/b/x.json", 3, 'x');
    put_bytes(s, "other/y.json", 2, 'y');
    char *p = lake_xasprintf("%s/d/a/b/loop", root), *q = lake_xasprintf("%s/d/up", root);
    lake_obj_list l = {0};
    lake_error err = {0};
    CHECK_EQ_INT(symlink("../..", p), 0); /* d/a/b/loop -> d: deep, walked by the parallel phase */
    CHECK_EQ_INT(lake_store_list(s, "d/", &l, &err), LAKE_ERR_IO);
    char *want =
        lake_xasprintf("directory loop: %s -> ../.. leads back to its ancestor %s/d (", p, root);
    CHECK(strstr(err.msg, want) != NULL);
    free(want);
    lake_obj_list_free(&l);
    CHECK_EQ_INT(unlink(p), 0);
    CHECK_EQ_INT(symlink(root, q),
                 0); /* d/up -> the root itself, one level below the walk's start */
    err = (lake_error){0};
    CHECK_EQ_INT(lake_store_list(s, "", &l, &err), LAKE_ERR_IO);
    want =
        lake_xasprintf("directory loop: %s -> %s leads back to its ancestor %s (", q, root, root);
    CHECK(strstr(err.msg, want) != NULL);
    free(want);
    lake_obj_list_free(&l);
    CHECK_EQ_INT(unlink(q), 0);
    /* no loops: a second name for a directory and a link to a file are listed as themselves */
    char *other = lake_xasprintf("%s/other", root), *file = lake_xasprintf("%s/d/a/b/x.json", root);
    CHECK_EQ_INT(symlink(other, q), 0);
    CHECK_EQ_INT(symlink(file, p), 0);
    CHECK_EQ_INT(lake_store_list(s, "d/", &l, &err), LAKE_OK);
    char *got = keys_of(&l);
    CHECK_EQ_STR(got, "d/a/b/loop d/a/b/x.json d/up/y.json");
    free(got);
    lake_obj_list_free(&l);
    free(other);
    free(file);
    free(p);
    free(q);
    lake_store_close(s);
    unit_rm_tree(root);
    free(root);
}

/* LAKE_LIST_SKIP_HIDDEN: names starting with '_' or '.' below the prefix are left out at every
 * level (and their directories not entered); those in the prefix itself still count. */
UNIT_TEST(store_list_skip_hidden) {
    CHECK(!lake_key_hidden_below("d/a/x.json", 2));
    CHECK(lake_key_hidden_below("d/_a/x.json", 2));
    CHECK(lake_key_hidden_below("d/a/.x.json", 2));
    CHECK(lake_key_hidden_below("d/a_b/_SUCCESS", 2));
    CHECK(!lake_key_hidden_below("_d/a/x.json", 3)); /* '_d' is the prefix's own */
    CHECK(!lake_key_hidden_below("d/a.b_c/x.json", 2));
    CHECK(lake_key_hidden_below(".x", 0));
    char *root = temp_root();
    CHECK(root != NULL);
    lake_store *s = open_root(root);
    const char *keys[] = {"_in/a/x.json",           "_in/a/_tmp/y.json", "_in/.hidden.json",
                          "_in/a/b/.crc/z.json",    "_in/a/_SUCCESS",    "_in/b.c/_d.json",
                          "_in/_temporary/0/w.json"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        put_bytes(s, keys[i], 4, 'k');
    lake_obj_list l = {0};
    lake_error err = {0};
    CHECK_EQ_INT(lake_store_list_read(s, "_in/", 4096, 1 << 20, LAKE_LIST_SKIP_HIDDEN, &l, &err),
                 LAKE_OK);
    char *got = keys_of(&l);
    CHECK_EQ_STR(got, "_in/a/x.json");
    free(got);
    lake_obj_list_free(&l);
    CHECK_EQ_INT(lake_store_list_read(s, "_in/", 4096, 1 << 20, 0, &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, sizeof keys / sizeof *keys); /* without the flag: everything */
    lake_obj_list_free(&l);
    /* one level of names, directories with a '/' */
    CHECK_EQ_INT(lake_store_list_names(s, "_in/", &l, &err), LAKE_OK);
    got = keys_of(&l);
    CHECK_EQ_STR(got, "_in/.hidden.json _in/_temporary/ _in/a/ _in/b.c/");
    free(got);
    lake_obj_list_free(&l);
    CHECK_EQ_INT(lake_store_list_names(s, "none/", &l, &err), LAKE_OK);
    CHECK_EQ_INT(l.n, 0);
    lake_store_close(s);
    unit_rm_tree(root);
    free(root);
}
