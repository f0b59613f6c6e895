/* The log events: users and a month of sessions (gen_events.c), the fixed catalogue of awkward
 * events (gen_edge_events.c) and the bad records (gen_bad_records.c). Events play songs of
 * c->songs, so the songs catalogue is made first. */
#ifndef LAKE_GEN_EVENTS_H
#define LAKE_GEN_EVENTS_H

#include "gen/gen_model.h"
#include "gen/gen_rng.h"

/* 20 + events / 1000 (at most 10,000) random users into c->users, with room for the edge-case
 * users after them. */
void gen_make_users(gen_ctx *c, gen_rng *r);
/* "paid" or "free": u's level at ts. */
const char *gen_level_at(const gen_user *u, int64_t ts);
/* Appends event e as one JSON object (no newline). */
void gen_put_event_json(lake_buf *b, const gen_event *e);

/* Writes log_data/2018/11/2018-11-DD-events.json for the 30 days of November 2018, with
 * c->o->events events in all. Returns LAKE_OK or the first write's error. */
lake_rc gen_write_days(gen_ctx *c, lake_error *err);
/* Writes the edge-case event files: each of the songs from first_edge on matched under another
 * escaping, timestamps around year and ISO-week boundaries, CRLF lines, compressed files. */
lake_rc gen_write_edge_events(gen_ctx *c, size_t first_edge, lake_error *err);
/* Writes one event file and one song file of records a reader must reject. */
lake_rc gen_write_bad_records(gen_ctx *c, lake_error *err);

#endif
