/* Per-worker scratch state and string interning. */
#include "engine/ingest/worker.h"

#include <stdlib.h>
#include <string.h>

void eng_worker_init(eng_worker *w, const char *const *fields, size_t nfields) {
    memset(w, 0, sizeof *w);
    w->arena = lake_arena_create(0);
    lake_smap_init(&w->intern);
    w->json = lj_extractor_create(fields, nfields);
    w->raw = lake_xcalloc(ENG_BATCH_OBJECTS, sizeof *w->raw);
    w->errs = lake_xcalloc(ENG_BATCH_OBJECTS, sizeof *w->errs);
    lake_buf_init(&w->inflated);
    lake_buf_init(&w->key);
}

void eng_worker_free(eng_worker *w) {
    lj_extractor_free(w->json);
    lake_smap_free(&w->intern);
    eng_reject_list_free(&w->rejects);
    eng_worker_release_buffers(w);
    free(w->raw);
    free(w->errs);
    lake_arena_free(w->arena);
    memset(w, 0, sizeof *w);
}

void eng_worker_release_buffers(eng_worker *w) {
    for (size_t i = 0; w->raw && i < ENG_BATCH_OBJECTS; i++)
        lake_buf_free(&w->raw[i]);
    lake_buf_free(&w->inflated);
    lake_buf_free(&w->key);
}

lake_str eng_intern(eng_worker *w, const char *s, size_t len) {
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

lake_str eng_intern_hint(eng_worker *w, lake_str view, lake_str *hint) {
    if (!view.ptr)
        return view;
    if (hint->ptr && hint->len == view.len && !memcmp(hint->ptr, view.ptr, view.len))
        return *hint;
    *hint = eng_intern(w, view.ptr, view.len);
    return *hint;
}

void eng_reject_add(eng_worker *w, const char *source, uint32_t obj, uint64_t line,
                    const char *reason, const char *raw, size_t raw_len) {
    eng_reject_list_add(&w->rejects, w->arena, source, obj, line, reason, raw, raw_len);
}
