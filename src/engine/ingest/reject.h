/* Bad records: what was wrong, where (object and line) and the raw text, kept until the run
 * decides to write them, then written in input order as NDJSON {source,line,reason,raw}.
 * Owns each list's array; the strings are copied into an arena the caller keeps alive. Uses base
 * and lake/table.h (lake_str). */
#ifndef LAKE_REJECT_H
#define LAKE_REJECT_H

#include "lake/common.h"
#include "lake/table.h"

/* A record's input position: (object index in the sorted listing << 32) | record index. Every
 * reduction of a job breaks ties by it, so results do not depend on which worker (or rank) saw
 * a record first. */
#define ENG_ORD(obj, rec) (((uint64_t)(obj) << 32) | (uint32_t)(rec))

typedef struct {
    uint64_t ord; /* object index and line, for deterministic order */
    const char *source;
    uint64_t line;
    const char *reason;
    lake_str raw;
} eng_reject;

typedef struct {
    eng_reject *items;
    size_t n, cap;
} eng_reject_list;

/* Adds a bad record to l, copying reason and (at most 1 MiB of) raw into a. source is kept as
 * given and must outlive the list (the listing's key). */
void eng_reject_list_add(eng_reject_list *l, lake_arena *a, const char *source, uint32_t obj,
                         uint64_t line, const char *reason, const char *raw, size_t raw_len);
/* Moves every entry of src to the end of dst (the strings stay where they are). */
void eng_reject_merge(eng_reject_list *dst, eng_reject_list *src);
/* Sorts by input position (ties: source key, then line). */
void eng_reject_sort(eng_reject_list *l);
void eng_reject_list_free(eng_reject_list *l); /* accepts a zeroed list */
/* Appends the rejects as NDJSON lines {source,line,reason,raw} to out; bytes of raw that are not
 * valid UTF-8 become U+FFFD, so the file is always valid JSON. */
void eng_reject_write(const eng_reject_list *l, lake_buf *out);

/* How many rejects gave one reason (the reason is l's string). */
typedef struct {
    const char *reason;
    uint64_t count;
} eng_reason_count;

/* Counts l's rejects per reason: the max most frequent reasons go to out (most frequent first,
 * ties by reason in byte order), and the rejects of the reasons past them to *other. Returns how
 * many entries of out were set. */
size_t eng_reject_reasons(const eng_reject_list *l, eng_reason_count *out, size_t max,
                          uint64_t *other);

#endif
