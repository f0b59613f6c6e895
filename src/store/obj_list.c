/* Object lists: the listing type every backend fills and every reader of a listing takes from. */
#include "lake/store.h"

#include <stdlib.h>
#include <string.h>

void lake_obj_list_free(lake_obj_list *l) {
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].data);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

void lake_obj_list_add_data(lake_obj_list *l, const char *key, uint64_t size, uint8_t *data) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->items = lake_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->n++] = (lake_obj){lake_xstrdup(key), size, data};
}

void lake_obj_list_add(lake_obj_list *l, const char *key, uint64_t size) {
    lake_obj_list_add_data(l, key, size, NULL);
}

void lake_obj_drop_data(lake_obj_list *l, size_t i) {
    free(l->items[i].data);
    l->items[i].data = NULL;
}

void lake_obj_list_drop_data(lake_obj_list *l) {
    for (size_t i = 0; i < l->n; i++)
        lake_obj_drop_data(l, i);
}

void lake_obj_list_take(lake_obj_list *l, lake_obj *obj) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->items = lake_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->n++] = *obj;
    obj->key = NULL;
    obj->data = NULL;
}

static int by_key(const void *a, const void *b) {
    return strcmp(((const lake_obj *)a)->key, ((const lake_obj *)b)->key);
}

void lake_obj_list_sort(lake_obj_list *l) {
    if (l->n > 1)
        qsort(l->items, l->n, sizeof *l->items, by_key);
}
