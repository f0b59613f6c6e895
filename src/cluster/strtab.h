/* Strings on the wire once per message: the first time a message carries a string it is sent
 * whole, later times as its number in the message. Rows of a keyed exchange repeat a few strings
 * over and over (a user's agent, location and level on each of their songplays). The writer
 * knows strings by their address (interned strings: equal bytes, one address), so it never
 * hashes bytes. Tags, one varint each: 0 a null, 2k + 1 the message's string k, 2(len + 1)
 * followed by the bytes a new string. Owns its tables. Uses base and cluster/wire.h. */
#ifndef LAKE_STRTAB_H
#define LAKE_STRTAB_H

#include "cluster/wire.h"

/* The writer's side: the strings a message already carries. */
typedef struct {
    const char **keys; /* open addressing by address; NULL = free */
    uint32_t *nums;
    size_t cap, n;
} cl_strtab;

/* Forgets every string, for a new message. */
void cl_strtab_reset(cl_strtab *t);
void cl_strtab_free(cl_strtab *t);
/* Appends s (or a null) to b as the tags above say. */
void cl_put_str_tab(lake_buf *b, cl_strtab *t, lake_str s);

/* The reader's side: the message's strings so far, as the caller keeps them. */
typedef struct {
    lake_str *items;
    size_t n, cap;
} cl_strvec;

/* Reads one string: a new one is passed to keep (which returns the copy the caller keeps, e.g.
 * interned) and remembered; a number returns the kept copy. A bad tag or number sets r->bad. */
lake_str cl_get_str_tab(cl_reader *r, cl_strvec *v, lake_str (*keep)(void *ud, lake_str s),
                        void *ud);
void cl_strvec_free(cl_strvec *v);

/* Strings near the one before (keys of files in partition order: a long common head, the same
 * file name): the length of the middle + 1 (0 a null), how much of the previous string's head
 * and tail it shares, then the middle's bytes. *prev is the last string that was not a null
 * (NULL at a message's start, so a message decodes after any other). */
void cl_put_str_near(lake_buf *b, const char **prev, const char *s);
/* Reads one, NUL-terminated, in a (NULL for a null); shares beyond *prev set r->bad. */
const char *cl_get_str_near(cl_reader *r, const char **prev, lake_arena *a);

#endif
