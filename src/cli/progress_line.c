/* The progress line (progress_line.h): one thread that wakes every 100 ms, reads the counters and
 * redraws the line when its text changed. The text is ASCII, so its bytes are its columns: it is
 * cut to the terminal's width less one, and never wraps (a wrapped line could not be redrawn in
 * place with a carriage return). */
#include "cli/progress_line.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define TICK_NS 100000000L /* 10 redraws a second at most */
#define LINE_MAX_BYTES 512

struct cli_progress {
    const lake_progress *p;
    int fd;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool drawn;                /* a line is on the terminal */
    double t0;                 /* when drawing started */
    const char *stage;         /* the stage seen last */
    double stage_t0;           /* when it was first seen */
    char last[LINE_MAX_BYTES]; /* the text drawn last */
};

bool cli_progress_wanted(int fd, bool forced, bool quiet) {
    if (forced)
        return true;
    if (quiet || !isatty(fd))
        return false;
    const char *term = getenv("TERM");
    return !term || strcmp(term, "dumb") != 0;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* n with thousands separators: 1234567 -> "1,234,567". */
static const char *group(uint64_t n, char out[32]) {
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n), k = 0;
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = '\0';
    return out;
}

/* Bytes in decimal units, as the summary prints them: "812 B", "3.5 MB", "1.20 GB". */
static const char *size_text(uint64_t b, char out[32]) {
    if (b < 1000)
        snprintf(out, 32, "%llu B", (unsigned long long)b);
    else if (b < 1000000)
        snprintf(out, 32, "%.1f kB", (double)b / 1e3);
    else if (b < 1000000000)
        snprintf(out, 32, "%.1f MB", (double)b / 1e6);
    else
        snprintf(out, 32, "%.2f GB", (double)b / 1e9);
    return out;
}

/* Seconds as "m:ss", or "h:mm:ss" from an hour on. */
static const char *clock_text(double s, char out[32]) {
    unsigned long t = s > 0 ? (unsigned long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(out, 32, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, 32, "%lu:%02lu", t / 60, t % 60);
    return out;
}

typedef struct {
    char *s;
    size_t len, cap;
} line_buf;

static void put(line_buf *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(line_buf *l, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->s + l->len, l->cap - l->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        l->len = l->len + (size_t)n < l->cap ? l->len + (size_t)n : l->cap - 1;
}

/* A read stage: objects and bytes of the total, and the read rate. */
static void read_part(line_buf *l, const lake_progress_view *v, double dt) {
    char a[32], b[32], c[32], d[32];
    put(l, "  %s/%s objects  %s/%s", group(v->objects_done, a), group(v->objects_total, b),
        size_text(v->bytes_done, c), size_text(v->bytes_total, d));
    if (dt > 0)
        put(l, "  %s/s", size_text((uint64_t)((double)v->bytes_done / dt), a));
}

/* A write stage: files, rows of the total, bytes and the write rate. */
static void write_part(line_buf *l, const lake_progress_view *v, double dt) {
    char a[32], b[32], c[32], d[32];
    put(l, "  %s files  %s/%s rows  %s", group(v->files_written, a), group(v->rows_done, b),
        group(v->rows_total, c), size_text(v->bytes_done, d));
    if (dt > 0)
        put(l, "  %s/s", size_text((uint64_t)((double)v->bytes_done / dt), a));
}

/* The share of the stage done (bytes read, or rows written), or -1 when not known. */
static double stage_fraction(const lake_progress_view *v) {
    if (v->bytes_total)
        return (double)v->bytes_done / (double)v->bytes_total;
    if (v->objects_total)
        return (double)v->objects_done / (double)v->objects_total;
    if (v->rows_total)
        return (double)v->rows_done / (double)v->rows_total;
    return -1;
}

static void format_line(struct cli_progress *c, const lake_progress_view *v, double t,
                        line_buf *l) {
    char a[32];
    double dt = t - c->stage_t0;
    if (v->ranks > 1)
        put(l, "rank %u of %u: ", v->rank, v->ranks);
    put(l, "%-9s", v->stage);
    if (v->objects_total)
        read_part(l, v, dt);
    else if (v->rows_total)
        write_part(l, v, dt);
    put(l, "  elapsed %s", clock_text(t - c->t0, a));
    double f = stage_fraction(v);
    if (f > 0 && f < 1 && dt >= 0.3)
        put(l, "  ETA %s", clock_text(dt * (1 - f) / f, a));
}

static unsigned columns(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
        return ws.ws_col;
    return 80;
}

static void write_all(int fd, const char *s, size_t n) {
    while (n) {
        ssize_t k = write(fd, s, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return; /* progress is best effort: a closed terminal stops it, not the run */
        s += k;
        n -= (size_t)k;
    }
}

/* Draws the line when it says something new; only rank 0 of a cluster draws. */
static void draw(struct cli_progress *c) {
    lake_progress_view v;
    lake_progress_read(c->p, &v);
    if (!v.stage || !v.ranks || v.rank != 0)
        return;
    double t = now_s();
    if (v.stage != c->stage) {
        c->stage = v.stage;
        c->stage_t0 = t;
    }
    char text[LINE_MAX_BYTES];
    line_buf l = {text, 0, sizeof text};
    text[0] = '\0';
    format_line(c, &v, t, &l);
    unsigned cols = columns(c->fd);
    if (l.len > cols - 1)
        l.len = cols - 1;
    text[l.len] = '\0';
    if (c->drawn && !strcmp(text, c->last))
        return;
    memcpy(c->last, text, l.len + 1);
    char out[LINE_MAX_BYTES + 8];
    int n = snprintf(out, sizeof out, "\r%s\033[K", text);
    write_all(c->fd, out, (size_t)n);
    c->drawn = true;
}

static void *draw_loop(void *arg) {
    struct cli_progress *c = arg;
    pthread_mutex_lock(&c->mu);
    while (!c->stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += TICK_NS;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!c->stop && pthread_cond_timedwait(&c->cv, &c->mu, &until) != ETIMEDOUT)
            ;
        if (!c->stop)
            draw(c);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

cli_progress *cli_progress_start(const lake_progress *p, int fd) {
    struct cli_progress *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->p = p;
    c->fd = fd;
    c->t0 = now_s();
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&c->mu, NULL);
    if (pthread_create(&c->thread, NULL, draw_loop, c) == 0)
        return c;
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
    return NULL;
}

void cli_progress_stop(cli_progress *c) {
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stop = true;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    if (c->drawn)
        write_all(c->fd, "\r\033[K", 4);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
}
