/* Typed access to the fields a worker's extractor pulled out of a record. Each function returns
 * true on success; on a type error it writes a one-line reason into why (ENG_WHY bytes) and
 * returns false. A JSON null or a missing field gives a null (ptr == NULL / ok == false). Uses
 * json, table/opt.h and the worker (for copies into its arena). */
#ifndef LAKE_FIELDS_H
#define LAKE_FIELDS_H

#include "engine/ingest/worker.h"
#include "table/opt.h"

#define ENG_WHY 256

/* A string field, interned in the worker's arena. */
bool eng_get_str(eng_worker *w, const lj_value *v, const char *name, lake_str *out, char *why);
/* Like eng_get_str, copying the string into the worker's arena without interning it: for values
 * that are rarely repeated (ids, titles), whose intern map entries would only cost a hash and an
 * insert each. */
bool eng_get_copy(eng_worker *w, const lj_value *v, const char *name, lake_str *out, char *why);
/* Like eng_get_str without the copy: out points into the JSON layer's scratch, valid only during
 * the record callback. */
bool eng_get_view(const lj_value *v, const char *name, lake_str *out, char *why);
/* A number; an integer is taken as a double. */
bool eng_get_f64(const lj_value *v, const char *name, lake_opt_f64 *out, char *why);
/* An integer; an integral double (1541990258796.0) is accepted as Spark's reader does. */
bool eng_get_i64(const lj_value *v, const char *name, lake_opt_i64 *out, char *why);

/* False, with the reason in why, when a key the job reads appears more than once in the record's
 * object (rec->dup_key): readers disagree on which value such a record holds (Spark's takes the
 * last, DuckDB's the first), so it is a bad record rather than a silent pick. */
bool eng_check_dup_keys(const lj_record *rec, char *why);

#endif
