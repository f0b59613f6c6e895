/* Typed access to extracted JSON fields (see fields.h). */
#include "engine/ingest/fields.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const char *kind_name(lj_kind k) {
    switch (k) {
    case LJ_MISSING:
        return "nothing";
    case LJ_NULL:
        return "null";
    case LJ_BOOL:
        return "a boolean";
    case LJ_INT:
    case LJ_DOUBLE:
        return "a number";
    case LJ_STRING:
        return "a string";
    case LJ_ARRAY:
        return "an array";
    case LJ_OBJECT:
        return "an object";
    }
    return "?";
}

static bool type_error(const lj_value *v, const char *name, const char *want, char *why) {
    snprintf(why, ENG_WHY, "field '%s': expected %s, got %s", name, want, kind_name(v->kind));
    return false;
}

bool eng_get_view(const lj_value *v, const char *name, lake_str *out, char *why) {
    out->ptr = NULL;
    out->len = 0;
    if (v->kind == LJ_MISSING || v->kind == LJ_NULL)
        return true;
    if (v->kind != LJ_STRING)
        return type_error(v, name, "a string", why);
    if (v->len > UINT32_MAX) {
        snprintf(why, ENG_WHY, "field '%s': string longer than 4 GiB", name);
        return false;
    }
    /* An empty string needs a non-NULL pointer: NULL means null. */
    out->ptr = v->len ? v->s : "";
    out->len = (uint32_t)v->len;
    return true;
}

bool eng_get_str(eng_worker *w, const lj_value *v, const char *name, lake_str *out, char *why) {
    if (!eng_get_view(v, name, out, why))
        return false;
    if (out->ptr)
        *out = eng_intern(w, out->ptr, out->len);
    return true;
}

bool eng_get_copy(eng_worker *w, const lj_value *v, const char *name, lake_str *out, char *why) {
    if (!eng_get_view(v, name, out, why))
        return false;
    if (out->ptr)
        out->ptr = lake_arena_strndup(w->arena, out->ptr, out->len);
    return true;
}

bool eng_get_f64(const lj_value *v, const char *name, lake_opt_f64 *out, char *why) {
    out->ok = false;
    out->v = 0;
    if (v->kind == LJ_MISSING || v->kind == LJ_NULL)
        return true;
    if (v->kind != LJ_INT && v->kind != LJ_DOUBLE)
        return type_error(v, name, "a number", why);
    out->v = v->d;
    out->ok = true;
    return true;
}

/* Integers may be written as integral doubles (1541990258796.0), as Spark's JSON reader accepts
 * them for long columns; anything with a fraction is a type error. */
bool eng_get_i64(const lj_value *v, const char *name, lake_opt_i64 *out, char *why) {
    out->ok = false;
    out->v = 0;
    if (v->kind == LJ_MISSING || v->kind == LJ_NULL)
        return true;
    if (v->kind == LJ_INT) {
        out->v = v->i;
        out->ok = true;
        return true;
    }
    if (v->kind == LJ_DOUBLE && v->d == floor(v->d) && fabs(v->d) < 9.2e18) {
        out->v = (int64_t)v->d;
        out->ok = true;
        return true;
    }
    return type_error(v, name, "an integer", why);
}

bool eng_check_dup_keys(const lj_record *rec, char *why) {
    if (!rec->dup_key)
        return true;
    snprintf(why, ENG_WHY, "key '%s' appears more than once in the object", rec->dup_key);
    return false;
}
