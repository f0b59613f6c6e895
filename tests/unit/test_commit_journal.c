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
    eng_journal j = {lake_xstrdup("r1"), lake_xstrdup("_temporary/r1/"), false, NULL, 0, 0};
    eng_journal_add(&j, ENG_MOVE_SWAP, "songs/year=0/artist_id=A B/", "part-00000-r1-c000.parquet");
    eng_journal_add(&j, ENG_MOVE_RETIRE, "_rejected/", NULL);
    eng_journal_add(&j, ENG_MOVE_MARKER, "songs/", "none");
    CHECK_EQ_INT(eng_journal_write(s, &j, no_step, NULL, NULL), LAKE_OK);
    eng_journal back;
    bool found = false;
    CHECK_EQ_INT(eng_journal_read(s, &back, &found, NULL), LAKE_OK);
    CHECK(found);
    CHECK_EQ_STR(back.run_id, "r1");
    CHECK_EQ_STR(back.staging, "_temporary/r1/");
    CHECK(!back.abort);
    CHECK_EQ_INT(back.n, 3);
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
    eng_journal j = {lake_xstrdup("r1"), lake_xstrdup("_temporary/r1/"), false, NULL, 0, 0};
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
