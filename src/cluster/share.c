/* Sharing out the input listing (share.h). */
#include "cluster/share.h"
#include "cluster/wire.h"

#include <stdlib.h>

void cl_share_listing(cl_comm *c, lake_obj_list *objs) {
    if (c->size == 1)
        return;
    lake_buf b;
    lake_buf_init(&b);
    if (c->rank == 0)
        for (size_t i = 0; i < objs->n; i++) {
            cl_put_u64(&b, objs->items[i].size);
            cl_put_cstr(&b, objs->items[i].key);
        }
    cl_bcast(c, 0, &b);
    if (c->rank != 0) {
        lake_obj_list_free(objs);
        cl_reader r = {b.data, b.data + b.len, false};
        while (cl_more(&r)) {
            uint64_t size = cl_get_u64(&r);
            const char *key = cl_get_cstr(&r);
            if (key)
                lake_obj_list_add(objs, key, size);
        }
    }
    lake_buf_free(&b);
}

static uint64_t weight(const lake_obj *o, uint64_t (*weigh)(const lake_obj *)) {
    return weigh ? weigh(o) : o->size;
}

/* The first object of rank r's share: the first whose weight before it reaches r/size of total. */
static size_t share_start(const lake_obj_list *objs, uint64_t (*weigh)(const lake_obj *), int r,
                          int size, uint64_t total) {
    if (r == size)
        return objs->n; /* the last share ends with the listing, empty objects included */
    if (total == 0)
        return objs->n * (size_t)r / (size_t)size;
    uint64_t before = 0;
    size_t i = 0;
    while (i < objs->n &&
           (unsigned __int128)before * (unsigned)size < (unsigned __int128)total * (unsigned)r)
        before += weight(&objs->items[i++], weigh);
    return i;
}

void cl_share_range(const cl_comm *c, lake_obj_list *objs, uint64_t (*weigh)(const lake_obj *),
                    size_t *lo, size_t *hi) {
    uint64_t total = 0;
    for (size_t i = 0; i < objs->n; i++)
        total += weight(&objs->items[i], weigh);
    *lo = share_start(objs, weigh, c->rank, c->size, total);
    *hi = share_start(objs, weigh, c->rank + 1, c->size, total);
    for (size_t i = 0; i < objs->n; i++)
        if (i < *lo || i >= *hi)
            lake_obj_drop_data(objs, i);
}
