/* lake run --verbose: what the run was set to do, before it starts, and what each stage and
 * table did, after it ends, on stderr (beside the S3 request log --verbose also turns on). The
 * summary on stdout stays the same with or without --verbose, so scripts that read it keep
 * working. */
#include "cli/run_verbose.h"
#include "lake/codec.h"

#include <stdio.h>
#include <unistd.h>

static const char *on(bool b) {
    return b ? "on" : "off";
}

static const char *ts_name(pq_ts_type t) {
    return t == PQ_TS_MILLIS ? "millis" : t == PQ_TS_INT96 ? "int96" : "micros";
}

static void print_limits(FILE *f, const lake_run_opts *o) {
    if (o->max_bad_records >= 0)
        fprintf(f, "  bad records: fail above %lld in all\n", (long long)o->max_bad_records);
    else
        fprintf(f, "  bad records: fail above %g of song_data's or of log_data's records\n",
                o->max_bad_fraction);
    if (o->spill_rows)
        fprintf(f, "  songplays: a thread sorts and spills them to $TMPDIR every %llu rows\n",
                (unsigned long long)o->spill_rows);
    else
        fprintf(f, "  songplays: all held in memory (--spill-rows 0)\n");
    if (o->max_rows_per_file)
        fprintf(f, "  at most %llu rows a file\n", (unsigned long long)o->max_rows_per_file);
    if (o->wait_lock_s > 0)
        fprintf(f, "  lock: waits up to %g s for another run writing the output\n", o->wait_lock_s);
    else
        fprintf(f, "  lock: fails at once if another run is writing the output\n");
}

void cli_run_print_settings(FILE *f, const char *input, const char *output,
                            const lake_run_opts *o) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    const pq_options *p = &o->parquet;
    fprintf(f, "lake run: reading %s, writing %s (%s)\n", input, output,
            o->mode == LAKE_WRITE_DYNAMIC ? "dynamic: only the partitions written are replaced"
                                          : "overwrite: each table replaced whole");
    if (o->threads)
        fprintf(f, "  threads: %u\n", o->threads);
    else
        fprintf(f, "  threads: %ld (every CPU online)\n", cpus > 0 ? cpus : 1);
    fprintf(f, "  parquet: %s", lake_codec_name(p->codec));
    if (p->level)
        fprintf(f, " level %d", p->level);
    fprintf(f,
            ", row groups %lld MiB, pages %zu KiB, timestamps %s, dictionary %s, delta %s, "
            "page index %s, page CRC %s\n",
            (long long)(p->row_group_bytes >> 20), p->page_bytes >> 10, ts_name(p->timestamp_type),
            on(p->dictionary), on(p->delta), on(p->page_index), on(p->page_crc));
    print_limits(f, o);
}

/* "3.5 MB", "812.0 kB": small outputs do not all read 0.0 MB. */
static const char *size_text(uint64_t bytes, char *buf, size_t size) {
    if (bytes < 1000000)
        snprintf(buf, size, "%.1f kB", (double)bytes / 1e3);
    else
        snprintf(buf, size, "%.1f MB", (double)bytes / 1e6);
    return buf;
}

static void stage(FILE *f, const char *name, double wall, double cpu, const char *what) {
    fprintf(f, "  %-10s %8.3f s wall %8.3f s cpu (%4.1f cores)%s%s\n", name, wall, cpu,
            wall > 0 ? cpu / wall : 0.0, *what ? "  " : "", what);
}

static void print_stages(FILE *f, const lake_run_summary *s) {
    char what[200], size[32];
    snprintf(what, sizeof what, "%llu song objects, %llu log objects, %s",
             (unsigned long long)s->input_objects[0], (unsigned long long)s->input_objects[1],
             size_text(s->input_bytes, size, sizeof size));
    stage(f, "list", s->t_list, s->c_list, what);
    snprintf(what, sizeof what, "%llu song records", (unsigned long long)s->song_records);
    stage(f, "songs", s->t_songs, s->c_songs, what);
    snprintf(what, sizeof what, "%llu events, %llu NextSong", (unsigned long long)s->event_records,
             (unsigned long long)s->nextsong_events);
    stage(f, "events", s->t_events, s->c_events, what);
    uint64_t files = 0, rows = 0;
    for (int t = 0; t < LAKE_TABLE_COUNT; t++) {
        files += s->files[t];
        rows += s->rows[t];
    }
    snprintf(what, sizeof what, "%llu rows of %d tables", (unsigned long long)rows,
             LAKE_TABLE_COUNT);
    stage(f, "transform", s->t_transform, s->c_transform, what);
    snprintf(what, sizeof what, "%llu files, %s", (unsigned long long)files,
             size_text(s->bytes_written, size, sizeof size));
    stage(f, "write", s->t_write, s->c_write, what);
    stage(f, "commit", s->t_commit, s->c_commit, "");
    stage(f, "cleanup", s->t_cleanup, s->c_cleanup, "previous files deleted");
    stage(f, "total", s->t_total, s->c_total, "");
}

static void print_partition(FILE *f, const char *which, const lake_partition_summary *p) {
    char size[32];
    fprintf(f, "             %s %s: %llu rows in %llu files, %s\n", which, p->dir,
            (unsigned long long)p->rows, (unsigned long long)p->files,
            size_text(p->bytes, size, sizeof size));
}

static void print_tables(FILE *f, const lake_run_summary *s) {
    for (int t = 0; t < LAKE_TABLE_COUNT; t++) {
        const lake_table_summary *ts = &s->tables[t];
        char size[32];
        fprintf(f, "  %-10s %llu rows, %llu files, %s, %llu partitions\n", lake_table_name(t),
                (unsigned long long)s->rows[t], (unsigned long long)s->files[t],
                size_text(ts->bytes, size, sizeof size), (unsigned long long)ts->partitions);
        if (ts->partitions > 1) {
            print_partition(f, "largest ", &ts->largest);
            print_partition(f, "smallest", &ts->smallest);
        }
    }
}

void cli_run_print_detail(FILE *f, const lake_run_summary *s) {
    fprintf(f, "lake run %s: stages\n", s->run_id[0] ? s->run_id : "(not started)");
    print_stages(f, s);
    fprintf(f, "lake run: tables\n");
    print_tables(f, s);
    if (!s->bad_records)
        return;
    fprintf(f, "lake run: rejects by reason (in _rejected/)\n");
    for (size_t i = 0; i < s->nreasons; i++)
        fprintf(f, "  %8llu  %s\n", (unsigned long long)s->reasons[i].count, s->reasons[i].reason);
    if (s->reasons_other)
        fprintf(f, "  %8llu  other reasons\n", (unsigned long long)s->reasons_other);
}
