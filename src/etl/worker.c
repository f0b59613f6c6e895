/* Per-worker scratch state and string interning. */
#include "etl/etl_internal.h"

#include <stdlib.h>
#include <string.h>

void etl_worker_init(etl_worker *w, const char *const *fields, size_t nfields) {
    memset(w, 0, sizeof *w);
    w->arena = lake_arena_create(0);
    lake_smap_init(&w->intern);
    w->json = lj_extractor_create(fields, nfields);
    w->raw = lake_xcalloc(ETL_BATCH_OBJECTS, sizeof *w->raw);
    w->errs = lake_xcalloc(ETL_BATCH_OBJECTS, sizeof *w->errs);
    lake_buf_init(&w->inflated);
    lake_buf_init(&w->key);
}

void etl_worker_free(etl_worker *w) {
    lj_extractor_free(w->json);
    lake_smap_free(&w->intern);
    etl_reject_list_free(&w->rejects);
    etl_worker_release_buffers(w);
    free(w->raw);
    free(w->errs);
    lake_arena_free(w->arena);
    memset(w, 0, sizeof *w);
}

void etl_worker_release_buffers(etl_worker *w) {
    for (size_t i = 0; w->raw && i < ETL_BATCH_OBJECTS; i++)
        lake_buf_free(&w->raw[i]);
    lake_buf_free(&w->inflated);
    lake_buf_free(&w->key);
}

lake_str etl_intern(etl_worker *w, const char *s, size_t len) {
    uint32_t idx = 0;
    lake_str r;
    if (len > UINT32_MAX)
        len = UINT32_MAX;
    /* The map's value is unused: the key pointer itself is the interned copy. Look up first so
     * a hit costs no copy. */
    const char *copy = NULL;
    if (lake_smap_get_key(&w->intern, s, (uint32_t)len, &copy)) {
        r.ptr = copy;
        r.len = (uint32_t)len;
        return r;
    }
    copy = lake_arena_strndup(w->arena, s, len);
    lake_smap_upsert(&w->intern, copy, (uint32_t)len, &idx);
    r.ptr = copy;
    r.len = (uint32_t)len;
    return r;
}

lake_str etl_intern_hint(etl_worker *w, lake_str view, lake_str *hint) {
    if (!view.ptr)
        return view;
    if (hint->ptr && hint->len == view.len && !memcmp(hint->ptr, view.ptr, view.len))
        return *hint;
    *hint = etl_intern(w, view.ptr, view.len);
    return *hint;
}
