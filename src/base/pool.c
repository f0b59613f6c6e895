/* lake_parallel_for: a pool of threads handing out indices from one atomic counter. */
#include "base/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef struct {
    lake_task_fn fn;
    void *ctx;
    size_t n;
    atomic_size_t next;
    atomic_int stop;
    pthread_mutex_t mu;
    size_t fail_index;
    int fail_code;
} pool_job;

typedef struct {
    pool_job *job;
    unsigned worker;
} pool_arg;

static void record_failure(pool_job *j, size_t i, int code) {
    pthread_mutex_lock(&j->mu);
    if (!j->fail_code || i < j->fail_index) {
        j->fail_code = code;
        j->fail_index = i;
    }
    pthread_mutex_unlock(&j->mu);
    atomic_store(&j->stop, 1);
}

static void *pool_main(void *p) {
    pool_arg *a = p;
    pool_job *j = a->job;
    while (!atomic_load(&j->stop)) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n)
            break;
        int code = j->fn(j->ctx, i, a->worker);
        if (code)
            record_failure(j, i, code);
    }
    return NULL;
}

int lake_parallel_for(unsigned nthreads, size_t n, lake_task_fn fn, void *ctx) {
    pool_job j = {.fn = fn, .ctx = ctx, .n = n};
    atomic_init(&j.next, 0);
    atomic_init(&j.stop, 0);
    pthread_mutex_init(&j.mu, NULL);
    if (nthreads < 1)
        nthreads = 1;
    if (nthreads > n)
        nthreads = n ? (unsigned)n : 1;
    pthread_t *tids = lake_xcalloc(nthreads, sizeof *tids);
    pool_arg *args = lake_xcalloc(nthreads, sizeof *args);
    unsigned started = 0;
    for (unsigned w = 1; w < nthreads; w++) {
        args[w] = (pool_arg){&j, w};
        if (pthread_create(&tids[w], NULL, pool_main, &args[w]) != 0)
            break; /* run with the threads we got; worker 0 below does the rest */
        started = w;
    }
    args[0] = (pool_arg){&j, 0};
    pool_main(&args[0]);
    for (unsigned w = 1; w <= started; w++)
        pthread_join(tids[w], NULL);
    pthread_mutex_destroy(&j.mu);
    free(tids);
    free(args);
    return j.fail_code;
}

void lake_first_error_init(lake_first_error *f) {
    f->mu = lake_xmalloc(sizeof(pthread_mutex_t));
    pthread_mutex_init(f->mu, NULL);
    f->set = false;
    f->index = 0;
    f->err.rc = LAKE_OK;
    f->err.msg[0] = '\0';
}

void lake_first_error_free(lake_first_error *f) {
    pthread_mutex_destroy(f->mu);
    free(f->mu);
    f->mu = NULL;
}

bool lake_first_error_before(lake_first_error *f, size_t index) {
    pthread_mutex_lock(f->mu);
    bool before = f->set && f->index < index;
    pthread_mutex_unlock(f->mu);
    return before;
}

void lake_first_error_offer(lake_first_error *f, size_t index, const lake_error *err) {
    pthread_mutex_lock(f->mu);
    if (!f->set || index < f->index) {
        f->set = true;
        f->index = index;
        f->err = *err;
    }
    pthread_mutex_unlock(f->mu);
}
