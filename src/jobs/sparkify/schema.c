/* The five tables as docs/spec.md fixes them: names, columns in the contract's order with their
 * types, and which columns are directory partitions. Written once: the builders make their
 * tables from these definitions (spk_table_shell) and `lake ddl` reads them through
 * lake_table_schema. */
#include "jobs/sparkify/sparkify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

static const lake_column_def songs_cols[] = {{"song_id", LAKE_T_STRING},
                                             {"title", LAKE_T_STRING},
                                             {"artist_id", LAKE_T_STRING},
                                             {"year", LAKE_T_INT32},
                                             {"duration", LAKE_T_DOUBLE}};

static const lake_column_def artists_cols[] = {{"artist_id", LAKE_T_STRING},
                                               {"name", LAKE_T_STRING},
                                               {"location", LAKE_T_STRING},
                                               {"latitude", LAKE_T_DOUBLE},
                                               {"longitude", LAKE_T_DOUBLE}};

static const lake_column_def users_cols[] = {{"user_id", LAKE_T_INT32},
                                             {"first_name", LAKE_T_STRING},
                                             {"last_name", LAKE_T_STRING},
                                             {"gender", LAKE_T_STRING},
                                             {"level", LAKE_T_STRING}};

static const lake_column_def time_cols[] = {{"start_time", LAKE_T_TIMESTAMP_US},
                                            {"hour", LAKE_T_INT32},
                                            {"day", LAKE_T_INT32},
                                            {"week", LAKE_T_INT32},
                                            {"month", LAKE_T_INT32},
                                            {"year", LAKE_T_INT32},
                                            {"weekday", LAKE_T_INT32}};

/* year and month are not columns of the contract's songplays: they partition it, by start_time's
 * UTC year and month, as the Sparkify project does. */
static const lake_column_def songplays_cols[] = {
    {"songplay_id", LAKE_T_INT64}, {"start_time", LAKE_T_TIMESTAMP_US},
    {"user_id", LAKE_T_INT32},     {"level", LAKE_T_STRING},
    {"song_id", LAKE_T_STRING},    {"artist_id", LAKE_T_STRING},
    {"session_id", LAKE_T_INT64},  {"location", LAKE_T_STRING},
    {"user_agent", LAKE_T_STRING}, {"year", LAKE_T_INT32},
    {"month", LAKE_T_INT32}};

static const lake_table_def tables[LAKE_TABLE_COUNT] = {
    [LAKE_TABLE_SONGS] = {"songs", songs_cols, NCOLS(songs_cols), {3, 2}, 2},
    [LAKE_TABLE_ARTISTS] = {"artists", artists_cols, NCOLS(artists_cols), {0, 0}, 0},
    [LAKE_TABLE_USERS] = {"users", users_cols, NCOLS(users_cols), {0, 0}, 0},
    [LAKE_TABLE_TIME] = {"time", time_cols, NCOLS(time_cols), {5, 4}, 2},
    [LAKE_TABLE_SONGPLAYS] = {"songplays", songplays_cols, NCOLS(songplays_cols), {9, 10}, 2}};

const lake_table_def *lake_table_schema(int t) {
    return t >= 0 && t < LAKE_TABLE_COUNT ? &tables[t] : NULL;
}

const char *lake_table_name(int t) {
    return t >= 0 && t < LAKE_TABLE_COUNT ? tables[t].name : "?";
}

void spk_table_shell(int t, eng_table *out) {
    const lake_table_def *d = &tables[t];
    memset(out, 0, sizeof *out);
    out->name = d->name;
    for (size_t i = 0; i < d->ncols; i++)
        eng_add_col(out, d->cols[i].name, d->cols[i].type);
    for (size_t i = 0; i < d->npart; i++)
        out->part_cols[i] = d->part_cols[i];
    out->npart = d->npart;
}

lake_col *spk_col(eng_table *t, const char *name) {
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name))
            return &t->cols[i];
    fprintf(stderr, "lake: internal error: table %s has no column %s\n", t->name, name);
    abort();
}
