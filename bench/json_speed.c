/* JSON extraction throughput on event logs, for `make bench`.
 *
 * Loads the plain .json files under LOG_DIR (compressed ones are skipped: this measures
 * extraction, not inflate) up to a byte budget, then runs lj_extract with the fourteen event
 * fields lake run asks for over them, on 1 thread and on N threads (files dealt round-robin),
 * repeating passes until each measurement lasts at least a second. Prints one line per thread
 * count: "json_speed threads=T bytes=B seconds=S gbps=G gbps_per_thread=G/T records=R".
 *
 * Build (from the repository root, after `make build`):
 *   cc -std=c11 -O2 -Iinclude -D_GNU_SOURCE -pthread -o build/release/json-speed \
 *      bench/json_speed.c build/release/liblake.a -lsimdjson -lstdc++ -lm
 * usage: json-speed LOG_DIR [THREADS] [MAX_MB] */
#include "json/json.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The fields src/jobs/sparkify/events.c extracts, in its order. */
static const char *const fields[] = {
    "page",   "userId", "ts",   "sessionId", "itemInSession", "firstName", "lastName",
    "gender", "level",  "song", "artist",    "length",        "location",  "userAgent"};
enum { NFIELDS = sizeof fields / sizeof fields[0] };

typedef struct {
    char *data;
    size_t len;
} blob;

static blob *blobs;
static size_t nblobs, capblobs, total_bytes, max_bytes;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int ends_with(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static void load_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n > 0 && total_bytes + (size_t)n <= max_bytes) {
        char *d = malloc((size_t)n + LJ_PADDING);
        if (d && fread(d, 1, (size_t)n, f) == (size_t)n) {
            memset(d + n, 0, LJ_PADDING);
            if (nblobs == capblobs) {
                capblobs = capblobs ? 2 * capblobs : 64;
                blobs = realloc(blobs, capblobs * sizeof *blobs);
            }
            blobs[nblobs++] = (blob){d, (size_t)n};
            total_bytes += (size_t)n;
        } else {
            free(d);
        }
    }
    fclose(f);
}

static void walk(const char *dir) {
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        char path[4096];
        const char *name = ents[i]->d_name;
        if (name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", dir, name);
            struct stat st;
            if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
                walk(path);
            else if (ends_with(name, ".json"))
                load_file(path);
        }
        free(ents[i]);
    }
    free(ents);
}

typedef struct {
    unsigned id, nthreads;
    size_t records, bytes;
    double seconds;
} worker;

static int on_record(void *ctx, const lj_record *rec, const lj_value *vals) {
    (void)rec;
    (void)vals;
    ((worker *)ctx)->records++;
    return 0;
}

static int on_error(void *ctx, const lj_record *rec, const char *reason) {
    (void)ctx;
    (void)rec;
    (void)reason;
    return 0;
}

static void *work(void *arg) {
    worker *w = arg;
    lj_extractor *x = lj_extractor_create(fields, NFIELDS);
    double t0 = now();
    do {
        for (size_t i = w->id; i < nblobs; i += w->nthreads) {
            lake_error err = {0};
            if (lj_extract(x, blobs[i].data, blobs[i].len, on_record, on_error, w, &err)) {
                fprintf(stderr, "json-speed: extraction failed\n");
                exit(1);
            }
            w->bytes += blobs[i].len;
        }
        w->seconds = now() - t0;
    } while (w->seconds < 1.0);
    lj_extractor_free(x);
    return NULL;
}

static void measure(unsigned nthreads) {
    worker ws[64];
    pthread_t th[64];
    for (unsigned t = 0; t < nthreads; t++) {
        ws[t] = (worker){t, nthreads, 0, 0, 0};
        pthread_create(&th[t], NULL, work, &ws[t]);
    }
    double gbps = 0;
    size_t bytes = 0, records = 0;
    double secs = 0;
    for (unsigned t = 0; t < nthreads; t++) {
        pthread_join(th[t], NULL);
        gbps += (double)ws[t].bytes / ws[t].seconds / 1e9;
        bytes += ws[t].bytes;
        records += ws[t].records;
        if (ws[t].seconds > secs)
            secs = ws[t].seconds;
    }
    printf("json_speed threads=%u bytes=%zu seconds=%.3f gbps=%.3f gbps_per_thread=%.3f "
           "records=%zu\n",
           nthreads, bytes, secs, gbps, gbps / nthreads, records);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: json-speed LOG_DIR [THREADS] [MAX_MB]\n");
        return 2;
    }
    unsigned threads = argc > 2 ? (unsigned)atoi(argv[2]) : 2;
    if (threads < 1 || threads > 64)
        threads = 2;
    max_bytes = (size_t)(argc > 3 ? atof(argv[3]) : 512) << 20;
    walk(argv[1]);
    if (!nblobs) {
        fprintf(stderr, "json-speed: no .json files under %s\n", argv[1]);
        return 1;
    }
    fprintf(stderr, "json-speed: %zu files, %.1f MB loaded\n", nblobs, total_bytes / 1e6);
    measure(1);
    if (threads > 1)
        measure(threads);
    for (size_t i = 0; i < nblobs; i++)
        free(blobs[i].data);
    free(blobs);
    return 0;
}
