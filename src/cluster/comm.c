/* The collective steps built on a communicator's operations (comm.h). */
#include "cluster/comm.h"
#include "cluster/comm_mpi.h"
#include "lake/cluster.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lake_launch_rank(void) {
    const char *r = getenv("OMPI_COMM_WORLD_RANK");
    return r ? atoi(r) : 0;
}

int lake_launch_size(void) {
    const char *n = getenv("OMPI_COMM_WORLD_SIZE");
    return n && atoi(n) > 1 ? atoi(n) : 1;
}

lake_rc cl_comm_world(cl_comm **c, lake_error *err) {
    static cl_comm *world;
    if (!world && getenv("OMPI_COMM_WORLD_SIZE")) {
        lake_rc rc = cl_comm_mpi(&world, err);
        if (rc)
            return rc;
    }
    *c = world ? world : cl_comm_single();
    return LAKE_OK;
}

void cl_bcast(cl_comm *c, int root, lake_buf *buf) {
    c->ops->bcast(c, root, buf);
}

void cl_allgather(cl_comm *c, const lake_buf *in, lake_buf *out, uint64_t *lens) {
    c->ops->allgather(c, in, out, lens);
}

void cl_allreduce(cl_comm *c, uint64_t *v, size_t n, cl_op op) {
    c->ops->allreduce(c, v, n, op);
}

/* The lowest failing rank sends its error to all; everyone else learns it from there. */
lake_rc cl_agree(cl_comm *c, lake_rc mine, lake_error *err) {
    if (c->size == 1)
        return mine; /* the only failing rank's message is already there */
    uint64_t failed = mine ? (uint64_t)c->rank : (uint64_t)c->size;
    cl_allreduce(c, &failed, 1, CL_MIN);
    if (failed == (uint64_t)c->size)
        return LAKE_OK;
    lake_buf b;
    lake_buf_init(&b);
    if (failed == (uint64_t)c->rank) {
        int32_t rc = (int32_t)mine;
        lake_buf_append(&b, &rc, sizeof rc);
        lake_buf_printf(&b, "rank %d: %s", c->rank, err->msg[0] ? err->msg : lake_strerror(mine));
    }
    cl_bcast(c, (int)failed, &b);
    int32_t rc;
    memcpy(&rc, b.data, sizeof rc);
    snprintf(err->msg, sizeof err->msg, "%.*s", (int)(b.len - sizeof rc),
             (const char *)b.data + sizeof rc);
    err->rc = (lake_rc)rc;
    lake_buf_free(&b);
    return (lake_rc)rc;
}

uint64_t cl_exscan(cl_comm *c, uint64_t v) {
    uint64_t *all = lake_xcalloc((size_t)c->size, sizeof *all), below = 0;
    all[c->rank] = v;
    cl_allreduce(c, all, (size_t)c->size, CL_SUM);
    for (int r = 0; r < c->rank; r++)
        below += all[r];
    free(all);
    return below;
}

static lake_buf *bufs(int n) {
    lake_buf *b = lake_xcalloc((size_t)n, sizeof *b);
    for (int i = 0; i < n; i++)
        lake_buf_init(&b[i]);
    return b;
}

static void free_bufs(lake_buf *b, int n) {
    for (int i = 0; i < n; i++)
        lake_buf_free(&b[i]);
    free(b);
}

static void consume_round(const cl_exchange_fns *f, int size, lake_buf *in, lake_rc *rc,
                          lake_error *err) {
    for (int s = 0; s < size; s++)
        if (!*rc && in[s].len)
            *rc = f->consume(f->ud, s, in[s].data, in[s].len, err);
}

/* The second thread of an overlapped exchange: consumes the rounds handed to it, one at a time. */
typedef struct {
    const cl_exchange_fns *f;
    int size;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    lake_buf *round; /* the round being consumed, NULL when idle */
    bool quit;
    lake_rc rc;
    lake_error *err;
    pthread_t th;
} consumer;

static void *consumer_main(void *arg) {
    consumer *k = arg;
    pthread_mutex_lock(&k->mu);
    for (;;) {
        while (!k->round && !k->quit)
            pthread_cond_wait(&k->cv, &k->mu);
        if (!k->round)
            break;
        pthread_mutex_unlock(&k->mu);
        consume_round(k->f, k->size, k->round, &k->rc, k->err);
        pthread_mutex_lock(&k->mu);
        k->round = NULL;
        pthread_cond_broadcast(&k->cv);
    }
    pthread_mutex_unlock(&k->mu);
    return NULL;
}

/* Waits until the consumer is idle, then hands it `in` (NULL: only waits) or tells it to quit. */
static void consumer_hand(consumer *k, lake_buf *in, bool quit) {
    pthread_mutex_lock(&k->mu);
    while (k->round)
        pthread_cond_wait(&k->cv, &k->mu);
    k->round = in;
    k->quit = quit;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

static bool consumer_start(consumer *k, const cl_exchange_fns *f, int size, lake_error *err) {
    *k = (consumer){.f = f, .size = size, .err = err};
    pthread_mutex_init(&k->mu, NULL);
    pthread_cond_init(&k->cv, NULL);
    if (pthread_create(&k->th, NULL, consumer_main, k) == 0)
        return true;
    pthread_mutex_destroy(&k->mu);
    pthread_cond_destroy(&k->cv);
    return false; /* the exchange consumes on its own thread instead */
}

static lake_rc consumer_join(consumer *k) {
    consumer_hand(k, NULL, true);
    pthread_join(k->th, NULL);
    pthread_mutex_destroy(&k->mu);
    pthread_cond_destroy(&k->cv);
    return k->rc;
}

lake_rc cl_exchange(cl_comm *c, size_t chunk, const cl_exchange_fns *f, lake_error *err) {
    lake_buf *out = bufs(c->size), *in[2] = {bufs(c->size), bufs(c->size)};
    consumer k;
    bool overlap = f->overlap && consumer_start(&k, f, c->size, err);
    lake_rc rc = LAKE_OK;
    uint64_t more = 1;
    for (int cur = 0;; cur ^= 1) {
        for (int d = 0; d < c->size; d++)
            out[d].len = 0;
        uint64_t left = more && f->produce(f->ud, out, chunk);
        more = left;
        c->ops->alltoall(c, out, in[cur]); /* the consumer holds in[cur ^ 1] at most */
        for (int d = 0; d < c->size; d++)
            c->sent += d == c->rank ? 0 : out[d].len;
        if (overlap)
            consumer_hand(&k, in[cur], false);
        else
            consume_round(f, c->size, in[cur], &rc, err);
        cl_allreduce(c, &left, 1, CL_MAX);
        if (!left)
            break;
    }
    if (overlap)
        rc = consumer_join(&k);
    free_bufs(out, c->size);
    free_bufs(in[0], c->size);
    free_bufs(in[1], c->size);
    return rc;
}

typedef struct {
    const lake_buf *in;
    size_t off;
    lake_buf *per; /* rank 0: what each rank sent */
} gather_job;

static bool gather_produce(void *ud, lake_buf *out, size_t chunk) {
    gather_job *g = ud;
    size_t n = g->in->len - g->off < chunk ? g->in->len - g->off : chunk;
    lake_buf_append(&out[0], g->in->data + g->off, n);
    g->off += n;
    return g->off < g->in->len;
}

static lake_rc gather_consume(void *ud, int from, const uint8_t *data, size_t len,
                              lake_error *err) {
    (void)err;
    gather_job *g = ud;
    lake_buf_append(&g->per[from], data, len);
    return LAKE_OK;
}

void cl_gather(cl_comm *c, const lake_buf *in, lake_buf *out) {
    out->len = 0;
    if (c->size == 1) {
        lake_buf_append(out, in->data, in->len);
        return;
    }
    gather_job g = {in, 0, bufs(c->size)};
    cl_exchange_fns f = {gather_produce, gather_consume, &g, true};
    cl_exchange(c, CL_EXCHANGE_CHUNK, &f, NULL);
    for (int r = 0; r < c->size; r++)
        lake_buf_append(out, g.per[r].data, g.per[r].len);
    free_bufs(g.per, c->size);
}
