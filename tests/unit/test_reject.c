#include "jobs/sparkify/sparkify.h"
#include "unit.h"

UNIT_TEST(reject_written_as_valid_json_lines) {
    eng_worker w;
    eng_worker_init(&w, spk_song_fields, spk_song_nfields);
    eng_reject_add(&w, "log_data/b.json", 1, 7, "field 'ts': expected an integer", "{\"ts\":\"x\"}",
                   10);
    eng_reject_add(&w, "log_data/a.json", 0, 3, "invalid JSON", "bad\xff\x01\"\\", 7);
    eng_reject_list all = {0};
    eng_reject_merge(&all, &w.rejects);
    eng_reject_sort(&all);
    lake_buf out;
    lake_buf_init(&out);
    eng_reject_write(&all, &out);
    lake_buf_putc(&out, 0);
    CHECK_EQ_STR((const char *)out.data,
                 "{\"source\":\"log_data/a.json\",\"line\":3,\"reason\":\"invalid JSON\","
                 "\"raw\":\"bad\xef\xbf\xbd\\u0001\\\"\\\\\"}\n"
                 "{\"source\":\"log_data/b.json\",\"line\":7,\"reason\":\"field 'ts': expected "
                 "an integer\",\"raw\":\"{\\\"ts\\\":\\\"x\\\"}\"}\n");
    lake_buf_free(&out);
    eng_reject_list_free(&all);
    eng_worker_free(&w);
}

UNIT_TEST(reject_intern_shares_equal_strings) {
    eng_worker w;
    eng_worker_init(&w, spk_song_fields, spk_song_nfields);
    lake_str a = eng_intern(&w, "paid", 4), b = eng_intern(&w, "paid", 4);
    lake_str c = eng_intern(&w, "free", 4), e = eng_intern(&w, "", 0);
    CHECK(a.ptr == b.ptr);
    CHECK(a.ptr != c.ptr);
    CHECK(e.ptr != NULL);
    CHECK_EQ_INT(e.len, 0);
    eng_worker_free(&w);
}

/* A song reject and a log reject at the same object index and line (two listings) come out in
 * the same order whichever worker list they were merged from first. */
UNIT_TEST(reject_order_ties_broken_by_source) {
    eng_worker a, b;
    eng_worker_init(&a, spk_song_fields, spk_song_nfields);
    eng_worker_init(&b, spk_song_fields, spk_song_nfields);
    eng_reject_add(&a, "song_data/x.json", 2, 1, "song", "s", 1);
    eng_reject_add(&b, "log_data/y.json", 2, 1, "log", "l", 1);
    for (int order = 0; order < 2; order++) {
        eng_reject_list all = {0};
        eng_reject_merge(&all, order ? &b.rejects : &a.rejects);
        eng_reject_merge(&all, order ? &a.rejects : &b.rejects);
        eng_reject_sort(&all);
        CHECK_EQ_INT(all.n, 2);
        CHECK_EQ_STR(all.items[0].source, "log_data/y.json");
        CHECK_EQ_STR(all.items[1].source, "song_data/x.json");
        eng_reject_list_free(&all);
    }
    eng_worker_free(&a);
    eng_worker_free(&b);
}
