/* The rename protocol's journal: its text survives a round trip (keys with spaces included), a
 * damaged journal is an error naming its line, and applying it forward or back twice is the same
 * as once (what recovery relies on after a crash in the middle). */
#include "engine/commit/commit_journal.h"
#include "unit.h"

#include <stdlib.h>

static lake_rc no_step(void *ud, lake_error *err) {
    (void)ud;
    (void)err;
    return LAKE_OK;
}

static lake_store *temp_store(char *tmpl) {
    lake_store *s = NULL;
    CHECK(mkdtemp(tmpl) != NULL);
    CHECK_EQ_INT(lake_store_open(tmpl, &s, NULL), LAKE_OK);
    return s;
}

static char *get_text(lake_store *s, const char *key) {
    lake_buf b;
    lake_buf_init(&b);
    if (lake_store_get(s, key, &b, NULL)) {
        lake_buf_free(&b);
        return NULL;
    }
    char *t = lake_xstrndup((const char *)b.data, b.len);
    lake_buf_free(&b);
    return t;
}

UNIT_TEST(commit_journal_round_trip_and_damage) {
    char tmpl[] = "/tmp/lake-journal-XXXXXX";
    lake_store *s = temp_store(tmpl);
    eng_journal j = {.run_id = lake_xstrdup("r1"), .staging = lake_xstrdup("_temporary/r1/")};
    eng_journal_add(&j, ENG_MOVE_SWAP, "songs/year=0/artist_id=A B/", "part-00000-r1-c000.parquet");
    eng_journal_add(&j, ENG_MOVE_RETIRE, "_rejected/", NULL);
    eng_journal_add(&j, ENG_MOVE_MARKER, "songs/", "none");
    eng_journal_add(&j, ENG_MOVE_PUBLISH, "t/a b.parquet", "2~Xy.z \"e1\" \"e2-3\"");
    eng_journal_add(&j, ENG_MOVE_PUBLISH, "t/c.parquet", "");
    eng_journal_add(&j, ENG_MOVE_CLEAN, "t/", "written");
    eng_journal_add(&j, ENG_MOVE_PLACE, "d/2024-01-01.gz", NULL);
    CHECK_EQ_INT(eng_journal_write(s, &j, no_step, NULL, NULL), LAKE_OK);
    eng_journal back;
    bool found = false;
    CHECK_EQ_INT(eng_journal_read(s, &back, &found, NULL), LAKE_OK);
    CHECK(found);
    CHECK_EQ_STR(back.run_id, "r1");
    CHECK_EQ_STR(back.staging, "_temporary/r1/");
    CHECK(!back.abort);
    CHECK_EQ_INT(back.n, 7);
    CHECK_EQ_INT(back.moves[6].kind, ENG_MOVE_PLACE);
    CHECK_EQ_STR(back.moves[6].rel, "d/2024-01-01.gz");
    CHECK(back.moves[6].witness == NULL);
    CHECK_EQ_INT(back.moves[3].kind, ENG_MOVE_PUBLISH);
    CHECK_EQ_STR(back.moves[3].rel, "t/a b.parquet");
    CHECK_EQ_STR(back.moves[3].witness, "2~Xy.z \"e1\" \"e2-3\"");
    CHECK_EQ_STR(back.moves[4].witness, "");
    CHECK_EQ_INT(back.moves[5].kind, ENG_MOVE_CLEAN);
    CHECK_EQ_STR(back.moves[5].witness, "written");
    CHECK_EQ_STR(back.moves[0].rel, "songs/year=0/artist_id=A B/");
    CHECK_EQ_STR(back.moves[0].witness, "part-00000-r1-c000.parquet");
    CHECK_EQ_INT(back.moves[1].kind, ENG_MOVE_RETIRE);
    CHECK_EQ_INT(back.moves[2].kind, ENG_MOVE_MARKER);
    CHECK_EQ_STR(back.moves[2].witness, "none");
    eng_journal_free(&back);
    const char *bad = "lake-journal 1\nrun\tr1\nstaging\t_temporary/r1/\nmove songs/\n";
    CHECK_EQ_INT(lake_store_put(s, ENG_JOURNAL_KEY, bad, strlen(bad), NULL), LAKE_OK);
    lake_error err = {0};
    CHECK_EQ_INT(eng_journal_read(s, &back, &found, &err), LAKE_ERR_PARSE);
    CHECK(strstr(err.msg, "line 4") != NULL);
    eng_journal_free(&j);
    lake_store_close(s);
    unit_rm_tree(tmpl);
}

UNIT_TEST(commit_journal_twice_is_once) {
    char tmpl[] = "/tmp/lake-journal-XXXXXX";
    lake_store *s = temp_store(tmpl);
    char *m_old = eng_marker_text("r0"), *m_new = eng_marker_text("r1");
    CHECK_EQ_INT(lake_store_put(s, "t/_SUCCESS", m_old, strlen(m_old), NULL), LAKE_OK);
    CHECK_EQ_INT(lake_store_put(s, "_temporary/r1/t/_SUCCESS", m_new, strlen(m_new), NULL),
                 LAKE_OK);
    CHECK_EQ_INT(lake_store_put(s, "_rejected/old.json", "x", 1, NULL), LAKE_OK);
    eng_journal j = {.run_id = lake_xstrdup("r1"), .staging = lake_xstrdup("_temporary/r1/")};
    eng_journal_add(&j, ENG_MOVE_SWAP, "t/", "_SUCCESS");
    eng_journal_add(&j, ENG_MOVE_RETIRE, "_rejected/", NULL);
    for (int pass = 0; pass < 2; pass++) {
        CHECK_EQ_INT(eng_journal_forward(s, &j, no_step, NULL, NULL), LAKE_OK);
        char *live = get_text(s, "t/_SUCCESS");
        CHECK(live && !strcmp(live, m_new));
        free(live);
        bool there = true;
        CHECK_EQ_INT(lake_store_exists(s, "_rejected/", &there, NULL), LAKE_OK);
        CHECK(!there);
    }
    for (int pass = 0; pass < 2; pass++) {
        CHECK_EQ_INT(eng_journal_back(s, &j, no_step, NULL, NULL), LAKE_OK);
        char *live = get_text(s, "t/_SUCCESS");
        CHECK(live && !strcmp(live, m_old));
        free(live);
        char *rej = get_text(s, "_rejected/old.json");
        CHECK(rej && !strcmp(rej, "x"));
        free(rej);
    }
    eng_journal_free(&j);
    free(m_old);
    free(m_new);
    lake_store_close(s);
    unit_rm_tree(tmpl);
}

static size_t count_under(lake_store *s, const char *prefix) {
    lake_obj_list l = {0};
    CHECK_EQ_INT(lake_store_list(s, prefix, &l, NULL), LAKE_OK);
    size_t n = l.n;
    lake_obj_list_free(&l);
    return n;
}

/* The direct protocol's moves on a store that cannot pend (objects are visible once written):
 * publishing twice is once, and cleaning deletes every older object of the table ("all") or of
 * the partitions written ("written"), never the run's files or the marker. */
UNIT_TEST(commit_journal_publish_and_clean) {
    char tmpl[] = "/tmp/lake-journal-XXXXXX";
    lake_store *s = temp_store(tmpl);
    const char *keys[] = {"a/p=1/new-r1.txt", "a/p=2/new-r1.txt", "a/p=1/old-r0.txt",
                          "a/p=3/old-r0.txt", "a/_SUCCESS",       "b/old-r0.txt",
                          "b/new-r1.txt"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        CHECK_EQ_INT(lake_store_put(s, keys[i], "x", 1, NULL), LAKE_OK);
    eng_journal j = {.run_id = lake_xstrdup("r1"), .staging = lake_xstrdup("")};
    eng_journal_add(&j, ENG_MOVE_PUBLISH, keys[0], "");
    eng_journal_add(&j, ENG_MOVE_PUBLISH, keys[1], "");
    eng_journal_add(&j, ENG_MOVE_PUBLISH, keys[6], "");
    eng_journal_add(&j, ENG_MOVE_CLEAN, "a/", "written");
    eng_journal_add(&j, ENG_MOVE_CLEAN, "b/", "all");
    for (int pass = 0; pass < 2; pass++) {
        CHECK_EQ_INT(eng_journal_forward(s, &j, no_step, NULL, NULL), LAKE_OK);
        CHECK_EQ_INT(count_under(s, ""), 7); /* forward leaves cleaning to eng_journal_clean */
    }
    for (int pass = 0; pass < 2; pass++) {
        CHECK_EQ_INT(eng_journal_clean(s, &j, no_step, NULL, NULL), LAKE_OK);
        bool yes = true;
        CHECK_EQ_INT(lake_store_exists(s, "a/p=1/old-r0.txt", &yes, NULL), LAKE_OK);
        CHECK(!yes);
        CHECK_EQ_INT(lake_store_exists(s, "a/p=3/old-r0.txt", &yes, NULL), LAKE_OK);
        CHECK(yes); /* a partition the run did not write stays */
        CHECK_EQ_INT(lake_store_exists(s, "b/old-r0.txt", &yes, NULL), LAKE_OK);
        CHECK(!yes);
        CHECK_EQ_INT(count_under(s, ""), 5);
    }
    CHECK_EQ_INT(eng_journal_back(s, &j, no_step, NULL, NULL), LAKE_OK);
    CHECK_EQ_INT(count_under(s, ""), 2); /* the run's files are gone: the marker, p=3 stay */
    eng_journal_free(&j);
    lake_store_close(s);
    unit_rm_tree(tmpl);
}

/* PLACE moves (a merge table's files): forward puts the staged object in place and keeps the one
 * it replaces; back restores it; each twice is once. */
UNIT_TEST(commit_journal_place_forward_and_back) {
    char tmpl[] = "/tmp/lake-journal-XXXXXX";
    lake_store *s = temp_store(tmpl);
    eng_journal j = {.run_id = lake_xstrdup("r2"), .staging = lake_xstrdup("_temporary/r2/")};
    eng_journal_add(&j, ENG_MOVE_PLACE, "d/old.json", NULL);
    eng_journal_add(&j, ENG_MOVE_PLACE, "d/new.json", NULL);
    CHECK_EQ_INT(lake_store_put(s, "d/old.json", "old", 3, NULL), LAKE_OK);
    CHECK_EQ_INT(lake_store_put(s, "_temporary/r2/d/old.json", "OLD2", 4, NULL), LAKE_OK);
    CHECK_EQ_INT(lake_store_put(s, "_temporary/r2/d/new.json", "NEW", 3, NULL), LAKE_OK);
    for (int i = 0; i < 2; i++)
        CHECK_EQ_INT(eng_journal_forward(s, &j, no_step, NULL, NULL), LAKE_OK);
    lake_buf b;
    lake_buf_init(&b);
    CHECK_EQ_INT(lake_store_get(s, "d/old.json", &b, NULL), LAKE_OK);
    CHECK_EQ_MEM(b.data, b.len, "OLD2", 4);
    b.len = 0;
    CHECK_EQ_INT(lake_store_get(s, "_temporary/r2/_old/d/old.json", &b, NULL), LAKE_OK);
    CHECK_EQ_MEM(b.data, b.len, "old", 3);
    for (int i = 0; i < 2; i++)
        CHECK_EQ_INT(eng_journal_back(s, &j, no_step, NULL, NULL), LAKE_OK);
    b.len = 0;
    CHECK_EQ_INT(lake_store_get(s, "d/old.json", &b, NULL), LAKE_OK);
    CHECK_EQ_MEM(b.data, b.len, "old", 3);
    bool yes = true;
    CHECK_EQ_INT(lake_store_exists(s, "d/new.json", &yes, NULL), LAKE_OK);
    CHECK(!yes);
    CHECK_EQ_INT(lake_store_exists(s, "_temporary/r2/d/new.json", &yes, NULL), LAKE_OK);
    CHECK(yes);
    lake_buf_free(&b);
    eng_journal_free(&j);
    lake_store_close(s);
    unit_rm_tree(tmpl);
}
