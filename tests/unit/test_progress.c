/* Progress counters (lake/progress.h): a stage restarts its counters, additions from many threads
 * all count, a NULL sink is a no-op; eng_scan counts every object and byte it reads; partition
 * size classes (the summary's histogram) double. */
#include "engine/ingest/scan.h"
#include "engine/load/load.h"
#include "jobs/sparkify/sparkify.h"
#include "lake/progress.h"
#include "store/store_impl.h"
#include "unit.h"

#include <pthread.h>
#include <stdlib.h>

UNIT_TEST(progress_stage_restarts_its_counters) {
    lake_progress p = {0};
    lake_progress_view v;
    lake_progress_read(&p, &v);
    CHECK(v.stage == NULL);
    lake_progress_where(&p, 2, 4);
    lake_progress_stage(&p, "songs");
    lake_progress_plan(&p, 10, 1000, 0);
    lake_progress_add(&p, 3, 300, 0, 0);
    lake_progress_add(&p, 0, 50, 7, 2);
    lake_progress_read(&p, &v);
    CHECK_EQ_STR(v.stage, "songs");
    CHECK_EQ_INT(v.objects_done, 3);
    CHECK_EQ_INT(v.objects_total, 10);
    CHECK_EQ_INT(v.bytes_done, 350);
    CHECK_EQ_INT(v.bytes_total, 1000);
    CHECK_EQ_INT(v.rows_done, 7);
    CHECK_EQ_INT(v.files_written, 2);
    CHECK_EQ_INT(v.rank, 2);
    CHECK_EQ_INT(v.ranks, 4);
    lake_progress_stage(&p, "write");
    lake_progress_read(&p, &v);
    CHECK_EQ_STR(v.stage, "write");
    CHECK_EQ_INT(v.objects_done + v.objects_total + v.bytes_done + v.bytes_total + v.rows_done, 0);
    CHECK_EQ_INT(v.files_written, 2); /* counted over the whole command */
}

UNIT_TEST(progress_null_sink_does_nothing) {
    lake_progress_stage(NULL, "list");
    lake_progress_plan(NULL, 1, 2, 3);
    lake_progress_add(NULL, 1, 2, 3, 4);
    lake_progress_where(NULL, 0, 1);
    lake_progress_view v;
    memset(&v, 0xff, sizeof v);
    lake_progress_read(NULL, &v);
    CHECK(v.stage == NULL);
    CHECK_EQ_INT(v.bytes_done, 0);
    CHECK_EQ_INT(v.ranks, 0);
}

#define ADDERS 4
#define ADDS 100000

static void *add_many(void *arg) {
    for (int i = 0; i < ADDS; i++)
        lake_progress_add(arg, 1, 3, 0, 0);
    return NULL;
}

UNIT_TEST(progress_counts_every_thread) {
    lake_progress p = {0};
    lake_progress_stage(&p, "events");
    pthread_t t[ADDERS];
    for (int i = 0; i < ADDERS; i++)
        pthread_create(&t[i], NULL, add_many, &p);
    for (int i = 0; i < ADDERS; i++)
        pthread_join(t[i], NULL);
    lake_progress_view v;
    lake_progress_read(&p, &v);
    CHECK_EQ_INT(v.objects_done, ADDERS * ADDS);
    CHECK_EQ_INT(v.bytes_done, 3 * ADDERS * ADDS);
}

static lake_rc two_records(lake_store *s, const char *key, lake_buf *out, lake_error *err) {
    (void)s, (void)key, (void)err;
    static const char recs[] = "{\"page\": \"Home\"}\n{\"page\": \"Home\"}\n";
    lake_buf_resize(out, 0);
    lake_buf_append(out, recs, sizeof recs - 1);
    return LAKE_OK;
}

static const lake_store_ops two_records_ops = {.get = two_records};

static int ignore_record(void *ctx, const lj_record *rec, const lj_value *vals) {
    (void)ctx, (void)rec, (void)vals;
    return 0;
}

/* Objects [5, 205) of a listing of 300 (a rank's share): the scan plans and counts just those. */
UNIT_TEST(progress_scan_counts_its_share_of_objects_and_bytes) {
    lake_store s = {&two_records_ops, "fake://", NULL};
    eng_input in;
    memset(&in, 0, sizeof in);
    in.prefix = "log_data";
    for (int i = 0; i < 300; i++) {
        char key[64];
        snprintf(key, sizeof key, "log_data/%03d.json", i);
        lake_obj_list_add(&in.objs, key, (uint64_t)(100 + i));
    }
    in.lo = 5;
    in.hi = 205;
    lake_progress p = {0};
    lake_progress_stage(&p, "events");
    in.progress = &p;
    eng_worker w[2];
    for (int t = 0; t < 2; t++)
        eng_worker_init(&w[t], spk_event_fields, spk_event_nfields);
    lake_error err = {0};
    CHECK_EQ_INT(eng_scan(&s, &in, 2, w, ignore_record, NULL, "log", &err), LAKE_OK);
    uint64_t bytes = 0;
    for (int i = 5; i < 205; i++)
        bytes += (uint64_t)(100 + i);
    lake_progress_view v;
    lake_progress_read(&p, &v);
    CHECK_EQ_INT(v.objects_total, 200);
    CHECK_EQ_INT(v.objects_done, 200);
    CHECK_EQ_INT(v.bytes_total, bytes);
    CHECK_EQ_INT(v.bytes_done, bytes);
    for (int t = 0; t < 2; t++)
        eng_worker_free(&w[t]);
    lake_obj_list_free(&in.objs);
}

UNIT_TEST(partition_size_classes_double) {
    CHECK_EQ_INT(eng_part_class(0), 0);
    CHECK_EQ_INT(eng_part_class(1), 1);
    CHECK_EQ_INT(eng_part_class(2), 2);
    CHECK_EQ_INT(eng_part_class(3), 2);
    CHECK_EQ_INT(eng_part_class(4), 3);
    CHECK_EQ_INT(eng_part_class(1000), 10);
    CHECK_EQ_INT(eng_part_class(1024), 11);
    CHECK_EQ_INT(eng_part_class(((uint64_t)1 << 46) - 1), 46);
    CHECK_EQ_INT(eng_part_class((uint64_t)1 << 46), ENG_PART_CLASSES - 1);
    CHECK_EQ_INT(eng_part_class(UINT64_MAX), ENG_PART_CLASSES - 1);
}
