/* eng_scan reads the batches holding a compressed object first (src/engine/ingest/scan.c), yet
 * reports the error of the first object in listing order that failed. Here a plain object early in
 * the listing cannot be fetched and a corrupt .gz at the end cannot be inflated: the .gz batch is
 * read first, and the error still names the early object, on one worker and on two. */
#include "jobs/sparkify/sparkify.h"
#include "store/store_impl.h"
#include "unit.h"

#include <stdatomic.h>
#include <stdlib.h>

#define SCAN_PLAIN 130 /* plain objects after the early one: three batches of ENG_BATCH_OBJECTS */

static const char *early_key = "log_data/a-early.json", *late_key = "log_data/z-late.json.gz";

typedef struct {
    bool early_fails;      /* the early object's get fails */
    _Atomic int gets;      /* gets so far */
    int early_at, late_at; /* when the early object and the .gz were fetched (1, 2, ...) */
} fake_store;

static void note_order(fake_store *f, const char *key) {
    int at = atomic_fetch_add(&f->gets, 1) + 1;
    if (!strcmp(key, early_key))
        f->early_at = at;
    else if (!strcmp(key, late_key))
        f->late_at = at;
}

static lake_rc fake_get(lake_store *s, const char *key, lake_buf *out, lake_error *err) {
    fake_store *f = s->impl;
    note_order(f, key);
    lake_buf_resize(out, 0);
    if (!strcmp(key, early_key) && f->early_fails)
        return lake_error_set(err, LAKE_ERR_IO, "connection reset");
    if (!strcmp(key, late_key)) { /* a gzip header, then bytes that are no deflate stream */
        static const uint8_t bad[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef};
        lake_buf_append(out, bad, sizeof bad);
        return LAKE_OK;
    }
    static const char rec[] = "{\"ts\": 1541903636796, \"page\": \"Home\"}\n";
    lake_buf_append(out, rec, sizeof rec - 1);
    return LAKE_OK;
}

static const lake_store_ops fake_ops = {.get = fake_get};

static int count_record(void *ctx, const lj_record *rec, const lj_value *vals) {
    (void)rec, (void)vals;
    eng_scan_file *f = ctx;
    atomic_fetch_add((_Atomic size_t *)f->job, 1);
    return 0;
}

static void fake_input(eng_input *in) {
    memset(in, 0, sizeof *in);
    in->prefix = "log_data";
    lake_obj_list_add(&in->objs, early_key, 40);
    for (int i = 0; i < SCAN_PLAIN; i++) {
        char key[64];
        snprintf(key, sizeof key, "log_data/b-%03d.json", i);
        lake_obj_list_add(&in->objs, key, 40);
    }
    lake_obj_list_add(&in->objs, late_key, 14);
}

/* Runs eng_scan over the fake listing; returns its rc, with the message in err. */
static lake_rc scan(fake_store *f, unsigned threads, size_t *records, lake_error *err) {
    lake_store s = {&fake_ops, "fake://", f};
    eng_input in;
    fake_input(&in);
    eng_worker w[2];
    for (unsigned t = 0; t < threads; t++)
        eng_worker_init(&w[t], spk_event_fields, spk_event_nfields);
    _Atomic size_t n = 0;
    lake_rc rc = eng_scan(&s, &in, threads, w, count_record, (void *)&n, "log", err);
    *records = n;
    for (unsigned t = 0; t < threads; t++)
        eng_worker_free(&w[t]);
    lake_obj_list_free(&in.objs);
    return rc;
}

UNIT_TEST(scan_reports_early_plain_failure_over_later_gz) {
    for (unsigned threads = 1; threads <= 2; threads++) {
        fake_store f = {true, 0, 0, 0};
        lake_error err = {0};
        size_t records = 0;
        lake_rc rc = scan(&f, threads, &records, &err);
        CHECK(rc != LAKE_OK);
        CHECK(strstr(err.msg, "a-early.json") != NULL);
        CHECK(strstr(err.msg, "connection reset") != NULL);
        CHECK(strstr(err.msg, "z-late") == NULL);
        if (threads == 1) { /* the reordering this test is about did happen */
            CHECK(f.late_at > 0 && f.early_at > 0);
            CHECK(f.late_at < f.early_at);
        }
        if (rc == LAKE_OK || !strstr(err.msg, "a-early.json"))
            fprintf(stderr, "  threads %u: %s\n", threads, err.msg);
    }
}

UNIT_TEST(scan_reports_late_gz_failure_alone) {
    for (unsigned threads = 1; threads <= 2; threads++) {
        fake_store f = {false, 0, 0, 0};
        lake_error err = {0};
        size_t records = 0;
        lake_rc rc = scan(&f, threads, &records, &err);
        CHECK(rc != LAKE_OK);
        CHECK(strstr(err.msg, "z-late.json.gz") != NULL);
        /* every plain object is listed before the .gz, so all were read */
        CHECK_EQ_INT(records, SCAN_PLAIN + 1);
    }
}
