/* lake run's summary as one JSON document (docs/summary-json.md), from the same lake_run_summary
 * the text summary prints. Strings go through json/emit's escaper. */
#include "jobs/sparkify/summary_json.h"
#include "json/emit.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static void key(lake_buf *b, const char *k) {
    lj_emit_string(b, k, strlen(k), 0);
    lake_buf_putc(b, ':');
}

static void str_or_null(lake_buf *b, const char *s) {
    if (s)
        lj_emit_string(b, s, strlen(s), 0);
    else
        lake_buf_puts(b, "null");
}

static void kv_u64(lake_buf *b, const char *k, uint64_t v, bool comma) {
    key(b, k);
    lj_emit_u64(b, v);
    if (comma)
        lake_buf_putc(b, ',');
}

static void kv_str(lake_buf *b, const char *k, const char *v, bool comma) {
    key(b, k);
    str_or_null(b, v);
    if (comma)
        lake_buf_putc(b, ',');
}

static const char *ts_name(pq_ts_type t) {
    return t == PQ_TS_MILLIS ? "millis" : t == PQ_TS_INT96 ? "int96" : "micros";
}

static void options(lake_buf *b, const lake_run_summary *s, const lake_run_report *rep) {
    const lake_run_opts *o = rep->opts;
    key(b, "options");
    lake_buf_putc(b, '{');
    kv_str(b, "input", rep->input, true);
    kv_str(b, "output", rep->output, true);
    kv_str(b, "mode", o->mode == LAKE_WRITE_DYNAMIC ? "dynamic" : "overwrite", true);
    kv_u64(b, "threads", s->threads ? s->threads : o->threads, true);
    kv_str(b, "compression", lake_codec_name(o->parquet.codec), true);
    key(b, "compression_level");
    lj_emit_i64(b, o->parquet.level);
    lake_buf_putc(b, ',');
    key(b, "max_bad_records");
    if (o->max_bad_records < 0)
        lake_buf_puts(b, "null");
    else
        lj_emit_i64(b, o->max_bad_records);
    lake_buf_putc(b, ',');
    key(b, "max_bad_fraction");
    lj_emit_double(b, o->max_bad_records < 0 ? o->max_bad_fraction : 1.0);
    lake_buf_putc(b, ',');
    kv_u64(b, "max_rows_per_file", o->max_rows_per_file, true);
    kv_u64(b, "spill_rows", o->spill_rows, true);
    kv_u64(b, "row_group_bytes", (uint64_t)o->parquet.row_group_bytes, true);
    kv_u64(b, "page_bytes", o->parquet.page_bytes, true);
    kv_str(b, "timestamp_type", ts_name(o->parquet.timestamp_type), true);
    key(b, "dictionary");
    lake_buf_puts(b, o->parquet.dictionary ? "true" : "false");
    lake_buf_puts(b, "}");
}

static void stage(lake_buf *b, const char *name, double wall, double cpu, bool comma) {
    key(b, name);
    lake_buf_puts(b, "{\"wall_s\":");
    lj_emit_double(b, wall);
    lake_buf_puts(b, ",\"cpu_s\":");
    lj_emit_double(b, cpu);
    lake_buf_putc(b, '}');
    if (comma)
        lake_buf_putc(b, ',');
}

static void stages(lake_buf *b, const lake_run_summary *s) {
    key(b, "stages");
    lake_buf_putc(b, '{');
    stage(b, "list", s->t_list, s->c_list, true);
    stage(b, "songs", s->t_songs, s->c_songs, true);
    stage(b, "events", s->t_events, s->c_events, true);
    stage(b, "transform", s->t_transform, s->c_transform, true);
    stage(b, "write", s->t_write, s->c_write, true);
    stage(b, "commit", s->t_commit, s->c_commit, true);
    stage(b, "cleanup", s->t_cleanup, s->c_cleanup, true);
    stage(b, "total", s->t_total, s->c_total, false);
    lake_buf_puts(b, "},");
}

static void inputs(lake_buf *b, const lake_run_summary *s) {
    key(b, "input");
    lake_buf_putc(b, '{');
    kv_u64(b, "song_objects", s->input_objects[0], true);
    kv_u64(b, "log_objects", s->input_objects[1], true);
    kv_u64(b, "bytes", s->input_bytes, true);
    kv_u64(b, "compressed_objects", s->input_compressed_objects, true);
    kv_u64(b, "compressed_bytes", s->input_compressed_bytes, false);
    lake_buf_puts(b, "},");
    key(b, "records");
    lake_buf_putc(b, '{');
    kv_u64(b, "songs", s->song_records, true);
    kv_u64(b, "events", s->event_records, true);
    kv_u64(b, "nextsong", s->nextsong_events, false);
    lake_buf_puts(b, "},");
}

/* The first bad records in input order: where, and why. */
static void examples(lake_buf *b, const lake_run_summary *s) {
    key(b, "examples");
    lake_buf_putc(b, '[');
    for (size_t i = 0; i < s->nexamples; i++) {
        lake_buf_puts(b, i ? ",{" : "{");
        kv_str(b, "object", s->examples[i].object, true);
        kv_u64(b, "line", s->examples[i].line, true);
        kv_str(b, "reason", s->examples[i].reason, false);
        lake_buf_putc(b, '}');
    }
    lake_buf_putc(b, ']');
}

static void rejects(lake_buf *b, const lake_run_summary *s) {
    key(b, "rejects");
    lake_buf_putc(b, '{');
    kv_u64(b, "total", s->bad_records, true);
    key(b, "by_reason");
    lake_buf_putc(b, '[');
    for (size_t i = 0; i < s->nreasons; i++) {
        const lake_reason_summary *r = &s->reasons[i];
        lake_buf_puts(b, i ? ",{" : "{");
        kv_str(b, "reason", r->reason, true);
        kv_u64(b, "count", r->count, true);
        key(b, "first");
        lake_buf_putc(b, '{');
        kv_str(b, "object", r->first_object, true);
        kv_u64(b, "line", r->first_line, false);
        lake_buf_puts(b, "}}");
    }
    lake_buf_puts(b, "],");
    kv_u64(b, "other_reasons", s->reasons_other, true);
    examples(b, s);
    lake_buf_puts(b, "},");
}

static void partition(lake_buf *b, const char *k, const lake_table_summary *t,
                      const lake_partition_summary *p, bool comma) {
    key(b, k);
    if (!t->partitions) {
        lake_buf_puts(b, "null");
    } else {
        lake_buf_putc(b, '{');
        kv_str(b, "dir", p->dir, true);
        kv_u64(b, "rows", p->rows, true);
        kv_u64(b, "bytes", p->bytes, true);
        kv_u64(b, "files", p->files, false);
        lake_buf_putc(b, '}');
    }
    if (comma)
        lake_buf_putc(b, ',');
}

/* The partitions per size class, from the smallest class that has one to the largest (empty
 * classes between them included, so the gaps show); [] when the table wrote no partition. */
static void histogram(lake_buf *b, const lake_table_summary *t) {
    int lo = 0, hi = LAKE_PARTITION_CLASSES - 1;
    while (lo <= hi && !t->partition_classes[lo])
        lo++;
    while (hi >= lo && !t->partition_classes[hi])
        hi--;
    key(b, "partition_rows_histogram");
    lake_buf_putc(b, '[');
    for (int k = lo; k <= hi; k++) {
        lake_buf_puts(b, k > lo ? ",{" : "{");
        kv_u64(b, "min_rows", k ? (uint64_t)1 << (k - 1) : 0, true);
        key(b, "max_rows");
        if (k == LAKE_PARTITION_CLASSES - 1)
            lake_buf_puts(b, "null");
        else
            lj_emit_u64(b, k ? ((uint64_t)1 << k) - 1 : 0);
        lake_buf_putc(b, ',');
        kv_u64(b, "partitions", t->partition_classes[k], false);
        lake_buf_putc(b, '}');
    }
    lake_buf_putc(b, ']');
}

static void tables(lake_buf *b, const lake_run_summary *s) {
    key(b, "tables");
    lake_buf_putc(b, '{');
    for (int i = 0; i < LAKE_TABLE_COUNT; i++) {
        const lake_table_summary *t = &s->tables[i];
        if (i)
            lake_buf_putc(b, ',');
        key(b, lake_table_name(i));
        lake_buf_putc(b, '{');
        kv_u64(b, "rows", s->rows[i], true);
        kv_u64(b, "files", s->files[i], true);
        kv_u64(b, "bytes", t->bytes, true);
        kv_u64(b, "partitions", t->partitions, true);
        partition(b, "largest_partition", t, &t->largest, true);
        partition(b, "smallest_partition", t, &t->smallest, true);
        histogram(b, t);
        lake_buf_putc(b, '}');
    }
    lake_buf_puts(b, "},");
}

/* A cluster run's ranks (per_rank is empty for a process alone). */
static void cluster(lake_buf *b, const lake_run_summary *s) {
    key(b, "cluster");
    lake_buf_putc(b, '{');
    kv_u64(b, "ranks", s->ranks ? s->ranks : 1, true);
    key(b, "per_rank");
    lake_buf_putc(b, '[');
    for (unsigned r = 0; s->ranks > 1 && r < s->ranks && r < LAKE_SUMMARY_MAX_RANKS; r++) {
        const lake_rank_summary *k = &s->per_rank[r];
        lake_buf_puts(b, r ? ",{" : "{");
        kv_u64(b, "rank", r, true);
        kv_u64(b, "records", k->records, true);
        kv_u64(b, "bytes_read", k->bytes_read, true);
        kv_u64(b, "rows", k->rows, true);
        kv_u64(b, "bytes_sent", k->bytes_sent, true);
        kv_u64(b, "peak_rss", k->peak_rss, true);
        key(b, "wall_s");
        lj_emit_double(b, k->t_total);
        lake_buf_puts(b, ",\"cpu_s\":");
        lj_emit_double(b, k->c_total);
        lake_buf_putc(b, '}');
    }
    lake_buf_puts(b, "]},");
}

/* "2026-01-31T12:34:56.789Z" for seconds since 1970 UTC; null before the run started. */
static void utc_time(lake_buf *b, const char *k, double t) {
    key(b, k);
    if (t <= 0) {
        lake_buf_puts(b, "null");
        return;
    }
    time_t secs = (time_t)t;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char text[40];
    strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
    lake_buf_printf(b, "\"%s.%03dZ\"", text, (int)((t - (double)secs) * 1000));
}

/* The machine the summary was made on (rank 0's, in a cluster). */
static void environment(lake_buf *b, const lake_run_summary *s) {
    struct utsname u;
    if (uname(&u))
        memset(&u, 0, sizeof u);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN), pages = sysconf(_SC_PHYS_PAGES),
         page = sysconf(_SC_PAGESIZE);
    key(b, "environment");
    lake_buf_putc(b, '{');
    kv_str(b, "host", u.nodename, true);
    kv_str(b, "os", u.sysname, true);
    kv_str(b, "os_release", u.release, true);
    kv_str(b, "machine", u.machine, true);
    kv_u64(b, "cpus", cpus > 0 ? (uint64_t)cpus : 0, true);
    kv_u64(b, "memory_bytes", pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0, true);
    utc_time(b, "started_at", s->started_at);
    lake_buf_puts(b, "},");
}

static void compaction(lake_buf *b, const lake_run_compaction *c) {
    key(b, "compact");
    if (!c) {
        lake_buf_puts(b, "null,");
        return;
    }
    lake_buf_putc(b, '{');
    kv_str(b, "prefix", c->prefix, true);
    kv_u64(b, "objects_copied", c->objects_copied, true);
    kv_u64(b, "outputs_written", c->outputs_written, true);
    kv_u64(b, "bytes_in", c->bytes_in, true);
    kv_u64(b, "bytes_out", c->bytes_out, true);
    kv_u64(b, "groups", c->groups, true);
    kv_u64(b, "objects_kept", c->objects_kept, true);
    kv_u64(b, "outputs_kept", c->outputs_kept, true);
    kv_u64(b, "outputs_removed", c->outputs_removed, true);
    key(b, "seconds");
    lj_emit_double(b, c->seconds);
    lake_buf_puts(b, "},");
}

void sp_summary_json(lake_buf *b, const lake_run_summary *s, const lake_run_report *rep) {
    lake_buf_puts(b, "{\"schema_version\":1,");
    kv_str(b, "status", rep->error ? "failed" : "succeeded", true);
    kv_str(b, "error", rep->error, true);
    kv_str(b, "run_id", s->run_id[0] ? s->run_id : NULL, true);
    kv_str(b, "lake_version", rep->version, true);
    options(b, s, rep);
    lake_buf_putc(b, ',');
    stages(b, s);
    compaction(b, rep->compact);
    inputs(b, s);
    rejects(b, s);
    tables(b, s);
    cluster(b, s);
    environment(b, s);
    kv_u64(b, "bytes_written", s->bytes_written, true);
    key(b, "spilled");
    lake_buf_putc(b, '{');
    kv_u64(b, "runs", s->spilled_runs, true);
    kv_u64(b, "bytes", s->spilled_bytes, false);
    lake_buf_puts(b, "}}\n");
}
